"""Many idle sockets on one Daphne: memory and CPU per connection, the
connect rate, and a reconnect storm where every tab catches up."""

import asyncio
import json
import random
import time

import websockets

from bench.harness import Server, open_socket

ORIGIN = "http://127.0.0.1"
IDLE_SECONDS = 10.0
STORM_SECONDS = 10.0


async def connect_batched(url: str, cookies: list[str], batch: int = 200) -> list:
    sockets = []
    for start in range(0, len(cookies), batch):
        sockets += await asyncio.gather(
            *(open_socket(url, c, ORIGIN) for c in cookies[start : start + batch])
        )
    return sockets


async def resync(url: str, cookie: str, since: int, delay: float) -> tuple[str, float]:
    """Reconnect after `delay` as a dropped tab does, then catch up from
    `since`. Returns (outcome, seconds from the storm's start)."""
    await asyncio.sleep(delay)
    try:
        ws = await open_socket(url, cookie, ORIGIN)
    except websockets.InvalidStatus as exc:
        return f"http_{exc.response.status_code}", 0.0
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        return type(exc).__name__, 0.0
    try:
        await ws.send(json.dumps({"type": "sync", "since": since}))
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if event["type"] == "sync.batch" and not event["more"]:
                return "resynced", time.perf_counter()
            if event["type"] == "sync.batch":
                await ws.send(json.dumps({"type": "sync", "since": event["cursor"]}))
            elif event["type"] == "resync.required":
                return "resynced", time.perf_counter()
    except (TimeoutError, websockets.WebSocketException) as exc:
        return type(exc).__name__, 0.0
    finally:
        await ws.close()


async def idle_fleet(server: Server, cookies: list[str], since: int) -> dict:
    warm = await open_socket(server.url, cookies[0], ORIGIN)
    await warm.close()
    await asyncio.sleep(0.5)
    rss_before = server.rss_kib()

    started = time.perf_counter()
    sockets = await connect_batched(server.url, cookies)
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(1)
    rss_after = server.rss_kib()

    cpu_before = server.cpu_seconds()
    await asyncio.sleep(IDLE_SECONDS)
    idle_cpu = (server.cpu_seconds() - cpu_before) / IDLE_SECONDS

    # The storm: every tab drops, then each comes back at a random moment
    # within STORM_SECONDS (the browser's jittered backoff) and syncs.
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    storm_start = time.perf_counter()
    outcomes = await asyncio.gather(
        *(
            resync(server.url, c, since, random.uniform(0, STORM_SECONDS))
            for c in cookies
        )
    )
    counts: dict[str, int] = {}
    for outcome, _ in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    finished = [at for outcome, at in outcomes if outcome == "resynced"]
    count = len(cookies)
    return {
        "sockets": count,
        "connect_per_s": round(count / connect_seconds, 1),
        "rss_per_connection_kib": round((rss_after - rss_before) / count, 1),
        "rss_total_mib": round(rss_after / 1024, 1),
        "idle_cpu_percent": round(100 * idle_cpu, 1),
        "storm_outcomes": counts,
        "storm_resynced": counts.get("resynced", 0),
        "storm_all_resynced_s": round(max(finished) - storm_start, 1)
        if finished
        else None,
        "storm_5xx": sum(n for k, n in counts.items() if k.startswith("http_5")),
    }
