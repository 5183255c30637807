"""Django's Redis cache: one connection pool per process, and a fallback.

Django keeps cache objects per context, and under ASGI every request and
every socket runs in a context of its own, so Django's Redis client, which
owns the connection pool, was made afresh for each: a new Redis connection
(and redis-py's CLIENT SETINFO handshake, which reads package metadata) for
every request, and one held open for every open socket. Django's fix is not
merged yet (django/django#18459). Here the client is shared per process;
redis-py's pools are thread-safe and start over after a fork.

Redis is best effort (docs/realtime.md): what Canteen keeps in the cache
(rate-limit buckets, login attempts, presence) may be lost, but a Redis
that is down or frozen must not fail a request that the database can
serve. When Redis does not answer (settings bound each call to about a
second), this process keeps those entries in its own memory for
RETRY_SECONDS, logging once, then tries Redis again. A person's send limit
then counts per process for a while, which is loose but never a 500.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

# How long a process keeps to its own memory after Redis failed to answer,
# before one call tries Redis again.
RETRY_SECONDS = 5.0

# Errors that say Redis is unreachable, not that a call was wrong.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)

_clients: dict[tuple[str, ...], Any] = {}
_fallbacks: dict[tuple[str, ...], "Fallback"] = {}
_lock = threading.Lock()


class Fallback:
    """One process's memory for a Redis cache that does not answer."""

    def __init__(self, name: str) -> None:
        self.local = LocMemCache(f"redis-fallback:{name}", {})
        self.down_until = 0.0
        self.lock = threading.Lock()

    def use_redis(self) -> bool:
        """Return True if this call should try Redis.

        While Redis is marked down, only the first call after RETRY_SECONDS
        tries it; the others keep to memory instead of all waiting out a
        timeout at once."""
        if not self.down_until:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.down_until:
                return False
            self.down_until = now + RETRY_SECONDS
            return True

    def failed(self, error: Exception) -> None:
        with self.lock:
            first = not self.down_until
            self.down_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "the Redis cache does not answer (%r): this process keeps "
                "rate limits and presence in memory until it does",
                error,
            )

    def answered(self) -> None:
        if self.down_until:
            with self.lock:
                self.down_until = 0.0
            logger.warning("the Redis cache answers again")


def _with_fallback(name: str) -> Callable[..., Any]:
    redis_method = getattr(DjangoRedisCache, name)

    @functools.wraps(redis_method)
    def method(self: "RedisCache", *args: Any, **kwargs: Any) -> Any:
        fallback = self._fallback
        if fallback.use_redis():
            try:
                result = redis_method(self, *args, **kwargs)
            except UNREACHABLE as error:
                fallback.failed(error)
            else:
                fallback.answered()
                return result
        return getattr(fallback.local, name)(*args, **kwargs)

    return method


class RedisCache(DjangoRedisCache):
    @cached_property
    def _key(self) -> tuple[str, ...]:
        django: Any = self  # django-stubs leave out these private attributes
        return (*django._servers, repr(sorted(django._options.items())))

    @cached_property
    def _cache(self) -> Any:
        django: Any = self
        with _lock:
            client = _clients.get(self._key)
            if client is None:
                client = django._class(django._servers, **django._options)
                # Made now, under the lock: Django makes them on first use
                # and two threads could each make (and keep) one.
                client._get_connection_pool(write=True)
                client._get_connection_pool(write=False)
                _clients[self._key] = client
        return client

    @cached_property
    def _fallback(self) -> Fallback:
        with _lock:
            fallback = _fallbacks.get(self._key)
            if fallback is None:
                fallback = _fallbacks[self._key] = Fallback(self._key[0])
        return fallback

    # clear() is left out: it must never silently clear another store.
    add = _with_fallback("add")
    get = _with_fallback("get")
    set = _with_fallback("set")
    touch = _with_fallback("touch")
    delete = _with_fallback("delete")
    get_many = _with_fallback("get_many")
    has_key = _with_fallback("has_key")
    incr = _with_fallback("incr")
    set_many = _with_fallback("set_many")
    delete_many = _with_fallback("delete_many")
