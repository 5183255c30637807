"""The capacity bench's servers: the cores they run on, HAProxy in front of
two Daphnes, and the private Redis's process for the sampler (Daphne and
Redis themselves start as in the other benches, bench/harness.py)."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from testkit.processes import Server, free_port, pin, stop, wait_for_port
from testkit.processes import _raise_nofile as raise_nofile

HAPROXY_MISSING = (
    "HAProxy is not installed: run `apt-get install -y haproxy` (Debian's "
    "package) for the two-Daphne set-up"
)


def cores() -> tuple[list[int], int]:
    """The server's cores and the generator's: the last core is the
    generator's alone (on a 2-core box the servers share core 0)."""
    count = os.cpu_count() or 1
    if count == 1:
        return [0], 0
    return list(range(count - 1)), count - 1


HAPROXY_CONFIG = """\
global
    # Two descriptors a connection: within the usual hard limit of 20,000.
    maxconn 8000
defaults
    mode http
    timeout connect 5s
    # A tab's socket is idle between pings (every 10 s): the tunnel
    # timeout keeps it, the client/server ones bound ordinary requests.
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
frontend canteen
    bind 127.0.0.1:{port}
    default_backend daphnes
backend daphnes
    # Round robin; a WebSocket upgrade passes through HTTP mode as is.
    balance roundrobin
{servers}
"""


@contextlib.contextmanager
def balancer(servers: list[Server], core: int) -> Iterator[Server]:
    """HAProxy in front of `servers`, from a generated configuration."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="canteen-haproxy-"))
    config = workdir / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(
            port=port,
            servers="\n".join(
                f"    server daphne{n} 127.0.0.1:{s.port} maxconn 10000"
                for n, s in enumerate(servers)
            ),
        )
    )
    log = workdir / "haproxy.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*pin(core), "haproxy", "-db", "-f", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_nofile,
        )
    server = Server(port, process, log)
    try:
        wait_for_port(port, process, timeout=10, log=log)
        yield server
    finally:
        stop(server, echo=False)
        shutil.rmtree(workdir, ignore_errors=True)


def redis_pid(url: str) -> int | None:
    port = url.split(":")[2].split("/")[0]
    found = subprocess.run(
        ["pgrep", "-f", f"redis-server.*{port}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return int(found[0]) if found else None
