"""The capacity bench's load generator: Locust users, each a signed-in
employee with one socket, ramped in steps; run by bench/capacity/run.py
pinned to its own core.

    python -m bench.capacity.load SETTINGS.json OUT.json

Each employee opens the home page and a socket (a tab), pings every 10 s
as socket.js does, sends a message about once a minute (typing first; half
1:1, half in their busy space) and otherwise follows the day of
docs/capacity.md with Mattermost's think time between actions. Every HTTP
request and every socket measure goes through Locust's request event;
the listener here keeps the raw times so each step has exact percentiles.
"""

# Locust patches the standard library for gevent when it is imported;
# nothing that opens sockets may be imported before it.
import locust  # noqa: F401  # isort: skip

import itertools
import json
import random
import sys
import time
import uuid
from collections import defaultdict

import gevent
import gevent.event
import websocket
from locust import FastHttpUser, between, events, task
from locust.env import Environment

from bench.capacity import report

# Mattermost's ceiling tests: think time uniform 5.4 to 210.6 s (mean 108 s).
THINK_MIN_S, THINK_MAX_S = 5.4, 210.6
# The issue: a message about once a minute (exponential gaps).
SEND_EVERY_S = 60.0
PING_EVERY_S = 10.0  # socket.js HEARTBEAT_MS
# A delivery or an echo not there this long after the step is lost.
DRAIN_S = 5.0
CSRF = "capacitybench" + "x" * 19  # 32 characters, as Django's secret

SETTINGS: dict = {}
NEXT = itertools.count()
# index -> connection epoch, for connected employees only.
CONNECTED: dict[int, int] = {}
EPOCH: dict[int, int] = defaultdict(int)
# Employees whose tab is closed on purpose (close_tab_and_come_back).
AWAY: set[int] = set()
# Employees past on_start (signed in, socket open or given up).
STARTED = {"count": 0}
BUSY: dict[int, list[int]] = defaultdict(list)  # busy chat -> indices


class Record:
    """Raw figures, by wall-clock time, for the step windows."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, str, float, bool]] = []
        # client_id -> [sent_at, sender, {recipient: epoch}, got]
        self.sends: dict[str, list] = {}
        self.errors: list[tuple[float, str]] = []
        self.last_window_end = 0.0


RECORD = Record()


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, **_kw) -> None:
    RECORD.requests.append(
        (time.time(), request_type, name, response_time, exception is None)
    )
    if exception is not None:
        RECORD.errors.append((time.time(), f"{request_type} {name}: {exception}"))


def fire(kind: str, name: str, ms: float, error: str | None = None) -> None:
    events.request.fire(
        request_type=kind,
        name=name,
        response_time=ms,
        response_length=0,
        exception=Exception(error) if error else None,
        context={},
    )


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


def figures(t0: float, t1: float, users: int, cpu_s: float) -> dict:
    """The step's figures from the raw record between t0 and t1."""
    by_name: dict[str, list[float]] = defaultdict(list)
    http: list[float] = []
    failures = 0
    for at, kind, name, ms, ok in RECORD.requests:
        if not t0 <= at <= t1:
            continue
        if not ok:
            failures += 1
            continue
        by_name[name].append(ms)
        if kind != "WS":
            http.append(ms)
    errors = [e for at, e in RECORD.errors if t0 <= at <= t1]
    # What failed while the step's employees signed in (not in the verdict,
    # which is the window's; here to explain a step that lacks sockets).
    ramp_failures = [
        f"{kind} {name}"
        for at, kind, name, _ms, ok in RECORD.requests
        if not ok and at < t0 and at >= RECORD.last_window_end
    ]
    RECORD.last_window_end = t1
    lost = 0
    for sent_at, _sender, expect, got in RECORD.sends.values():
        if not t0 <= sent_at <= t1:
            continue
        for who, epoch in expect.items():
            # Someone who reconnected since catches up by sync instead.
            if who not in got and CONNECTED.get(who) == epoch:
                lost += 1
    sends = sum(1 for s in RECORD.sends.values() if t0 <= s[0] <= t1)
    overall = report.spread(http)
    delivery = report.spread(by_name.get("socket: send → delivery", []))
    sync = report.spread(by_name.get("socket: sync", []))
    return {
        "users": users,
        "users_connected": len(CONNECTED),
        "users_away": len(AWAY),
        "seconds": round(t1 - t0, 1),
        "requests": len(http),
        "requests_per_s": round(len(http) / (t1 - t0), 1),
        "messages_sent": sends,
        "http_p50_ms": overall["p50_ms"],
        "http_p95_ms": overall["p95_ms"],
        "http_p99_ms": overall["p99_ms"],
        "delivery_p50_ms": delivery["p50_ms"],
        "delivery_p99_ms": delivery["p99_ms"],
        "deliveries": delivery["n"],
        "sync_p50_ms": sync["p50_ms"],
        "sync_p95_ms": sync["p95_ms"],
        "syncs": sync["n"],
        "errors": failures + len(errors),
        "error_samples": errors[:5],
        "ramp_failures": len(ramp_failures),
        "ramp_failure_samples": sorted(set(ramp_failures))[:5],
        "lost": lost,
        "endpoints": {
            name: report.spread(values) for name, values in sorted(by_name.items())
        },
        "generator_cpu_percent": round(100 * cpu_s / (t1 - t0), 1),
    }


def main() -> None:
    with open(sys.argv[1]) as file:
        SETTINGS.update(json.load(file))
    out = sys.argv[2]
    environment = Environment(
        user_classes=[Employee], events=events, host=SETTINGS["http"]
    )
    runner = environment.create_local_runner()
    steps: list[dict] = []
    for users in SETTINGS["steps"]:
        runner.start(users, spawn_rate=SETTINGS["spawn_rate"])
        if runner.spawning_greenlet is not None:
            runner.spawning_greenlet.join()
        # The sign-in ramp is not measured: wait until every new employee
        # has its home page and socket, then let the server settle.
        deadline = time.monotonic() + 120
        while STARTED["count"] < users and time.monotonic() < deadline:
            gevent.sleep(0.2)
        gevent.sleep(SETTINGS["settle_seconds"])
        t0, cpu0 = time.time(), time.process_time()
        gevent.sleep(SETTINGS["step_seconds"])
        t1, cpu1 = time.time(), time.process_time()
        gevent.sleep(DRAIN_S)  # the window's last sends arrive
        step = figures(t0, t1, users, cpu1 - cpu0)
        step["window"] = [t0, t1]
        step["verdict"] = report.verdict(step)
        step["why"] = report.reasons(step)
        steps.append(step)
        print(
            f"    {users} employees: p95 {step['http_p95_ms']} ms, delivery p99 "
            f"{step['delivery_p99_ms']} ms, {step['errors']} errors, "
            f"{step['lost']} lost, generator {step['generator_cpu_percent']} % "
            f"→ {step['verdict']}",
            file=sys.stderr,
            flush=True,
        )
        # Keep what the next window needs only: the process holds 1,500
        # sockets and thousands of frames a second.
        RECORD.requests = [r for r in RECORD.requests if r[0] > t1]
        RECORD.errors = [e for e in RECORD.errors if e[0] > t1]
        RECORD.sends = {k: v for k, v in RECORD.sends.items() if v[0] > t1}
        with open(out, "w") as file:
            json.dump(steps, file)
        if step["verdict"] != "pass":
            break  # the capacity is found; more load would only hurt
    runner.quit()


if __name__ == "__main__":
    main()
