"""Nothing is lost when Redis or a Daphne process dies, or Redis freezes.

These start their own processes: a redis-server on a spare loopback port
(never the machine's shared one) and Daphne on the test database, both
ended by pid; a freeze is SIGSTOP and SIGCONT to that redis-server. The
"tabs" are Python clients that behave like
frontend/static/frontend/js/chat.js: they keep unconfirmed sends and resend
them with the same client_id, reconnect with backoff, and sync from their
last cursor on every connect.
"""

import asyncio
import bisect
import concurrent.futures
import contextlib
import http.client
import json
import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin

from messaging import services
from messaging.models import Message
from profiles.models import User
from testkit.processes import (
    RedisServer,
    start_daphne,
    stop,
    url_of_test_database,
    wait_until_listening,
)
from testkit.processes import Server as Daphne
from tests.base import free_port, services_required, session_cookie_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CATCH_UP_SECONDS = 15.0
OUTAGE_SECONDS = 10.0
# docs/realtime.md: a tab hears of a lost layer (4503) within 5 s, and
# /healthz answers within 3 s whatever Redis does.
NOTICE_SECONDS = 5.0
HEALTHZ_SECONDS = 3.0


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        problem = "redis-server is not installed: the fault tests start their own."
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {problem}")
        pytest.skip(problem)
    redis = RedisServer(tmp_path)
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
        # The cache is that Redis too: sending must work while it is away.
        # The limits must not refuse the test's stream.
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
        self.closes: list[tuple[float, int | None]] = []  # (monotonic, code)
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
            opened: ClientConnection | None = None
            try:
                async with connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    origin=Origin(f"http://127.0.0.1:{port}"),
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=3,
                    proxy=None,
                ) as ws:
                    self.ws = opened = ws
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
                            if event["type"] == "sync.batch" and event["more"]:
                                # As chat.js does: a long catch-up comes in
                                # batches, each asked for.
                                await ws.send(
                                    json.dumps({"type": "sync", "since": self.cursor})
                                )
            # A browser retries whatever went wrong: a refused or reset
            # connection, a close, or a handshake cut short by a busy server.
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                pass
            if opened is not None:
                self.closes.append((time.monotonic(), opened.close_code))
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


async def wait_until(condition, timeout: float, state=lambda: "") -> float:
    """Return the seconds `condition()` took to hold; fail after `timeout`,
    saying what `state()` reports then."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:g} s {state()}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def ended(task: asyncio.Task | None) -> str:
    if task is None or not task.done():
        return "no"
    return "cancelled" if task.cancelled() else repr(task.exception())


def state(tabs: "list[Tab]", stored: dict[int, str]) -> str:
    """Where each tab is, for a failure message."""
    return "; ".join(
        f"{tab.name}: {tab.connects} connects, closes {[c for _, c in tab.closes]}, "
        f"{len(tab.pending)} pending, {len(set(stored) - set(tab.shown))} missing, "
        f"cursor {tab.cursor}, ended {ended(tab.task)}"
        for tab in tabs
    )


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


class Http:
    """Plain HTTP to one Daphne, each request on its own connection and
    thread, so that a slow answer holds up nothing else."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=64)

    def _request(self, method: str, path: str, body: dict | None, headers: dict):
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, payload, {**headers, "Host": "127.0.0.1"})
            response = conn.getresponse()
            data = response.read()
            return {
                "started": started,
                "took": time.monotonic() - started,
                "status": response.status,
                "type": response.getheader("Content-Type", ""),
                "retry_after": response.getheader("Retry-After"),
                "body": data,
            }
        finally:
            conn.close()

    def request(self, method: str, path: str, body=None, headers=None):
        return asyncio.get_running_loop().run_in_executor(
            self.pool, self._request, method, path, body, headers or {}
        )


@pytest.mark.parametrize("fault", ["restart", "freeze"])
async def test_redis_restarting_or_freezing_loses_nothing_and_says_so(
    redis_process: RedisServer, chat, alice: User, bob: User, tmp_path: Path, fault
):
    """Ten seconds without Redis, killed and restarted empty or frozen:
    people keep sending over the socket and REST, every send is stored
    (the database is up), tabs hear 4503 within seconds and catch up, and
    /healthz says 503 in time throughout."""
    conversation, cookies = chat
    port = free_port()
    daphne = start_daphne(port, server_env(redis_process.url), tmp_path / "d.log")
    http = Http(port)
    with running([daphne]):
        sender = Tab("alice", [port], cookies[alice.pk], 0)
        tabs = [Tab(f"bob{n}", [port], cookies[bob.pk], 0) for n in range(2)]
        for tab in (sender, *tabs):
            tab.start()
        await wait_until(lambda: all(t.connects for t in (sender, *tabs)), 10)

        sent: list[str] = []
        posts: list[asyncio.Future] = []
        probes: list[asyncio.Future] = []
        url = f"/api/v1/conversations/{conversation.pk}/messages"
        # A browser's fetch: its session, and the CSRF token it echoes.
        csrf = "c" * 32
        auth = {
            "Cookie": f"{cookies[alice.pk]}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
        }

        async def stream(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                sent.append(await sender.send(conversation.pk, f"m{len(sent)}"))
                body = {"body": f"r{len(posts)}", "client_id": f"rest-{len(posts)}"}
                posts.append(http.request("POST", url, body, auth))
                if len(sent) % 5 == 0:
                    probes.append(http.request("GET", "/healthz"))
                await asyncio.sleep(0.1)

        await stream(2)
        fault_at = time.monotonic()
        if fault == "restart":
            redis_process.stop()
        else:
            redis_process.freeze()
        await stream(OUTAGE_SECONDS)
        if fault == "restart":
            redis_process.start()  # back, and empty
        else:
            redis_process.thaw()
        returned = time.monotonic()
        await stream(2)
        answers = await asyncio.gather(*posts)
        health = await asyncio.gather(*probes)

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
            await wait_until(
                caught_up, CATCH_UP_SECONDS, lambda: state([sender, *tabs], latest)
            )
        finally:
            refresher.cancel()
        for tab in (sender, *tabs):
            await tab.close()
        http.pool.shutdown()

    stored = await database_sync_to_async(stored_bodies)(conversation.pk)
    # Over REST every answer is JSON: the send stored, or refused with an
    # error (none is: the database was up throughout).
    assert all(a["type"] == "application/json; charset=utf-8" for a in answers)
    refused = [a for a in answers if a["status"] not in {200, 201}]
    assert refused == [], refused[:3]
    rest_ids = {json.loads(a["body"])["id"] for a in answers}
    assert {stored[i] for i in rest_ids} == {f"r{n}" for n in range(len(posts))}
    # Over the socket every send is stored exactly once, or refused.
    refused_ids = {e.get("client_id") for e in sender.errors}
    assert all(e.get("message") for e in sender.errors)
    socket_bodies = sorted(
        (b for b in stored.values() if b.startswith("m")), key=lambda b: int(b[1:])
    )
    assert socket_bodies == [
        f"m{n}" for n, cid in enumerate(sent) if cid not in refused_ids
    ]
    # Every tab shows every stored message once, in order.
    for tab in tabs:
        assert tab.order == sorted(stored), tab.name
    # Every tab heard of the outage with 4503 within seconds, not at the
    # layer's read timeout.
    for tab in (sender, *tabs):
        first = next((at, code) for at, code in tab.closes if at >= fault_at)
        assert first[1] == 4503, (tab.name, tab.closes)
        assert first[0] - fault_at <= NOTICE_SECONDS, (tab.name, first[0] - fault_at)
    # /healthz answered every probe in time, and 503 all through the outage.
    # (Plus what the machine's load alone cost a probe before the fault: on
    # a loaded 2-core machine a healthy probe may take a second itself.)
    load = max(h["took"] for h in health if h["started"] < fault_at)
    slowest = max(h["took"] for h in health)
    assert slowest <= HEALTHZ_SECONDS + load, (slowest, load)
    during = [
        h
        for h in health
        if fault_at + 0.5 < h["started"] and h["started"] + h["took"] < returned
    ]
    assert during
    assert {h["status"] for h in during} == {503}, [
        (round(h["started"] - fault_at, 2), h["status"], h["body"])
        for h in during
        if h["status"] != 503
    ]


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
        await wait_until(
            lambda: not sender.pending, 10, lambda: state([sender, *tabs], {})
        )
        stored = await database_sync_to_async(stored_bodies)(conversation.pk)
        await wait_until(
            lambda: all(set(t.shown) == set(stored) for t in tabs),
            15,
            lambda: state([sender, *tabs], stored),
        )
        for tab in (sender, *tabs):
            await tab.close()

    assert len(stored) == 30
    for tab in tabs:
        assert tab.order == sorted(stored)
        assert tab.connects >= 2  # it really reconnected
