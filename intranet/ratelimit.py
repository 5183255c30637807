"""Token-bucket rate limits kept in the cache (Redis in production).

A bucket holds up to `burst` tokens and refills at a steady rate: a person
can send a quick burst, then keeps the steady rate. Reading and writing the
bucket is not atomic, so simultaneous requests of one person may slip one or
two past the limit; that is fine for stopping floods, and no lock is taken
on the hot path.

A limit must never refuse a send for want of Redis: while Redis does not
answer, the cache keeps each process's buckets in its own memory
(intranet/cache.py), so a person's limit counts per process for a while.
"""

import contextlib
import contextvars
import math
import time
from collections.abc import Iterator

from django.core.cache import cache

from intranet.errors import RateLimited

# Set while the company's own processes write on a person's behalf (an HR
# import posting a welcome per starter): limits stop floods typed by people,
# not a list of forty starters.
_exempt: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ratelimit_exempt", default=False
)


@contextlib.contextmanager
def exempt() -> Iterator[None]:
    """Spend no tokens inside the block (a service's bulk work, never a
    request's own writes)."""
    token = _exempt.set(True)
    try:
        yield
    finally:
        _exempt.reset(token)


def take_token(scope: str, key: str | int, *, burst: int, per_minute: int) -> None:
    """Spend one token of `key`'s bucket or raise RateLimited."""
    if _exempt.get():
        return
    per_second = per_minute / 60
    cache_key = f"rl:{scope}:{key}"
    now = time.time()
    tokens, updated = cache.get(cache_key) or (float(burst), now)
    tokens = min(float(burst), tokens + max(0.0, now - updated) * per_second)
    if tokens < 1:
        retry_after = max(1, math.ceil((1 - tokens) / per_second))
        raise RateLimited(
            f"You are sending too fast. Try again in {retry_after} s.",
            retry_after=retry_after,
        )
    full_in = math.ceil(burst / per_second) + 1
    cache.set(cache_key, (tokens - 1, now), timeout=full_in)
