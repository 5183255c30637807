"""Django's Redis cache with one connection pool per process.

Django keeps cache objects per context, and under ASGI every request and
every socket runs in a context of its own, so Django's Redis client, which
owns the connection pool, was made afresh for each: a new Redis connection
(and redis-py's CLIENT SETINFO handshake, which reads package metadata) for
every request, and one held open for every open socket. Django's fix is not
merged yet (django/django#18459). Here the client is shared per process;
redis-py's pools are thread-safe and start over after a fork.
"""

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

_clients: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self) -> Any:
        django: Any = self  # django-stubs leave out these private attributes
        key = (*django._servers, repr(sorted(django._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = django._class(django._servers, **django._options)
                # Made now, under the lock: Django makes them on first use
                # and two threads could each make (and keep) one.
                client._get_connection_pool(write=True)
                client._get_connection_pool(write=False)
                _clients[key] = client
        return client
