"""PostgreSQL and Redis are really in use when CI says they are.

With REQUIRE_SERVICES=1 (CI's second run) each test fails unless its service
is configured and answers; a run that silently fell back to SQLite or the
in-memory layer would otherwise pass while proving nothing. Without it, a
service that is not configured is skipped; one that is configured must work.
"""

import uuid

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from intranet.health import check_channel_layer, check_database
from tests.base import services_required

pytestmark = pytest.mark.services

REDIS_CACHE_BACKENDS = {
    "intranet.cache.RedisCache",
    "django_redis.cache.RedisCache",
}


def require(configured: bool, problem: str) -> None:
    """Fail (REQUIRE_SERVICES=1) or skip with `problem` unless `configured`."""
    if configured:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {problem}")
    pytest.skip(problem)


@pytest.mark.django_db
def test_database_is_postgresql_and_answers():
    require(
        connection.vendor == "postgresql",
        f"the database is {connection.vendor}, not PostgreSQL: "
        "set DATABASE_URL=postgres://…",
    )
    problem = check_database()
    assert problem is None, problem
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    assert name == connection.settings_dict["NAME"]


def test_channel_layer_is_redis_and_round_trips_a_message():
    layer = get_channel_layer()
    require(
        isinstance(layer, RedisChannelLayer | RedisPubSubChannelLayer),
        f"the channel layer is {type(layer).__name__}, not channels_redis: "
        "set REDIS_URL or CHANNELS_URL=redis://…",
    )
    problem = check_channel_layer()
    assert problem is None, problem


def test_cache_is_redis_and_keeps_a_value():
    backend = settings.CACHES["default"]["BACKEND"]
    require(
        backend in REDIS_CACHE_BACKENDS,
        f"the cache is {backend}, not Redis: set REDIS_URL or CACHE_URL=redis://…",
    )
    key = f"test-services-{uuid.uuid4().hex}"
    value = {"checked": uuid.uuid4().hex}
    assert cache.get(key) is None
    try:
        cache.set(key, value, timeout=30)
        assert cache.get(key) == value
    finally:
        cache.delete(key)
    assert cache.get(key) is None
