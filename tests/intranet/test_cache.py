"""The Redis cache shares one connection pool per process, and a Redis
that is down or frozen never fails the request that uses the cache."""

import asyncio
import contextlib
import contextvars
import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache

from intranet.cache import RedisCache
from intranet.errors import RateLimited
from intranet.ratelimit import take_token
from profiles import presence
from tests.base import free_port
from tests.test_services import REDIS_CACHE_BACKENDS, require


def test_cache_objects_share_one_client_per_location_and_options():
    # What each ASGI request or socket gets: a cache object of its own.
    first = RedisCache("redis://127.0.0.1:6399/3", {})
    second = RedisCache("redis://127.0.0.1:6399/3", {})
    other = RedisCache("redis://127.0.0.1:6399/4", {})
    assert first._cache is second._cache
    assert first._cache._get_connection_pool(write=True) is (
        second._cache._get_connection_pool(write=True)
    )
    assert other._cache is not first._cache


def test_sockets_in_their_own_contexts_reuse_the_processes_redis_connection():
    backend = settings.CACHES["default"]["BACKEND"]
    require(
        backend in REDIS_CACHE_BACKENDS,
        f"the cache is {backend}, not Redis: set REDIS_URL or CACHE_URL=redis://…",
    )
    probe = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    prefix = f"test-cache-{uuid.uuid4().hex}"

    def connections_received() -> int:
        return probe.info("stats")["total_connections_received"]

    async def one_socket(n: int) -> None:
        await database_sync_to_async(cache.set)(f"{prefix}-{n}", n, 30)

    async def twenty_sockets() -> None:
        # Daphne starts each connection's application in a fresh context.
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(
                loop.create_task(one_socket(n), context=contextvars.Context())
                for n in range(20)
            )
        )

    cache.set(f"{prefix}-warm", 1, 30)
    before = connections_received()
    asyncio.run(twenty_sockets())
    # 20 with Django's own backend; at most a couple for the threads here.
    assert connections_received() - before <= 2
    assert cache.get(f"{prefix}-19") == 19


@pytest.fixture
def silent_redis() -> Iterator[socket.socket]:
    """A port that accepts connections and never answers: a frozen Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(100)
        yield server


def redis_cache_at(settings, location: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "intranet.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }


def test_sends_are_still_rate_limited_per_process_while_redis_is_down(settings, caplog):
    redis_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    for _ in range(3):
        take_token("test-down", 1, burst=3, per_minute=1)
    with pytest.raises(RateLimited):
        take_token("test-down", 1, burst=3, per_minute=1)
    take_token("test-down", 2, burst=3, per_minute=1)  # another person's bucket
    warnings = [r for r in caplog.records if r.name == "intranet.cache"]
    assert len(warnings) == 1  # logged once, not once a call
    assert "does not answer" in warnings[0].getMessage()


def test_a_frozen_redis_costs_one_timeout_then_memory_answers(
    settings, silent_redis: socket.socket
):
    port = silent_redis.getsockname()[1]
    redis_cache_at(settings, f"redis://127.0.0.1:{port}/0")
    for n in range(20):
        take_token("test-frozen", n, burst=3, per_minute=60)
    assert presence.statuses([1]) == {1: "offline"}
    presence.mark_seen(1, active=True)
    assert presence.statuses([1]) == {1: "online"}
    # One call waited for Redis; the others kept to memory meanwhile
    # instead of each waiting out the timeout.
    silent_redis.settimeout(0)
    tried = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            silent_redis.accept()[0].close()
            tried += 1
    assert tried == 1


def test_the_cache_goes_back_to_redis_when_it_answers(settings, monkeypatch):
    backend = settings.CACHES["default"]["BACKEND"]
    require(
        backend in REDIS_CACHE_BACKENDS,
        f"the cache is {backend}, not Redis: set REDIS_URL or CACHE_URL=redis://…",
    )
    location = settings.CACHES["default"]["LOCATION"]
    probe = redis.Redis.from_url(location)
    key = f"test-cache-{uuid.uuid4().hex}"
    fallback = cache._fallback  # type: ignore[attr-defined]
    fallback.failed(redis.ConnectionError("as if Redis had gone"))
    cache.set(key, 1, 30)  # kept in memory meanwhile
    assert probe.exists(cache.make_key(key)) == 0
    monkeypatch.setattr(fallback, "down_until", time.monotonic() - 1)
    cache.set(key, 2, 30)
    assert probe.exists(cache.make_key(key)) == 1
    assert cache.get(key) == 2
    cache.delete(key)
