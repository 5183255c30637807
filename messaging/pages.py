"""What messaging offers other apps' pages (intranet.plugins)."""

from intranet.plugins import jinja_global
from messaging.selectors import UNREAD_CAP


@jinja_global
def badge_count(count: int) -> str:
    """Show a count as a badge does: "99+" from the cap up, since counts
    stop there (UNREAD_CAP)."""
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)
