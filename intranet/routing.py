from django.urls import path

from intranet.consumers import RealtimeConsumer

websocket_urlpatterns = [
    path("ws/", RealtimeConsumer.as_asgi()),  # type: ignore[arg-type]
]
