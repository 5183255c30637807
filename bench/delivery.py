"""Messages through real sockets: send at a rate, time each delivery from
the server's accept to this client's read, count loss and duplicates."""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

import websockets

from bench.harness import Recipient, open_tab, percentile, read_messages

P99_BUDGET_MS = 250.0


async def connect_all(
    urls: list[str], cookies: list[str], batch: int = 100
) -> list[Recipient]:
    """Connect one socket per cookie, spread round-robin over `urls`."""
    recipients = [Recipient(i) for i in range(len(cookies))]
    for start in range(0, len(cookies), batch):
        sockets = await asyncio.gather(
            *(
                open_tab(urls[(start + i) % len(urls)], c)
                for i, c in enumerate(cookies[start : start + batch])
            )
        )
        for offset, ws in enumerate(sockets):
            recipients[start + offset].ws = ws
    return recipients


async def run_rate(
    sender_ws,
    recipients: list[Recipient],
    conversation: int,
    *,
    rate: float,
    seconds: float,
    mark: str,
) -> dict:
    """Send `rate` messages a second for `seconds`; return delivery figures."""
    for r in recipients:
        r.latencies.clear()
        r.seen.clear()
        r.duplicates = 0
    readers = [asyncio.create_task(read_messages(r, mark)) for r in recipients]
    count = max(1, round(rate * seconds))
    started = time.perf_counter()
    for seq in range(count):
        target = started + seq / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await sender_ws.send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": f"{mark} {seq}",
                    "client_id": f"{mark}-{seq}-{uuid.uuid4().hex[:8]}",
                }
            )
        )
    send_elapsed = time.perf_counter() - started
    # Drain: wait until everything arrived, or 5 s of silence.
    expected = count * len(recipients)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        if sum(len(r.seen) for r in recipients) >= expected:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    latencies = [v for r in recipients for v in r.latencies]
    delivered = sum(len(r.seen) for r in recipients)
    return {
        "rate_per_s": rate,
        "messages": count,
        "recipients": len(recipients),
        "deliveries": delivered,
        "lost": expected - delivered,
        "duplicates": sum(r.duplicates for r in recipients),
        "deliveries_per_s": round(delivered / max(elapsed, send_elapsed), 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


async def one_to_one(url: str, setup: dict, messages: int) -> dict:
    sender = await open_tab(url, setup["sender"])
    partner_ws = await open_tab(url, setup["partner"])
    partner = Recipient(0, partner_ws)
    stop = asyncio.Event()
    sent_at: dict[int, float] = {}
    e2e: list[float] = []

    async def read() -> None:
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(partner_ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.time()
            event = json.loads(raw)
            if event.get("type") != "message.new":
                continue
            seq = int(event["message"]["body"].rsplit(" ", 1)[1])
            partner.seen.add(seq)
            partner.latencies.append((now - event["accepted_at"]) * 1000)
            e2e.append((now - sent_at[seq]) * 1000)

    reader = asyncio.create_task(read())
    # One at a time, 20 a second: latency without queueing.
    for seq in range(messages):
        sent_at[seq] = time.time()
        await sender.send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": setup["direct"],
                    "body": f"direct {seq}",
                    "client_id": f"d-{seq}-{uuid.uuid4().hex[:8]}",
                }
            )
        )
        await asyncio.sleep(0.05)
    deadline = time.perf_counter() + 5
    while len(partner.seen) < messages and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await reader
    await sender.close()
    await partner_ws.close()
    return {
        "messages": messages,
        "lost": messages - len(partner.seen),
        "delivery_p50_ms": round(percentile(partner.latencies, 50), 1),
        "delivery_p95_ms": round(percentile(partner.latencies, 95), 1),
        "delivery_p99_ms": round(percentile(partner.latencies, 99), 1),
        "end_to_end_p50_ms": round(percentile(e2e, 50), 1),
        "end_to_end_p99_ms": round(percentile(e2e, 99), 1),
    }


async def crowd(
    urls: list[str],
    *,
    sender_cookie: str,
    cookies: list[str],
    conversation: int,
    rates: list[float],
    seconds: float,
    label: str,
    around: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> list[dict]:
    """Connect the crowd, then send at each rate; `around` wraps the sending
    (not the connecting), e.g. to profile it."""
    recipients = await connect_all(urls, cookies)
    sender = await open_tab(urls[0], sender_cookie)
    results = []
    try:
        for rate in rates:
            with around():
                result = await run_rate(
                    sender,
                    recipients,
                    conversation,
                    rate=rate,
                    seconds=seconds,
                    mark=f"{label}{rate:g}",
                )
            results.append(result)
    finally:
        await sender.close()
        await asyncio.gather(
            *(r.ws.close() for r in recipients if r.ws), return_exceptions=True
        )
    return results


async def saturate(
    urls: list[str],
    sender_cookie: str,
    cookies: list[str],
    conversation: int,
    *,
    seconds: float,
    label: str,
) -> dict:
    """Raise the send rate until p99 passes the budget or a message is lost."""
    recipients = await connect_all(urls, cookies)
    sender = await open_tab(urls[0], sender_cookie)
    best = None
    steps = []
    try:
        rate = 10.0
        while rate <= 320:
            result = await run_rate(
                sender,
                recipients,
                conversation,
                rate=rate,
                seconds=seconds,
                mark=f"{label}{rate:g}",
            )
            steps.append(result)
            if result["lost"] or result["p99_ms"] > P99_BUDGET_MS:
                break
            best = result
            rate *= 2
    finally:
        await sender.close()
        await asyncio.gather(
            *(r.ws.close() for r in recipients if r.ws), return_exceptions=True
        )
    return {
        "best_deliveries_per_s": best["deliveries_per_s"] if best else 0,
        "best_rate_per_s": best["rate_per_s"] if best else 0,
        "steps": steps,
    }


# "Hundreds a second" is the flood the budgets are for; ten times that,
# paced, so the flood costs the server and not this client's event loop
# (an unpaced writer starves the readers here and measures nothing).
FLOOD_FRAMES_PER_S = 2_000


async def flooded(url: str, setup: dict, messages: int) -> dict:
    """The 1:1 latency while the space's crowd is connected, first quiet,
    then while one member floods typing to the whole space and `sync
    since=0`, reconnecting whenever the server closes it: the per-socket
    budgets (intranet.budgets, the consumer's frame budget) must keep that
    flood from anyone else's p99."""
    recipients = await connect_all([url], setup["crowd"][1:])
    drains = [asyncio.create_task(_drain(r.ws)) for r in recipients]
    flooder_cookie = setup["crowd"][0]
    frames = [
        json.dumps({"type": "typing.start", "conversation": setup["space"]}),
        json.dumps({"type": "sync", "since": 0}),
    ]
    sent = closed = refused = 0
    stop = asyncio.Event()

    async def flood() -> None:
        nonlocal sent, closed, refused
        while not stop.is_set():
            ws = await open_tab(url, flooder_cookie)
            reader = asyncio.create_task(_count(ws, '"rate_limited"'))
            try:
                while not stop.is_set():
                    for _ in range(20):
                        await ws.send(frames[sent % 2])
                        sent += 1
                    await asyncio.sleep(20 / FLOOD_FRAMES_PER_S)
            except websockets.ConnectionClosed:
                closed += 1
            finally:
                reader.cancel()
                (counted,) = await asyncio.gather(reader, return_exceptions=True)
                refused += counted if isinstance(counted, int) else 0
                with contextlib.suppress(Exception):
                    await ws.close()

    try:
        quiet = await one_to_one(url, setup, messages)
        flooding = asyncio.create_task(flood())
        started = time.perf_counter()
        loud = await one_to_one(url, setup, messages)
        elapsed = time.perf_counter() - started
        stop.set()
        await asyncio.gather(flooding, return_exceptions=True)
    finally:
        for task in drains:
            task.cancel()
        await asyncio.gather(*drains, return_exceptions=True)
        await asyncio.gather(
            *(r.ws.close() for r in recipients if r.ws), return_exceptions=True
        )
    return {
        "crowd": len(recipients) + 1,
        "quiet_delivery_p99_ms": quiet["delivery_p99_ms"],
        "flooded_delivery_p99_ms": loud["delivery_p99_ms"],
        "flooded_lost": loud["lost"],
        "flood_frames_per_s": round(sent / elapsed, 1),
        "flood_refused": refused,
        "flood_closed": closed,
    }


async def _drain(ws) -> None:
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def _count(ws, needle: str) -> int:
    """Count the frames holding `needle` until the socket closes or this
    task is cancelled."""
    found = 0
    try:
        async for raw in ws:
            found += needle in raw
    except (websockets.ConnectionClosed, asyncio.CancelledError):
        pass
    return found
