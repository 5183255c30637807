"""Presence: online, away or offline, kept in the cache (Redis in production).

Each open socket marks its user as seen when it connects and on every ping
(the browser pings every 25 s); a visible tab that is being used marks the
user active. Nothing is written to the database. Statuses are derived:

- online: seen in the last PRESENCE_SEEN_WINDOW seconds and active in the
  last PRESENCE_AWAY_AFTER seconds;
- away: seen recently but idle (or every tab hidden) for longer;
- offline: not seen for PRESENCE_SEEN_WINDOW seconds (all sockets gone).

Both windows are settings (read on each call, so tests can shorten them).
PRESENCE_SEEN_WINDOW must outlast two of the browser's pings
(SOCKET_PING_SECONDS), or an idle open tab would flicker offline.

Clients poll GET /api/v1/presence for the people on screen: cheaper than a
company-wide broadcast on every change, as Zulip found.
"""

import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache


def _key(user_id: int) -> str:
    return f"presence:{user_id}"


def mark_seen(user_id: int, *, active: bool, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if active:  # nothing to keep: one round trip to the cache, not two
        state = {"seen_at": now, "active_at": now}
    else:
        state = cache.get(_key(user_id)) or {"active_at": 0.0}
        state["seen_at"] = now
    timeout = settings.PRESENCE_AWAY_AFTER + settings.PRESENCE_SEEN_WINDOW
    cache.set(_key(user_id), state, timeout=timeout)


def statuses(user_ids: Iterable[int], *, now: float | None = None) -> dict[int, str]:
    """Return {user id: "online" | "away" | "offline"}."""
    ids = list(dict.fromkeys(user_ids))
    states = cache.get_many([_key(i) for i in ids])
    now = time.time() if now is None else now
    seen_window = settings.PRESENCE_SEEN_WINDOW
    away_after = settings.PRESENCE_AWAY_AFTER
    result = {}
    for user_id in ids:
        state = states.get(_key(user_id))
        if not state or now - state["seen_at"] > seen_window:
            result[user_id] = "offline"
        elif now - state["active_at"] > away_after:
            result[user_id] = "away"
        else:
            result[user_id] = "online"
    return result
