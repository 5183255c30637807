"""A simulated employee of the capacity bench: a Locust user signed in with
one socket (a tab), who pings every 10 s as socket.js does, sends a message
about once a minute (typing first; half 1:1, half in their busy space) and
otherwise follows the day of docs/capacity.md with Mattermost's think time
between actions."""

# Locust patches the standard library for gevent when it is imported;
# nothing that opens sockets may be imported before it.
import locust  # noqa: F401  # isort: skip

import itertools
import json
import random
import time
import uuid
from collections import defaultdict

import gevent
import gevent.event
import websocket
from locust import FastHttpUser, between, task

from bench.capacity.record import AWAY, CONNECTED, RECORD, fire

# Mattermost's ceiling tests: think time uniform 5.4 to 210.6 s (mean 108 s).
THINK_MIN_S, THINK_MAX_S = 5.4, 210.6
# The issue: a message about once a minute (exponential gaps).
SEND_EVERY_S = 60.0
PING_EVERY_S = 10.0  # socket.js HEARTBEAT_MS
CSRF = "capacitybench" + "x" * 19  # 32 characters, as Django's secret

# The run's settings (bench/capacity/load.py reads them in).
SETTINGS: dict = {}
NEXT = itertools.count()
EPOCH: dict[int, int] = defaultdict(int)
# Employees past on_start (signed in, socket open or given up).
STARTED = {"count": 0}
BUSY: dict[int, list[int]] = defaultdict(list)  # busy chat -> indices


class Employee(FastHttpUser):
    wait_time = between(THINK_MIN_S, THINK_MAX_S)
    # A request slower than this is an error, not a slow answer.
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.n = next(NEXT)
        self.plan = SETTINGS["plans"][self.n]
        self.headers = {
            "Cookie": f"{self.plan['cookie']}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Origin": self.host,
        }
        self.ws: websocket.WebSocket | None = None
        self.connect_failures = 0
        self.cursor = 0
        self.known: dict[int, list[int]] = defaultdict(list)  # conv -> ids
        self.pending_pong: float | None = None
        self.synced: gevent.event.AsyncResult | None = None
        BUSY[self.plan["busy"]].append(self.n)
        self.get("/", "page: home")
        self.connect()
        self.greenlets = [gevent.spawn(self.pinger), gevent.spawn(self.sender)]
        STARTED["count"] += 1

    def on_stop(self) -> None:
        for greenlet in self.greenlets:
            greenlet.kill(block=False)
        self.disconnect()

    # HTTP ------------------------------------------------------------------

    def get(self, path: str, name: str):
        return self.call("GET", path, name)

    def call(self, method: str, path: str, name: str, body: dict | None = None):
        with self.client.request(
            method,
            path,
            name=name,
            headers=self.headers,
            json=body,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201, 204):
                response.failure(f"HTTP {response.status_code}")
                return None
            return response

    # The socket -------------------------------------------------------------

    def connect(self) -> None:
        started = time.perf_counter()
        try:
            ws = websocket.create_connection(
                SETTINGS["ws"],
                header=[f"Cookie: {self.plan['cookie']}"],
                origin=self.host,
                timeout=30,
            )
            hello = json.loads(ws.recv())
            if hello.get("type") != "hello":
                raise RuntimeError(f"expected hello, got {hello}")
        except Exception as exc:
            fire("WS", "socket: connect", _ms(started), f"{type(exc).__name__}")
            # A browser tries again (socket.js: full jitter, 0.5 s doubling
            # to 15 s); without this, a connect refused during the sign-in
            # ramp left the employee without a socket for good.
            self.connect_failures += 1
            backoff = min(15.0, 0.5 * 2 ** min(self.connect_failures, 5))
            gevent.spawn_later(random.uniform(0, backoff), self.connect)
            return
        self.connect_failures = 0
        fire("WS", "socket: connect", _ms(started))
        ws.settimeout(None)
        self.ws = ws
        EPOCH[self.n] += 1
        CONNECTED[self.n] = EPOCH[self.n]
        gevent.spawn(self.receive, ws)

    def disconnect(self) -> None:
        CONNECTED.pop(self.n, None)
        ws, self.ws = self.ws, None
        if ws is not None:
            ws.close()

    def send_json(self, event: dict) -> bool:
        if self.ws is None:
            return False
        try:
            self.ws.send(json.dumps(event))
            return True
        except (OSError, websocket.WebSocketException) as exc:
            fire("WS", f"socket: send {event['type']}", 0, type(exc).__name__)
            self.disconnect()
            # The tab sees its socket drop and comes back, as on a close.
            gevent.spawn_later(random.uniform(0.5, 2), self.reconnect_and_sync)
            return False

    def receive(self, ws: websocket.WebSocket) -> None:
        while True:
            try:
                raw = ws.recv()
            except (OSError, websocket.WebSocketException):
                break
            if not raw:
                break
            now = time.time()
            event = json.loads(raw)
            kind = event.get("type")
            self.cursor = max(self.cursor, event.get("cursor") or 0)
            if kind == "message.new":
                message = event["message"]
                self.known[message["conversation"]].append(message["id"])
                fire(
                    "WS", "socket: send → delivery", (now - event["accepted_at"]) * 1e3
                )
                sent = RECORD.sends.get(message.get("client_id") or "")
                if sent is not None:
                    sent[3].add(self.n)
            elif kind == "pong" and self.pending_pong is not None:
                fire("WS", "socket: ping → pong", (now - self.pending_pong) * 1e3)
                self.pending_pong = None
            elif kind in ("sync.batch", "resync.required") and self.synced:
                if kind == "resync.required" or not event.get("more"):
                    self.synced.set(True)
                else:
                    self.send_json({"type": "sync", "since": event["cursor"]})
            elif kind == "error":
                RECORD.errors.append((now, f"socket error: {event.get('message')}"))
        if self.ws is ws:
            # The server closed it: a tab comes back with its backoff.
            fire("WS", "socket: closed by server", 0, "closed")
            self.disconnect()
            gevent.sleep(random.uniform(0.5, 2))
            self.reconnect_and_sync()

    def pinger(self) -> None:
        gevent.sleep(random.uniform(0, PING_EVERY_S))
        while True:
            self.pending_pong = time.time()
            self.send_json({"type": "ping", "active": True})
            gevent.sleep(PING_EVERY_S)

    def sender(self) -> None:
        while True:
            gevent.sleep(random.expovariate(1 / SEND_EVERY_S))
            direct = self.plan["direct"]
            busy = random.random() < 0.5 or direct is None
            conversation = self.plan["busy"] if busy else direct
            if not self.send_json(
                {"type": "typing.start", "conversation": conversation}
            ):
                continue
            gevent.sleep(random.uniform(2, 6))  # typing
            client_id = f"cap-{uuid.uuid4().hex}"
            audience = BUSY[conversation] if busy else [self.n ^ 1]
            expect = {i: CONNECTED[i] for i in audience if i in CONNECTED}
            expect[self.n] = CONNECTED.get(self.n, -1)  # the echo
            # Noted before it goes: the echo may come back at once.
            RECORD.sends[client_id] = [time.time(), self.n, expect, set()]
            sent = self.send_json(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": f"Capacity bench, a message about lunch {client_id[-6:]}",
                    "client_id": client_id,
                }
            )
            if not sent:
                del RECORD.sends[client_id]

    def reconnect_and_sync(self) -> None:
        self.connect()
        self.synced = gevent.event.AsyncResult()
        started = time.perf_counter()
        if self.send_json({"type": "sync", "since": self.cursor}):
            try:
                self.synced.get(timeout=30)
                fire("WS", "socket: sync", _ms(started))
            except gevent.Timeout:
                fire("WS", "socket: sync", _ms(started), "no answer in 30 s")
        self.synced = None

    # The day (weights: docs/capacity.md's actions an hour, times 10) ---------------

    def conversation(self) -> int:
        plan = self.plan
        return random.choice(plan["conversations"] or [plan["busy"]])

    def history(self, conversation: int, before: int | None = None) -> list[int]:
        query = f"?before={before}" if before else ""
        response = self.get(
            f"/api/v1/conversations/{conversation}/messages{query}", "api: history"
        )
        if response is None:
            return []
        ids = [m["id"] for m in response.json()["messages"]]
        self.known[conversation].extend(ids)
        return ids

    @task(140)
    def open_conversation(self) -> None:
        conversation = self.conversation()
        self.get(f"/messages/{conversation}/", "page: conversation")
        ids = self.history(conversation)
        if ids:
            self.send_json(
                {"type": "read", "conversation": conversation, "message": max(ids)}
            )

    @task(43)
    def scroll_history(self) -> None:
        conversation = self.conversation()
        ids = self.history(conversation)
        for _ in range(random.randint(1, 4)):
            if not ids:
                break
            gevent.sleep(random.uniform(1, 10))
            ids = self.history(conversation, before=min(ids))

    @task(26)
    def thread_panel(self) -> None:
        conversation = self.conversation()
        ids = self.known[conversation] or self.history(conversation)
        if ids:
            self.get(f"/api/v1/messages/{random.choice(ids)}/thread", "api: thread")

    @task(22)
    def unread_check(self) -> None:
        self.get("/api/v1/conversations", "api: conversations")

    @task(21)
    def open_direct(self) -> None:
        other = random.choice(self.plan["people"])
        if other != self.plan["id"]:
            self.call(
                "POST",
                "/api/v1/conversations",
                "api: open a DM",
                {"kind": "direct", "members": [other]},
            )

    @task(7)
    def open_profile(self) -> None:
        self.get(f"/people/{random.choice(self.plan['people'])}/", "page: profile")

    @task(3)
    def close_tab_and_come_back(self) -> None:
        AWAY.add(self.n)
        self.disconnect()
        gevent.sleep(random.uniform(1, 10))
        self.reconnect_and_sync()
        AWAY.discard(self.n)

    @task(3)
    def react(self) -> None:
        conversation = self.conversation()
        ids = self.known[conversation] or self.history(conversation)
        if ids:
            self.send_json(
                {"type": "reaction.add", "message": random.choice(ids), "emoji": "👍"}
            )

    @task(2)
    def search(self) -> None:
        word = random.choice(self.plan["words"])
        self.get(f"/api/v1/search/messages?q={word}", "api: search")

    @task(10)
    def home_feed(self) -> None:
        self.get("/", "page: home")
        response = self.get("/api/v1/feed", "api: feed")
        older = response.json().get("next") if response is not None else None
        if older:
            gevent.sleep(random.uniform(1, 10))
            self.get(f"/api/v1/feed?before={older}", "api: feed")

    @task(5)
    def open_space(self) -> None:
        if self.plan["spaces"]:
            self.get(f"/spaces/{random.choice(self.plan['spaces'])}/", "page: space")

    @task(3)
    def react_to_post(self) -> None:
        if self.plan["posts"]:
            post = random.choice(self.plan["posts"])
            self.call(
                "POST",
                f"/api/v1/posts/{post}/reactions",
                "api: react to a post",
                {"emoji": "👍"},
            )

    @task(1)
    def comment(self) -> None:
        if self.plan["posts"]:
            post = random.choice(self.plan["posts"])
            self.call(
                "POST",
                f"/api/v1/posts/{post}/comments",
                "api: comment",
                {"body": "Capacity bench: agreed, see you there."},
            )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
