from feeds.selectors.sidebar import space_summaries
from profiles.roles import can_announce


def spaces(request):
    """The sidebar's spaces with their unread marks: a callable, so only a
    page that renders the sidebar runs its one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_spaces": lambda: space_summaries(user),
        # A callable too: only a page that asks loads the permissions.
        "may_announce": lambda: can_announce(user),
    }
