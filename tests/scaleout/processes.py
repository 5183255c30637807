"""Real server processes for the scale-out and fault tests: started on
loopback, always stopped by pid, their output kept for failure reports."""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

START_SECONDS = 20.0
STOP_SECONDS = 10.0


@dataclass
class Daphne:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def url_of_test_database() -> str:
    """Return a DATABASE_URL that points another process at the test database."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite":
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail(
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
    pytest.fail(f"No DATABASE_URL spelling for a {connection.vendor} database.")


def start_daphne(port: int, env: dict[str, str], log: Path) -> Daphne:
    """Start Daphne as the Procfile's `web` process does, on loopback."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
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
                "intranet.asgi:application",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Daphne(port=port, process=process, log=log)


def wait_until_listening(daphne: Daphne) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        code = daphne.process.poll()
        if code is not None:
            pytest.fail(
                f"Daphne on port {daphne.port} exited with {code} before "
                f"listening:\n{daphne.output()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", daphne.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(
        f"Daphne on port {daphne.port} did not listen within {START_SECONDS:g} s:\n"
        f"{daphne.output()}"
    )


def stop(daphne: Daphne) -> None:
    process = daphne.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
    # Shown by pytest only when the test fails.
    print(f"--- Daphne on port {daphne.port} ---\n{daphne.output()}")
