"""What each user's socket follows in feeds: their spaces and people."""

from dataclasses import dataclass, field

from feeds.models import Follow, SpaceMember
from intranet.sql import placeholders, rows, table


@dataclass
class Followed:
    """What a user's socket follows in feeds."""

    spaces: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


def followed_by_user(user_ids: list[int]) -> dict[int, Followed]:
    """Return each user's space ids and the ids of the people they follow,
    in one statement (every connect and every recheck asks; raw SQL as
    messaging's conversation_ids_by_user)."""
    result = {user_id: Followed() for user_id in user_ids}
    if not user_ids:
        return result
    marks = placeholders(user_ids)
    sql = (
        f"SELECT user_id, 0, space_id FROM {table(SpaceMember)}"  # noqa: S608
        f" WHERE user_id IN ({marks})"
        f" UNION ALL SELECT follower_id, 1, person_id FROM {table(Follow)}"
        f" WHERE follower_id IN ({marks})"
    )
    for user_id, kind, other in rows(sql, [*user_ids, *user_ids]):
        found = result[user_id]
        (found.spaces if kind == 0 else found.people).add(other)
    return result
