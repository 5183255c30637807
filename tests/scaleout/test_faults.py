"""Nothing is lost when Redis or a Daphne process dies.

These start their own processes: a redis-server on a spare loopback port
(never the machine's shared one) and Daphne on the test database, both
ended by pid. The "tabs" are Python clients that behave like
frontend/static/frontend/js/chat.js: they keep unconfirmed sends and resend
them with the same client_id, reconnect with backoff, and sync from their
last cursor on every connect.
"""

import asyncio
import bisect
import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from messaging import services
from messaging.models import Message
from profiles.models import User
from testkit.processes import Server as Daphne
from testkit.processes import (
    start_daphne,
    stop,
    url_of_test_database,
    wait_until_listening,
)
from tests.base import free_port, services_required, session_cookie_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CATCH_UP_SECONDS = 15.0


class RedisProcess:
    """A private redis-server that can be stopped and restarted empty."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                import socket

                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            time.sleep(0.05)
        pytest.fail(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        problem = "redis-server is not installed: the fault tests start their own."
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {problem}")
        pytest.skip(problem)
    redis = RedisProcess(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def server_env(redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": url_of_test_database(),
        "CHANNELS_URL": redis_url,
        "REDIS_URL": redis_url,
        # Rate limits live in each process's memory here, not the Redis
        # that the test kills; and they must not refuse the test's stream.
        "CACHE_URL": "locmemcache://faults",
        "MESSAGE_SEND_BURST": "10000",
        "MESSAGE_SEND_PER_MINUTE": "100000",
        "SOCKET_SESSION_RECHECK_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def running(daphnes: list[Daphne]) -> Iterator[list[Daphne]]:
    try:
        for daphne in daphnes:
            wait_until_listening(daphne)
        yield daphnes
    finally:
        for daphne in daphnes:
            stop(daphne)


class Tab:
    """A browser tab, as chat.js behaves: echo, resend, reconnect, sync."""

    def __init__(self, name: str, ports: list[int], cookie: str, cursor: int) -> None:
        self.name = name
        self.ports = ports
        self.cookie = cookie
        self.cursor = cursor
        self.shown: dict[int, str] = {}  # message id -> body, as displayed
        self.order: list[int] = []
        self.pending: dict[str, dict] = {}  # client_id -> send event
        self.acked: dict[str, int] = {}  # client_id -> message id
        self.errors: list[dict] = []
        self.connects = 0
        self.ws: ClientConnection | None = None
        self.closed = asyncio.Event()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def close(self) -> None:
        self.closed.set()
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)

    def apply(self, event: dict) -> None:
        if isinstance(event.get("cursor"), int):
            self.cursor = max(self.cursor, event["cursor"])
        if event["type"] in {"message.new", "message.ack"}:
            message = event["message"]
            if message["id"] not in self.shown:  # idempotent, as chat.js
                self.shown[message["id"]] = message["body"]
                # Live events can overtake the replay after a reconnect:
                # like chat.js, place each message by id, not by arrival.
                bisect.insort(self.order, message["id"])
            if event["type"] == "message.ack":
                self.acked[event["client_id"]] = message["id"]
                self.pending.pop(event["client_id"], None)
        elif event["type"] == "sync.batch":
            for inner in event["events"]:
                self.apply(inner)
            self.cursor = max(self.cursor, event["cursor"])
        elif event["type"] == "error":
            self.errors.append(event)
            self.pending.pop(str(event.get("client_id")), None)

    async def run(self) -> None:
        attempt = 0
        while not self.closed.is_set():
            port = self.ports[attempt % len(self.ports)]
            try:
                async with connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    origin=Origin(f"http://127.0.0.1:{port}"),
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=3,
                    proxy=None,
                ) as ws:
                    self.ws = ws
                    async for raw in ws:
                        event = json.loads(raw)
                        if event["type"] == "hello":
                            attempt = 0
                            self.connects += 1
                            await ws.send(
                                json.dumps({"type": "sync", "since": self.cursor})
                            )
                            for send in list(self.pending.values()):
                                await ws.send(json.dumps(send))
                        else:
                            self.apply(event)
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError):
                pass
            self.ws = None
            if self.closed.is_set():
                return
            attempt += 1
            # Backoff with jitter, capped low: the test measures catch-up.
            await asyncio.sleep(
                min(2.0, 0.1 * 2**attempt) * (0.5 + os.urandom(1)[0] / 512)
            )

    async def send(self, conversation: int, body: str) -> str:
        client_id = uuid.uuid4().hex
        event = {
            "type": "message.send",
            "conversation": conversation,
            "body": body,
            "client_id": client_id,
        }
        self.pending[client_id] = event
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(json.dumps(event))
        return client_id


async def wait_until(condition, timeout: float) -> float:
    """Return the seconds `condition()` took to hold; fail after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:g} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def chat(alice: User, bob: User):
    conversation = services.get_or_create_direct(alice, other_id=bob.pk)
    cookies = {
        user.pk: f"{settings.SESSION_COOKIE_NAME}={session_cookie_for(user)}"
        for user in (alice, bob)
    }
    return conversation, cookies


def stored_bodies(conversation_id: int) -> dict[int, str]:
    return dict(
        Message.objects.filter(conversation_id=conversation_id).values_list(
            "id", "body"
        )
    )


async def test_redis_dying_for_ten_seconds_loses_and_duplicates_nothing(
    redis_process: RedisProcess, chat, alice: User, bob: User, tmp_path: Path
):
    conversation, cookies = chat
    port = free_port()
    daphne = start_daphne(port, server_env(redis_process.url), tmp_path / "d.log")
    with running([daphne]):
        sender = Tab("alice", [port], cookies[alice.pk], 0)
        tabs = [Tab(f"bob{n}", [port], cookies[bob.pk], 0) for n in range(2)]
        for tab in (sender, *tabs):
            tab.start()
        await wait_until(lambda: all(t.connects for t in (sender, *tabs)), 10)

        sent: list[str] = []

        async def stream(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                sent.append(await sender.send(conversation.pk, f"m{len(sent)}"))
                await asyncio.sleep(0.1)

        await stream(2)
        redis_process.stop()
        await stream(10)  # sends keep coming while Redis is away
        redis_process.start()  # back, and empty
        returned = time.monotonic()
        await stream(2)

        latest: dict[int, str] = {}

        async def refresh() -> None:
            while True:
                stored_now = await database_sync_to_async(stored_bodies)(
                    conversation.pk
                )
                latest.clear()
                latest.update(stored_now)
                await asyncio.sleep(0.2)

        def caught_up() -> bool:
            return (
                not sender.pending
                and bool(latest)
                and all(set(t.shown) == set(latest) for t in tabs)
            )

        refresher = asyncio.create_task(refresh())
        try:
            await wait_until(caught_up, CATCH_UP_SECONDS)
        finally:
            refresher.cancel()
        took = time.monotonic() - returned
        for tab in (sender, *tabs):
            await tab.close()

    stored = await database_sync_to_async(stored_bodies)(conversation.pk)
    # Every send is stored exactly once, or refused with a clear error.
    refused = {e.get("client_id") for e in sender.errors}
    assert all(e.get("message") for e in sender.errors)
    assert len(stored) == len(sent) - len(refused & set(sent))
    assert sorted(stored.values(), key=lambda b: int(b[1:])) == [
        f"m{n}" for n, cid in enumerate(sent) if cid not in refused
    ]
    # Every tab shows every stored message once, in order.
    for tab in tabs:
        assert tab.order == sorted(stored), tab.name
    assert took <= CATCH_UP_SECONDS


async def test_a_killed_daphne_loses_nothing_its_tabs_move_to_the_other(
    chat, alice: User, bob: User, tmp_path: Path
):
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    import redis as redis_client

    try:
        redis_client.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis_client.RedisError as exc:
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis does not answer: {exc}")
        pytest.skip(f"Redis does not answer ({exc}): two Daphnes need it.")
    conversation, cookies = chat
    ports = [free_port(), free_port()]
    env = server_env(redis_url)
    daphnes = [start_daphne(p, env, tmp_path / f"d{p}.log") for p in ports]
    with running(daphnes):
        victim, survivor = daphnes
        sender = Tab("alice", [survivor.port], cookies[alice.pk], 0)
        # Bob's tabs start on the victim and fail over to the survivor.
        tabs = [Tab(f"bob{n}", ports, cookies[bob.pk], 0) for n in range(2)]
        for tab in (sender, *tabs):
            tab.start()
        await wait_until(lambda: all(t.connects for t in (sender, *tabs)), 10)
        for n in range(10):
            await sender.send(conversation.pk, f"before {n}")
        await wait_until(lambda: all(len(t.shown) == 10 for t in tabs), 5)

        victim.process.send_signal(signal.SIGKILL)
        for n in range(20):
            await sender.send(conversation.pk, f"after {n}")
            await asyncio.sleep(0.05)
        await wait_until(lambda: not sender.pending, 10)
        stored = await database_sync_to_async(stored_bodies)(conversation.pk)
        await wait_until(lambda: all(set(t.shown) == set(stored) for t in tabs), 15)
        for tab in (sender, *tabs):
            await tab.close()

    assert len(stored) == 30
    for tab in tabs:
        assert tab.order == sorted(stored)
        assert tab.connects >= 2  # it really reconnected
