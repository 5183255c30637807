"""Processes and clients for the benchmarks: loopback only, bounded in count
and time, everything the harness starts is stopped by pid."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = 0
CLIENT_CORE = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pin(core: int) -> list[str]:
    """Return a taskset prefix that pins a command to `core`, if possible."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > core:
        return ["taskset", "-c", str(core)]
    return []


def wait_for_port(port: int, process: subprocess.Popen, log: Path, deadline=30.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"process on {port} exited:\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {deadline} s")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a private redis-server on a spare loopback port."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="canteen-bench-redis-"))
    log = workdir / "redis.log"
    process = subprocess.Popen(
        [
            *pin(SERVER_CORE),
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            str(log),
            "--maxclients",
            "20000",
        ],
    )
    try:
        wait_for_port(port, process, log)
        yield f"redis://127.0.0.1:{port}/0?max_connections=2000"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _raise_nofile() -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        parts = fields.split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(parts[11]) + int(parts[12])) / ticks


@contextlib.contextmanager
def daphne(env: dict[str, str], *, core: int = SERVER_CORE) -> Iterator[Server]:
    port = free_port()
    # Kept after the run (gitignored) for a look at the server's side.
    log = ROOT / "bench" / "results" / f"daphne-{core}-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *pin(core),
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "-v",
                "0",
                "--websocket-max-message-size",
                "1048576",
                "intranet.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_nofile,
        )
    try:
        wait_for_port(port, process, log)
        yield Server(port, process, log)
    except BaseException:
        # The server's side of a failed run, before its log goes.
        print(f"--- Daphne log (last 6,000 characters of {log}):", file=sys.stderr)
        print(log.read_text()[-6000:], file=sys.stderr)
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Recipient:
    """One socket that records when each numbered message arrives."""

    index: int
    ws: websockets.ClientConnection | None = None
    latencies: list[float] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0


async def open_socket(url: str, cookie: str):
    # As a page of the site would: the socket accepts only its own origin
    # (scheme, host and port).
    origin = "http://" + url.removeprefix("ws://").split("/", 1)[0]
    ws = await websockets.connect(
        url,
        additional_headers={"Cookie": cookie},
        origin=origin,  # type: ignore[arg-type]
        max_size=2**20,
        open_timeout=60,
        ping_interval=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
    if hello.get("type") != "hello":
        raise RuntimeError(f"expected hello, got {hello}")
    return ws


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
