"""ASGI entry point: HTTP goes to Django, /ws/ to the one socket consumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

from intranet.config import load_settings_or_exit

load_settings_or_exit()
# Set up Django (apps, models) before importing anything that uses the ORM.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from intranet.config import (  # noqa: E402
    skip_autobahn_debug_formatting,
    tune_gc_for_a_server,
)
from intranet.origins import OwnOriginMiddleware  # noqa: E402
from intranet.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Only the site's own pages may open the socket (scheme, host and
        # port, as CSRF judges a form). The consumer reads the session
        # cookie itself, in the same trip to the database thread as the
        # rest of its connect.
        "websocket": OwnOriginMiddleware(
            URLRouter(websocket_urlpatterns)  # type: ignore[arg-type]
        ),
    }
)

tune_gc_for_a_server()
skip_autobahn_debug_formatting()
