"""What feeds plugs into the socket: the spaces a user follows, and the
posts they had on screen (reach)."""

from feeds import events, selectors, services
from intranet.plugins import Budget, command, streams


@streams
def space_streams(user_ids: list[int]) -> dict[int, set[str]]:
    """A socket follows `space.<id>` for every space its user is in and
    `author.<id>` for every person its user follows (HR's acknowledgement
    counts come on HR's stream, profiles.realtime); the recheck drops a
    removed member's or an unfollowed person's within its interval."""
    return {
        user_id: {events.space_stream(s) for s in found.spaces}
        | {events.author_stream(p) for p in found.people}
        for user_id, found in selectors.followed_by_user(user_ids).items()
    }


# The browser batches what was on screen every few seconds.
SEEN_BUDGET = Budget(burst=10, per_second=1)


@command("posts.seen", events.SeenEvent, budget=SEEN_BUDGET)
def posts_seen(user, data: events.SeenEvent) -> None:
    services.mark_seen(user, post_ids=data.posts)
