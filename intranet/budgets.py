"""Per-socket budgets for inbound commands, kept in the socket's memory.

The per-person limits of services (intranet.ratelimit) guard stored writes
across every path; these guard the socket itself, so one script cannot fan
typing out to a big space hundreds of times a second or loop `sync`. No
shared store: a socket lives in one process.
"""

import math
import time

from intranet.plugins import Budget


class SocketBudgets:
    """One token bucket per command type of one socket."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, kind: str, budget: Budget, *, now: float | None = None) -> int:
        """Spend a token of `kind`; return 0, or the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, updated = self.buckets.get(kind, (float(budget.burst), now))
        tokens = min(float(budget.burst), tokens + (now - updated) * budget.per_second)
        if tokens < 1:
            self.buckets[kind] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / budget.per_second))
        self.buckets[kind] = (tokens - 1, now)
        return 0
