"""What feeds plugs into the socket: the spaces a user follows, and the
posts they had on screen (reach)."""

from feeds import events, services
from feeds.models import Follow, SpaceMember
from intranet.plugins import Budget, StreamQuery, command, streams
from intranet.sql import table


@streams
def space_streams() -> StreamQuery:
    """A socket follows `space.<id>` for every space its user is in and
    `author.<id>` for every person its user follows (HR's acknowledgement
    counts come on HR's stream, profiles.realtime); the recheck drops a
    removed member's or an unfollowed person's within its interval."""
    return StreamQuery(
        f"SELECT user_id, %s || space_id FROM {table(SpaceMember)}"  # noqa: S608
        " WHERE user_id IN (SELECT id FROM asked)"
        f" UNION ALL SELECT follower_id, %s || person_id FROM {table(Follow)}"
        " WHERE follower_id IN (SELECT id FROM asked)",
        (events.SPACE_STREAMS, events.AUTHOR_STREAMS),
    )


# The browser batches what was on screen every few seconds.
SEEN_BUDGET = Budget(burst=10, per_second=1)


@command("posts.seen", events.SeenEvent, budget=SEEN_BUDGET)
def posts_seen(user, data: events.SeenEvent) -> None:
    services.mark_seen(user, post_ids=data.posts)
