"""Real server processes on loopback: Daphne as the Procfile runs it and a
private redis-server on a spare port (never the machine's shared one).
Each is ended by its pid; Daphne's output goes to a log kept for reports.
"""

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
# A healthy start takes a few seconds; two Daphnes importing Django at once
# on a 2-core machine that runs other work took over 20. Waiting longer
# costs nothing when the start is quick.
START_SECONDS = 60.0
STOP_SECONDS = 10.0


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pin(core: int | None) -> list[str]:
    """A taskset prefix that pins a command to `core`, when it can."""
    if core is not None and shutil.which("taskset") and (os.cpu_count() or 1) > core:
        return ["taskset", "-c", str(core)]
    return []


def _raise_nofile() -> None:
    """Let a server hold thousands of sockets (run in the child)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


@dataclass
class Server:
    """A server process listening on `port`, its output in `log`."""

    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

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


def start_daphne(
    port: int,
    env: dict[str, str],
    log: Path,
    *,
    core: int | None = None,
    verbosity: int | None = None,
) -> Server:
    """Start Daphne as the Procfile's `web` process does, on loopback;
    pinned to `core` if given. Wait for it with wait_until_listening()."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *pin(core),
                sys.executable,
                "-m",
                "daphne",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--proxy-headers",
                "--websocket-max-message-size",
                "1048576",
                *(["-v", str(verbosity)] if verbosity is not None else []),
                "intranet.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_nofile,
        )
    return Server(port=port, process=process, log=log)


def wait_until_listening(server: Server, timeout: float = START_SECONDS) -> None:
    """Return once `server` accepts connections; raise if it exits first or
    is still not listening after `timeout` seconds."""
    wait_for_port(server.port, server.process, timeout=timeout, log=server.log)


def wait_for_port(
    port: int,
    process: subprocess.Popen,
    *,
    timeout: float = START_SECONDS,
    log: Path | None = None,
) -> None:
    def output() -> str:
        return log.read_text(errors="replace")[-6000:] if log else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise RuntimeError(
                f"The process for port {port} exited with {code} before "
                f"listening:\n{output()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(
        f"Nothing listens on port {port} after {timeout:g} s:\n{output()}"
    )


def stop(server: Server, *, echo: bool = True) -> None:
    """End `server` by pid (SIGTERM, then SIGKILL); with `echo`, print its
    output (pytest shows it only when the test fails)."""
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
    if echo:
        print(f"--- Daphne on port {server.port} ---\n{server.output()}")


class RedisServer:
    """A private redis-server on a spare loopback port, keeping nothing on
    disk; it can be stopped and started again (empty) on the same port."""

    def __init__(
        self, workdir: Path, *, core: int | None = None, options: Sequence[str] = ()
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.core = core
        self.options = list(options)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *pin(self.core),
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
                *self.options,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, timeout=10)

    def freeze(self) -> None:
        """Stop answering without closing a connection: a stalled host."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen one too
            self.process.terminate()
            self.process.wait(timeout=STOP_SECONDS)


def url_of_test_database() -> str:
    """A DATABASE_URL that points another process at this process's
    (test) database."""
    from django.db import connection

    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite":
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError(
                f"The test database {name!r} is in memory, which another process "
                "cannot open: intranet/settings.py should make it a file."
            )
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        auth = ""
        if db["USER"]:
            auth = quote(db["USER"], safe="")
            if db["PASSWORD"]:
                auth += ":" + quote(db["PASSWORD"], safe="")
            auth += "@"
        host = db["HOST"] or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"
    raise RuntimeError(f"No DATABASE_URL spelling for a {connection.vendor} database.")
