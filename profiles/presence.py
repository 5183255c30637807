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

Sockets do not write their marks themselves: each process's PresenceWriter
gathers them and writes all that arrived meanwhile in one cache round trip,
off the database thread. A storm of 5,000 reconnects was 5,000 cache round
trips queued on that one thread, 14 % of the storm's CPU time.
"""

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(user_id: int) -> str:
    return f"presence:{user_id}"


def mark_seen(user_id: int, *, active: bool, now: float | None = None) -> None:
    mark_seen_many({user_id: active}, now=now)


def mark_seen_many(marks: dict[int, bool], *, now: float | None = None) -> None:
    """Mark each user seen now, and active where their mark says so.

    One cache round trip when every mark is active, two otherwise (an idle
    mark keeps the user's last activity)."""
    now = time.time() if now is None else now
    idle = [_key(user_id) for user_id, active in marks.items() if not active]
    kept = cache.get_many(idle) if idle else {}
    states = {}
    for user_id, active in marks.items():
        if active:
            state = {"seen_at": now, "active_at": now}
        else:
            state = kept.get(_key(user_id)) or {"active_at": 0.0}
            state["seen_at"] = now
        states[_key(user_id)] = state
    timeout = settings.PRESENCE_AWAY_AFTER + settings.PRESENCE_SEEN_WINDOW
    cache.set_many(states, timeout=timeout)


class PresenceWriter:
    """One process's presence marks, written in batches.

    A mark is written at once when nothing is being written; marks that
    arrive during a write go together in the next one, so a storm of
    connects costs a few round trips instead of one each. The writes run in
    a worker thread, never on the database thread that connects and sends
    queue on. A mark lost to a crash or a cache outage is refreshed by the
    tab's next ping.
    """

    def __init__(
        self, write: Callable[[dict[int, bool]], None] = mark_seen_many
    ) -> None:
        self.write = sync_to_async(write, thread_sensitive=False)
        self.marks: dict[int, bool] = {}
        self.task: asyncio.Task | None = None

    def note(self, user_id: int, *, active: bool) -> None:
        # One active tab makes its user active, whatever their other tabs say.
        self.marks[user_id] = active or self.marks.get(user_id, False)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain(), name="presence-writer")

    async def idle(self) -> None:
        """Wait until every mark noted so far is written (or failed)."""
        while self.task is not None and not self.task.done():
            await asyncio.shield(self.task)

    async def _drain(self) -> None:
        while self.marks:
            marks, self.marks = self.marks, {}
            try:
                await self.write(marks)
            except Exception:
                logger.warning("writing %d presence marks failed", len(marks))


_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PresenceWriter]" = (
    weakref.WeakKeyDictionary()
)


def local_writer() -> PresenceWriter:
    """Return this event loop's presence writer, creating it on first use."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = PresenceWriter()
    return writer


Status = Literal["online", "away", "offline"]


def statuses(user_ids: Iterable[int], *, now: float | None = None) -> dict[int, Status]:
    """Return {user id: "online" | "away" | "offline"}."""
    ids = list(dict.fromkeys(user_ids))
    states = cache.get_many([_key(i) for i in ids])
    now = time.time() if now is None else now
    seen_window = settings.PRESENCE_SEEN_WINDOW
    away_after = settings.PRESENCE_AWAY_AFTER
    result: dict[int, Status] = {}
    for user_id in ids:
        state = states.get(_key(user_id))
        if not state or now - state["seen_at"] > seen_window:
            result[user_id] = "offline"
        elif now - state["active_at"] > away_after:
            result[user_id] = "away"
        else:
            result[user_id] = "online"
    return result
