"""Budgets for inbound socket commands, kept in the process's memory.

The per-person limits of services (intranet.ratelimit) guard stored writes
across every path; these guard the sockets themselves, so one script cannot
fan typing out to a big space hundreds of times a second or loop `sync`.
The buckets are a session's (a person's tabs in one browser), shared by its
sockets in this process, so a script that reconnects whenever it is closed
starts where it stopped, not with a fresh burst; being keyed by the session
cookie, they are known before the connect's first query. No shared store:
a socket lives in one process.
"""

import math
import time

from intranet.plugins import Budget


class SocketBudgets:
    """One token bucket per command type of one socket."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}
        self.used = time.monotonic()

    def take(self, kind: str, budget: Budget, *, now: float | None = None) -> int:
        """Spend a token of `kind`; return 0, or the seconds to wait."""
        now = time.monotonic() if now is None else now
        self.used = now
        tokens, updated = self.buckets.get(kind, (float(budget.burst), now))
        tokens = min(float(budget.burst), tokens + (now - updated) * budget.per_second)
        if tokens < 1:
            self.buckets[kind] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / budget.per_second))
        self.buckets[kind] = (tokens - 1, now)
        return 0


_by_session: dict[str, SocketBudgets] = {}
# Past this many sessions, buckets unused for IDLE_SECONDS are dropped: every
# bucket is full again by then, so forgetting one changes nothing.
KEEP = 10_000
IDLE_SECONDS = 600.0


def budgets_of(session_key: str) -> SocketBudgets:
    """The buckets of one session's sockets in this process."""
    budgets = _by_session.get(session_key)
    if budgets is None:
        if len(_by_session) >= KEEP:
            _forget_idle()
        budgets = _by_session[session_key] = SocketBudgets()
    return budgets


def _forget_idle() -> None:
    cutoff = time.monotonic() - IDLE_SECONDS
    for key in [k for k, b in _by_session.items() if b.used < cutoff]:
        del _by_session[key]
