"""Presence: online, away or offline, kept in the cache (Redis in production).

Each open socket marks its user as seen when it connects and on every ping
(the browser pings every 25 s); a visible tab that is being used marks the
user active. Nothing is written to the database. Statuses are derived:

- online: seen in the last SEEN_WINDOW seconds and active in the last
  AWAY_AFTER seconds;
- away: seen recently but idle (or every tab hidden) for longer;
- offline: not seen for SEEN_WINDOW seconds (all sockets gone).

Clients poll GET /api/v1/presence for the people on screen: cheaper than a
company-wide broadcast on every change, as Zulip found.
"""

import time
from collections.abc import Iterable

from django.core.cache import cache

SEEN_WINDOW = 70  # a little over two missed pings
AWAY_AFTER = 5 * 60


def _key(user_id: int) -> str:
    return f"presence:{user_id}"


def mark_seen(user_id: int, *, active: bool, now: float | None = None) -> None:
    now = time.time() if now is None else now
    state = cache.get(_key(user_id)) or {"active_at": 0.0}
    state["seen_at"] = now
    if active:
        state["active_at"] = now
    cache.set(_key(user_id), state, timeout=AWAY_AFTER + SEEN_WINDOW)


def statuses(user_ids: Iterable[int], *, now: float | None = None) -> dict[int, str]:
    """Return {user id: "online" | "away" | "offline"}."""
    ids = list(dict.fromkeys(user_ids))
    states = cache.get_many([_key(i) for i in ids])
    now = time.time() if now is None else now
    result = {}
    for user_id in ids:
        state = states.get(_key(user_id))
        if not state or now - state["seen_at"] > SEEN_WINDOW:
            result[user_id] = "offline"
        elif now - state["active_at"] > AWAY_AFTER:
            result[user_id] = "away"
        else:
            result[user_id] = "online"
    return result
