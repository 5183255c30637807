"""What feeds plugs into the socket: the spaces a user follows, and the
posts they had on screen (reach)."""

from feeds import events, selectors, services
from intranet.plugins import Budget, command, streams


@streams
def space_streams(user_ids: list[int]) -> dict[int, set[str]]:
    """A socket follows `space.<id>` for every space its user is in; the
    recheck drops a removed member's within its interval."""
    found = selectors.space_ids_by_user(user_ids)
    return {
        user_id: {events.space_stream(s) for s in ids} for user_id, ids in found.items()
    }


# The browser batches what was on screen every few seconds.
SEEN_BUDGET = Budget(burst=10, per_second=1)


@command("posts.seen", events.SeenEvent, budget=SEEN_BUDGET)
def posts_seen(user, data: events.SeenEvent) -> None:
    services.mark_seen(user, post_ids=data.posts)
