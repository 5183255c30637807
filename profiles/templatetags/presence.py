"""{% presence_dot statuses user_id %}: a person's presence as a dot.

The dot is an image with a text name and a tooltip, never colour alone,
and its shape differs per state (filled, ring with a notch, ring).
frontend/js/presence.js keeps every dot on the page up to date.
"""

from collections.abc import Mapping

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

LABELS = {"online": "online", "away": "away", "offline": "offline"}


@register.simple_tag
def presence_dot(statuses: Mapping[int, str], user_id: int | None) -> SafeString:
    if user_id is None:
        return mark_safe("")
    state = statuses.get(user_id, "offline")
    label = LABELS.get(state, "offline")
    # Not format_html: a busy sidebar draws a hundred dots, and it took
    # most of their time. The id is a number, the labels are constants.
    return mark_safe(  # noqa: S308
        f'<span class="presence" data-presence-user="{int(user_id)}"'
        f' data-state="{escape(state)}" role="img" aria-label="{label}"'
        f' title="{label.capitalize()}"></span>'
    )
