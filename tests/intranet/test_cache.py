"""The Redis cache shares one connection pool per process."""

import asyncio
import contextvars
import uuid

import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache

from intranet.cache import RedisCache
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
