"""Many idle sockets on one Daphne: memory and CPU per connection, the
connect rate, and a reconnect storm where every tab catches up."""

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import websockets

from bench.harness import Server, open_socket

ORIGIN = "http://127.0.0.1"
IDLE_SECONDS = 10.0
STORM_SECONDS = 10.0
MAX_ATTEMPTS = 8


async def connect_batched(url: str, cookies: list[str], batch: int = 200) -> list:
    sockets = []
    for start in range(0, len(cookies), batch):
        sockets += await asyncio.gather(
            *(open_socket(url, c, ORIGIN) for c in cookies[start : start + batch])
        )
    return sockets


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
            await catch_up(url, cookie, since, seen)
            return {"done_at": time.perf_counter(), "failures": failures}
        except websockets.InvalidStatus as exc:
            failures.append(f"http_{exc.response.status_code}")
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            failures.append(type(exc).__name__)
        await asyncio.sleep(random.uniform(0, min(15.0, 0.5 * 2**attempt)))
    return {"done_at": None, "failures": failures}


async def catch_up(url: str, cookie: str, since: int, seen: list[int]) -> None:
    ws = await open_socket(url, cookie, ORIGIN)
    try:
        await ws.send(json.dumps({"type": "sync", "since": since, "seen": seen}))
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if event["type"] == "resync.required":
                return
            if event["type"] == "sync.batch":
                if not event["more"]:
                    return
                await ws.send(json.dumps({"type": "sync", "since": event["cursor"]}))
    finally:
        await ws.close()


async def idle_fleet(
    server: Server,
    cookies: list[str],
    since: int,
    seen: dict[str, list[int]],
    around: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> dict:
    """Connect every cookie's tab and let them idle, then drop them all and
    bring them back in a storm; `around` wraps the storm (to profile it)."""
    warm = await open_socket(server.url, cookies[0], ORIGIN)
    await warm.close()
    await asyncio.sleep(0.5)
    rss_before = server.rss_kib()

    started = time.perf_counter()
    cpu_at_start = server.cpu_seconds()
    sockets = await connect_batched(server.url, cookies)
    connect_seconds = time.perf_counter() - started
    connect_cpu = server.cpu_seconds() - cpu_at_start
    await asyncio.sleep(1)
    rss_after = server.rss_kib()

    cpu_before = server.cpu_seconds()
    await asyncio.sleep(IDLE_SECONDS)
    idle_cpu = (server.cpu_seconds() - cpu_before) / IDLE_SECONDS

    # The storm: every tab drops, then each comes back at a random moment
    # within STORM_SECONDS and syncs, retrying as the browser does.
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    storm_start = time.perf_counter()
    cpu_at_start = server.cpu_seconds()
    client_cpu_at_start = time.process_time()
    with around():
        outcomes = await asyncio.gather(
            *(
                resync(server.url, c, since, seen[c], random.uniform(0, STORM_SECONDS))
                for c in cookies
            )
        )
    storm_seconds = time.perf_counter() - storm_start
    storm_cpu = server.cpu_seconds() - cpu_at_start
    storm_client_cpu = time.process_time() - client_cpu_at_start
    failures: dict[str, int] = {}
    for outcome in outcomes:
        for failure in outcome["failures"]:
            failures[failure] = failures.get(failure, 0) + 1
    finished = [o["done_at"] for o in outcomes if o["done_at"] is not None]
    count = len(cookies)
    return {
        "sockets": count,
        "connect_per_s": round(count / connect_seconds, 1),
        # Near 100 %: the server's core is the limit; well below: a wait is.
        "connect_server_cpu_percent": round(100 * connect_cpu / connect_seconds, 1),
        "connect_server_cpu_ms_each": round(1000 * connect_cpu / count, 2),
        "rss_per_connection_kib": round((rss_after - rss_before) / count, 1),
        "rss_total_mib": round(rss_after / 1024, 1),
        "idle_cpu_percent": round(100 * idle_cpu, 1),
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
