from django import template

from messaging.selectors import UNREAD_CAP

register = template.Library()


@register.filter
def badge_count(count: int) -> str:
    """Show a count as a badge does: "99+" from the cap up, since counts
    stop there (messaging.selectors.UNREAD_CAP)."""
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)
