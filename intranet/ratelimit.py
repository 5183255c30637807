"""Fixed-window rate limits in the cache (Redis in production).

Two windows give "a burst, then a steady rate": a short one caps bursts and
a long one caps the sustained rate. cache.incr is atomic in Redis, so
several processes share one count.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from intranet.errors import RateLimited


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int


def check_rate(scope: str, key: str | int, windows: tuple[Window, ...]) -> None:
    """Count one action of `key`; raise RateLimited if a window is full."""
    now = int(time.time())
    for window in windows:
        slot = now // window.seconds
        cache_key = f"rl:{scope}:{key}:{window.seconds}:{slot}"
        # add() is a no-op when the key exists, so this is race-free.
        cache.add(cache_key, 0, timeout=window.seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window.seconds + 1)
            count = 1
        if count > window.limit:
            retry_after = (slot + 1) * window.seconds - now
            raise RateLimited(
                f"You are sending too fast. Try again in {retry_after} s.",
                retry_after=max(retry_after, 1),
            )
