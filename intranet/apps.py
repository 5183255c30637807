from django.apps import AppConfig
from django.urls import register_converter
from django.utils.module_loading import autodiscover_modules


class IntranetConfig(AppConfig):
    name = "intranet"

    def ready(self) -> None:
        from intranet.validation import IdConverter

        # `<id:…>` in every app's URLs: an id past 64 bits is a 404, not an
        # OverflowError in the view's query.
        register_converter(IdConverter, "id")
        # Each app's realtime.py registers its socket commands and streams
        # (intranet.plugins), the way the admin finds admin.py; its pages.py
        # what it adds to other apps' pages.
        autodiscover_modules("realtime", "pages")
