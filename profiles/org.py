"""Who reports to whom: the management chain above a person."""

from intranet import sql
from profiles.models import User

# Deeper than any company's chart; a chain this long is a loop in the data.
MAX_LEVELS = 50

# One recursive query walks the chain, whatever its depth (PostgreSQL and
# SQLite both speak WITH RECURSIVE). It stops at a deactivated manager and
# after `limit` levels; a loop in the data repeats ids, cut in Python.
_CHAIN = """
WITH RECURSIVE chain(id, manager_id, depth) AS (
    SELECT m.id, m.manager_id, 1
    FROM {user} p JOIN {user} m ON m.id = p.manager_id AND m.is_active
    WHERE p.id = %s
    UNION ALL
    SELECT m.id, m.manager_id, chain.depth + 1
    FROM chain JOIN {user} m ON m.id = chain.manager_id AND m.is_active
    WHERE chain.depth < %s
)
SELECT id FROM chain ORDER BY depth
"""


def management_chain_ids(person: User, *, limit: int = MAX_LEVELS) -> list[int]:
    """Return the ids of `person`'s active managers, nearest first, up to
    the top, in one query.

    A loop in the data, which update_profile refuses but an import or the
    admin might make, ends the chain where it would come back; a
    deactivated manager ends it too, as they are shown as no one's.
    """
    if person.manager_id is None:
        return []
    chain: list[int] = []
    seen = {person.pk}
    for (manager_id,) in sql.rows(
        _CHAIN.format(user=sql.table(User)), [person.pk, limit]
    ):
        if manager_id in seen:
            break
        chain.append(manager_id)
        seen.add(manager_id)
    return chain


def management_chain(person: User, *, limit: int = MAX_LEVELS) -> list[User]:
    """Return `person`'s active managers, nearest first (two queries)."""
    ids = management_chain_ids(person, limit=limit)
    found = User.objects.select_related("department").in_bulk(ids)
    return [found[pk] for pk in ids]
