"""The capacity bench's sampler: each second, the CPU and memory of every
server part (Daphne, Redis, HAProxy, PostgreSQL's backends for the run's
database) and the database's connections; and their figures over a step's
window."""

import os
import subprocess
import threading
import time
from pathlib import Path

from bench.capacity import data
from testkit.processes import Server


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    """Each second: CPU seconds of every server part, their memory and the
    database's connections (PostgreSQL's backends for the run's
    database, found in pg_stat_activity)."""

    def __init__(
        self,
        servers: list[Server],
        redis: int | None,
        haproxy: Server | None,
        *,
        database: bool,
    ) -> None:
        super().__init__(daemon=True)
        self.parts: dict[str, list[int]] = {
            "daphne": [s.process.pid for s in servers],
            "redis": [redis] if redis else [],
            "haproxy": [haproxy.process.pid] if haproxy else [],
        }
        self.database = database
        self.samples: list[dict] = []
        self._done = threading.Event()
        # A backend's CPU so far, kept after it exits.
        self._backends: dict[int, float] = {}

    def run(self) -> None:
        while not self._done.wait(1.0):
            sample: dict = {"at": time.time()}
            for part, pids in self.parts.items():
                sample[part] = sum(_cpu_seconds(p) or 0.0 for p in pids)
            sample["rss_mib"] = sum(
                _rss_mib(p) for pids in self.parts.values() for p in pids
            )
            if self.database:
                pids = self._postgres_pids()
                for pid in pids:
                    seconds = _cpu_seconds(pid)
                    if seconds is not None:
                        self._backends[pid] = seconds
                sample["postgres"] = sum(self._backends.values())
                sample["db_connections"] = len(pids)
            self.samples.append(sample)

    def _postgres_pids(self) -> list[int]:
        out = subprocess.run(
            [
                "psql",
                "-qAt",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-c",
                "SELECT pid FROM pg_stat_activity "  # noqa: S608
                f"WHERE datname = '{data.CLONE}' AND pid <> pg_backend_pid()",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(line) for line in out.split()]

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)

    def over(self, t0: float, t1: float) -> dict:
        """CPU % of each part, peak memory and connections in [t0, t1]."""
        inside = [s for s in self.samples if t0 <= s["at"] <= t1]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        seconds = last["at"] - first["at"]
        figures: dict = {}
        for part in ("daphne", "redis", "haproxy", "postgres"):
            if part in first and self.parts.get(part, True):
                figures[f"{part}_cpu_percent"] = round(
                    100 * (last[part] - first[part]) / seconds, 1
                )
        figures["server_rss_mib"] = round(max(s["rss_mib"] for s in inside))
        if self.database:
            figures["db_connections"] = max(s["db_connections"] for s in inside)
        return figures
