"""Two Daphne processes on one Redis deliver each other's events.

README.md promises that several `web` processes share PostgreSQL and Redis
and that an event published anywhere reaches the sockets every process
holds. This starts two real Daphne processes on the test database and one
Redis channel layer and proves it over real sockets. The in-memory layer
cannot do this, so the test needs Redis: without it the test skips, or
fails when REQUIRE_SERVICES=1.
"""

import asyncio
import http.client
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from websockets.asyncio.client import ClientConnection

from intranet.realtime import channel_message, encode, user_group
from intranet.settings import channel_layer_from_url
from messaging import services
from profiles.models import User
from testkit.personas import cookie_header
from testkit.processes import (
    Server,
    start_daphne,
    stop,
    url_of_test_database,
    wait_until_listening,
)
from testkit.sockets import dial
from tests.base import free_port, services_required, session_cookie_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# REDIS_URL when set (CI's second run), else a database of its own on the
# usual local Redis.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
REPLY_SECONDS = 5.0
DELIVERY_SECONDS = 1.0


@pytest.fixture
def redis_url() -> str:
    """Return the Redis URL for the test, failing or skipping if it is down."""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        # Never print the password a URL may carry.
        where = urlsplit(url).netloc.rpartition("@")[2]
        problem = (
            f"Redis at {where} does not answer ({exc}): two Daphne processes "
            "need it to share a channel layer. Start redis-server or set REDIS_URL."
        )
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {problem}")
        pytest.skip(problem)
    finally:
        client.close()
    return url


@pytest.fixture
def daphnes(
    redis_url: str, transactional_db: None, tmp_path: Path
) -> Iterator[list[Server]]:
    """Run two Daphne processes on the test database and one Redis.

    They stop before the test database is flushed, as this fixture depends
    on transactional_db.
    """
    env = {
        **os.environ,
        "DEBUG": "1",
        # Session data and the session auth hash are signed with it.
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": url_of_test_database(),
        "CHANNELS_URL": redis_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    started: list[Server] = []
    try:
        ports: set[int] = set()
        while len(ports) < 2:
            ports.add(free_port())
        for port in sorted(ports):
            started.append(start_daphne(port, env, tmp_path / f"daphne-{port}.log"))
        for daphne in started:
            wait_until_listening(daphne)
        yield started
    finally:
        for daphne in started:
            stop(daphne)


@pytest.fixture
def session_keys(alice: User, bob: User) -> dict[int, str]:
    # Signed in here, outside the event loop, where the ORM may run.
    return {user.pk: session_cookie_for(user) for user in (alice, bob)}


def get_healthz(daphne: Server) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", daphne.port, timeout=REPLY_SECONDS)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


async def receive(ws: ClientConnection, timeout: float = REPLY_SECONDS) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def open_socket(
    stack: AsyncExitStack, daphne: Server, user: User, session_key: str
) -> ClientConnection:
    """Open /ws/ as `user`, check hello and ping, and close it with `stack`."""
    ws = await stack.enter_async_context(
        dial(daphne.url, cookie_header(session_key), open_timeout=REPLY_SECONDS)
    )
    assert await receive(ws) == {"type": "hello", "user": user.pk}
    await ws.send(json.dumps({"type": "ping"}))
    assert await receive(ws) == {"type": "pong"}
    return ws


async def publish(layer: RedisChannelLayer, event: dict[str, Any], *, to: User) -> None:
    """Send `event` as intranet.realtime.publish() would, from this process."""
    group = user_group(to.pk)
    message = channel_message(group, encode(event), kind=event["type"])
    await asyncio.wait_for(layer.group_send(group, message), REPLY_SECONDS)


async def test_an_event_published_once_reaches_the_users_sockets_on_every_daphne(
    daphnes: list[Server],
    redis_url: str,
    alice: User,
    bob: User,
    session_keys: dict[int, str],
):
    for daphne in daphnes:
        status, body = await asyncio.to_thread(get_healthz, daphne)
        assert (status, body["status"]) == (200, "ok"), body

    # The layer every Daphne builds from the URL, so the prefix matches.
    config = channel_layer_from_url(redis_url)
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layer = RedisChannelLayer(**config["CONFIG"])

    async with AsyncExitStack() as stack:
        stack.push_async_callback(layer.close_pools)
        first, second = daphnes
        alice_sockets = {
            daphne.port: await open_socket(stack, daphne, alice, session_keys[alice.pk])
            for daphne in (first, second)
        }
        bob_socket = await open_socket(stack, second, bob, session_keys[bob.pk])

        # hello comes after group_add, so every socket is in its group now.
        event = {"type": "test.scaleout", "nonce": uuid.uuid4().hex}
        deliveries = {
            port: asyncio.create_task(receive(ws)) for port, ws in alice_sockets.items()
        }
        started = time.monotonic()
        await publish(layer, event, to=alice)
        left = max(0.0, DELIVERY_SECONDS - (time.monotonic() - started))
        _, pending = await asyncio.wait(deliveries.values(), timeout=left)
        for task in pending:
            task.cancel()
        late = [port for port, task in deliveries.items() if task in pending]
        assert not late, (
            f"Daphne on port(s) {late} did not deliver the event within "
            f"{DELIVERY_SECONDS:g} s"
        )
        assert [task.result() for task in deliveries.values()] == [event, event]

        # Bob's socket shares a process with one of Alice's but not her group:
        # his own event is the first thing he hears.
        bobs_event = {"type": "test.scaleout", "nonce": uuid.uuid4().hex}
        await publish(layer, bobs_event, to=bob)
        assert await receive(bob_socket) == bobs_event


async def test_a_message_sent_on_one_daphne_reaches_a_tab_on_the_other(
    daphnes: list[Server],
    alice: User,
    bob: User,
    session_keys: dict[int, str],
):
    conversation = await database_sync_to_async(services.get_or_create_direct)(
        alice, other_id=bob.pk
    )
    async with AsyncExitStack() as stack:
        first, second = daphnes
        sender = await open_socket(stack, first, alice, session_keys[alice.pk])
        recipient = await open_socket(stack, second, bob, session_keys[bob.pk])
        for n in range(5):
            client_id = uuid.uuid4().hex
            started = time.monotonic()
            await sender.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "conversation": conversation.pk,
                        "body": f"across processes {n}",
                        "client_id": client_id,
                    }
                )
            )
            event = await receive(recipient, timeout=DELIVERY_SECONDS)
            elapsed = time.monotonic() - started
            assert event["type"] == "message.new"
            assert event["message"]["client_id"] == client_id
            assert elapsed < DELIVERY_SECONDS
