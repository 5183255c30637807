from django.conf import settings

from intranet.notifications import unread_count
from messaging.selectors import total_unread


def site(request):
    user = getattr(request, "user", None)
    context = {
        "SITE_NAME": settings.SITE_NAME,
        # Timings the browser needs (frontend/js/socket.js, presence.js).
        "SOCKET_PING_SECONDS": settings.SOCKET_PING_SECONDS,
        "PRESENCE_POLL_SECONDS": settings.PRESENCE_POLL_SECONDS,
    }
    if user is not None and user.is_authenticated:
        # A callable: the query runs only on pages that show the count.
        context["total_unread"] = lambda: total_unread(user)
        context["unread_notifications"] = lambda: unread_count(user.pk)
    return context
