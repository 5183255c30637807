from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class IntranetConfig(AppConfig):
    name = "intranet"

    def ready(self) -> None:
        # Each app's realtime.py registers its socket commands and streams
        # (intranet.plugins), the way the admin finds admin.py.
        autodiscover_modules("realtime")
