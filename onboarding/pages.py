"""What onboarding offers other apps' pages (intranet.plugins)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from intranet.plugins import jinja_global


@jinja_global
def make_task_link(kind: str, pk: int) -> SafeString:
    """ "Make this a task" for a post or a message: apps that show them call
    it from their partials, without knowing onboarding makes the task."""
    return format_html(
        '<a class="make-task" href="{}?{}={}">Make this a task</a>',
        reverse("onboarding:new_task"),
        kind,
        int(pk),
    )
