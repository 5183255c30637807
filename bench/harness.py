"""Processes and clients for the benchmarks: loopback only, bounded in count
and time, everything the harness starts is stopped by pid (the processes and
sockets themselves come from testkit/, shared with the tests)."""

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection

from testkit.processes import (
    ROOT,
    RedisServer,
    Server,
    free_port,
    pin,
    start_daphne,
    stop,
    wait_for_port,
    wait_until_listening,
)
from testkit.sockets import open_socket

SERVER_CORE = 0
CLIENT_CORE = 1
RESULTS_DIR = ROOT / "bench" / "results"


def open_tab(url: str, cookie: str) -> Awaitable[ClientConnection]:
    """Open a socket as a tab does and read its hello. Without keepalive
    pings: thousands of idle sockets would otherwise measure their pings."""
    return open_socket(url, cookie, ping_interval=None)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a private redis-server on a spare loopback port."""
    workdir = Path(tempfile.mkdtemp(prefix="canteen-bench-redis-"))
    redis = RedisServer(
        workdir,
        core=SERVER_CORE,
        options=["--logfile", str(workdir / "redis.log"), "--maxclients", "20000"],
    )
    try:
        redis.start()
        yield f"{redis.url}?max_connections=2000"
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def daphne(env: dict[str, str], *, core: int = SERVER_CORE) -> Iterator[Server]:
    port = free_port()
    # Kept after the run (gitignored) for a look at the server's side.
    log = RESULTS_DIR / f"daphne-{core}-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_daphne(port, env, log, core=core, verbosity=0)
    try:
        wait_until_listening(server, timeout=30)
        yield server
    except BaseException:
        # The server's side of a failed run, before its log goes.
        print(f"--- Daphne log (last 6,000 characters of {log}):", file=sys.stderr)
        print(server.output()[-6000:], file=sys.stderr)
        raise
    finally:
        stop(server, echo=False)


@contextlib.contextmanager
def reference_server() -> Iterator[Server]:
    """The bare `websockets` server of bench/reference.py."""
    port = free_port()
    process = subprocess.Popen(
        [*pin(SERVER_CORE), sys.executable, "-m", "bench.reference", str(port)],
        cwd=ROOT,
    )
    server = Server(port, process, Path(os.devnull))
    try:
        wait_for_port(port, process, timeout=30)
        yield server
    finally:
        stop(server, echo=False)


@dataclass
class Recipient:
    """One socket that records when each numbered message arrives."""

    index: int
    ws: websockets.ClientConnection | None = None
    latencies: list[float] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0


async def read_messages(recipient: Recipient, mark: str) -> None:
    """Record latency (server accept -> frame read here) per `mark` message,
    until cancelled. Kept lean: at saturation this loop is the client's cost
    per delivery."""
    assert recipient.ws is not None
    try:
        async for raw in recipient.ws:
            now = time.time()
            event = json.loads(raw)
            if event.get("type") != "message.new":
                continue
            body = event["message"]["body"]
            if not body.startswith(mark):
                continue
            seq = int(body.rsplit(" ", 1)[1])
            if seq in recipient.seen:
                recipient.duplicates += 1
                continue
            recipient.seen.add(seq)
            recipient.latencies.append((now - event["accepted_at"]) * 1000)
    except websockets.ConnectionClosed:
        return


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
