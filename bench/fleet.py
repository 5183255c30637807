"""Many idle sockets on one Daphne: memory and CPU per connection, the
connect rate, and a reconnect storm where every tab catches up."""

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import urlencode

import websockets

from bench.harness import open_tab
from testkit.processes import Server

IDLE_SECONDS = 10.0
# socket.js: an open tab pings at least this often (its heartbeat), and a
# pong slower than PONG_WITHIN_S marks the socket dead.
HEARTBEAT_SECONDS = 10.0
HEARTBEAT_ROUNDS = 3
PONG_WITHIN_S = 4.0
STORM_SECONDS = 10.0
MAX_ATTEMPTS = 8


async def connect_batched(tabs: list[tuple[str, str]], batch: int = 200) -> list:
    """Open a socket for each (url, cookie), `batch` at a time."""
    sockets = []
    for start in range(0, len(tabs), batch):
        sockets += await asyncio.gather(
            *(open_tab(url, c) for url, c in tabs[start : start + batch])
        )
    return sockets


async def heartbeat(ws, rounds: int) -> list[float | None]:
    """Ping as an idle browser tab does, at a random phase; the seconds each
    pong took, None for one that did not come within PONG_WITHIN_S."""
    took: list[float | None] = []
    await asyncio.sleep(random.uniform(0, HEARTBEAT_SECONDS))
    for _ in range(rounds):
        sent = time.perf_counter()
        await ws.send('{"type": "ping", "active": false}')
        try:
            async with asyncio.timeout(PONG_WITHIN_S):
                while json.loads(await ws.recv()).get("type") != "pong":
                    pass
            took.append(time.perf_counter() - sent)
        except TimeoutError:
            took.append(None)
        await asyncio.sleep(max(0.0, HEARTBEAT_SECONDS - (time.perf_counter() - sent)))
    return took


async def resync(
    url: str, cookie: str, since: int, seen: list[int], delay: float
) -> dict:
    """Come back after `delay` as a dropped tab does, retrying failed
    attempts with the browser's backoff (socket.js: full jitter, 0.5 s
    doubling to 15 s), then catch up from `since`, naming the cursors below
    it the tab has applied (`seen`), as chat.js does."""
    await asyncio.sleep(delay)
    failures: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        try:
            ws = await catch_up(url, cookie, since, seen)
            return {"done_at": time.perf_counter(), "failures": failures, "ws": ws}
        except websockets.InvalidStatus as exc:
            failures.append(f"http_{exc.response.status_code}")
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            failures.append(type(exc).__name__)
        await asyncio.sleep(random.uniform(0, min(15.0, 0.5 * 2**attempt)))
    return {"done_at": None, "failures": failures, "ws": None}


async def catch_up(url: str, cookie: str, since: int, seen: list[int]):
    """Connect and sync as a returning tab does (socket.js: its cursor in
    the socket's URL, so the server starts the catch-up with the connect);
    return the open socket (a tab stays connected: closing it would add a
    disconnect to the storm that no browser makes)."""
    query = {"since": since, **({"seen": ",".join(map(str, seen))} if seen else {})}
    ws = await open_tab(f"{url}?{urlencode(query)}", cookie)
    try:
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if event["type"] == "resync.required":
                return ws
            if event["type"] == "sync.batch":
                if not event["more"]:
                    return ws
                await ws.send(json.dumps({"type": "sync", "since": event["cursor"]}))
    except BaseException:
        await ws.close()
        raise


async def idle_fleet(
    servers: list[Server],
    cookies: list[str],
    since: int,
    seen: dict[str, list[int]],
    around: Callable[[], AbstractContextManager] = contextlib.nullcontext,
    heartbeats: bool = True,
) -> dict:
    """Connect every cookie's tab and let them idle, then drop them all and
    bring them back in a storm; `around` wraps the storm (to profile it).
    With several servers the tabs are dealt out in turn, as a load balancer
    would; memory and CPU are the servers' sums."""
    tabs = [(servers[n % len(servers)].url, c) for n, c in enumerate(cookies)]

    def cpu() -> float:
        return sum(server.cpu_seconds() for server in servers)

    def rss() -> int:
        return sum(server.rss_kib() for server in servers)

    for warm in await connect_batched(tabs[: len(servers)]):
        await warm.close()
    await asyncio.sleep(0.5)
    rss_before = rss()

    started = time.perf_counter()
    cpu_at_start = cpu()
    sockets = await connect_batched(tabs)
    connect_seconds = time.perf_counter() - started
    connect_cpu = cpu() - cpu_at_start
    await asyncio.sleep(1)
    rss_after = rss()

    cpu_before = cpu()
    await asyncio.sleep(IDLE_SECONDS)
    idle_cpu = (cpu() - cpu_before) / IDLE_SECONDS

    # Idle as browsers are: every tab's heartbeat (a ping, a pong).
    beats: dict = {}
    if heartbeats:
        cpu_before, began = cpu(), time.perf_counter()
        pongs = await asyncio.gather(
            *(heartbeat(ws, HEARTBEAT_ROUNDS) for ws in sockets)
        )
        took = sorted(t for each in pongs for t in each if t is not None)
        seconds = time.perf_counter() - began
        beats = {
            "heartbeat_cpu_percent": round(100 * (cpu() - cpu_before) / seconds, 1),
            "heartbeat_pong_p50_ms": round(1000 * took[len(took) // 2], 1),
            "heartbeat_pong_p99_ms": round(1000 * took[int(len(took) * 0.99)], 1),
            "heartbeat_pongs_missed": sum(t is None for each in pongs for t in each),
        }

    # The storm: every tab drops, then each comes back at a random moment
    # within STORM_SECONDS and syncs, retrying as the browser does.
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    storm_start = time.perf_counter()
    cpu_at_start = cpu()
    client_cpu_at_start = time.process_time()
    with around():
        outcomes = await asyncio.gather(
            *(
                resync(url, c, since, seen[c], random.uniform(0, STORM_SECONDS))
                for url, c in tabs
            )
        )
    storm_seconds = time.perf_counter() - storm_start
    storm_cpu = cpu() - cpu_at_start
    storm_client_cpu = time.process_time() - client_cpu_at_start
    await asyncio.gather(
        *(o["ws"].close() for o in outcomes if o["ws"] is not None),
        return_exceptions=True,
    )
    failures: dict[str, int] = {}
    for outcome in outcomes:
        for failure in outcome["failures"]:
            failures[failure] = failures.get(failure, 0) + 1
    finished = [o["done_at"] for o in outcomes if o["done_at"] is not None]
    count = len(cookies)
    return {
        "servers": len(servers),
        "sockets": count,
        "connect_per_s": round(count / connect_seconds, 1),
        # Near 100 %: the server's core is the limit; well below: a wait is.
        "connect_server_cpu_percent": round(100 * connect_cpu / connect_seconds, 1),
        "connect_server_cpu_ms_each": round(1000 * connect_cpu / count, 2),
        "rss_per_connection_kib": round((rss_after - rss_before) / count, 1),
        "rss_total_mib": round(rss_after / 1024, 1),
        "idle_cpu_percent": round(100 * idle_cpu, 1),
        **beats,
        "storm_resynced": len(finished),
        "storm_server_cpu_percent": round(100 * storm_cpu / storm_seconds, 1),
        # Near 100 %: the load generator, not the server, sets the pace.
        "storm_client_cpu_percent": round(100 * storm_client_cpu / storm_seconds, 1),
        "storm_failed_attempts": failures,
        "storm_5xx": sum(n for k, n in failures.items() if k.startswith("http_5")),
        "storm_all_resynced_s": round(max(finished) - storm_start, 1)
        if len(finished) == count
        else None,
    }
