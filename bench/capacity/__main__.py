"""make bench --only capacity: how many employees one box serves.

    python -m bench.capacity [--people 5000] [--steps 100 200 …]
                             [--setups embedded one two]

For each set-up (the embedded default: SQLite, in-memory layer, one
Daphne; production with one Daphne; two Daphnes behind HAProxy, both on
PostgreSQL and a private Redis), the company is cloned, the servers start
on the server cores and the Locust generator (bench/capacity/load.py) runs
on the last core, ramping simulated employees step by step until a step
fails the limits. Meanwhile this process samples the CPU of Daphne,
PostgreSQL's backends, Redis and HAProxy, their memory and the database's
connections each second. Figures go to bench/results/capacity.json, a
table and a PNG chart (docs/capacity.md).
"""

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.capacity import data, report
from bench.data import server_env
from bench.harness import daphne, redis_server
from testkit.processes import Server, free_port, pin, stop, wait_for_port
from testkit.processes import _raise_nofile as raise_nofile

ROOT = data.ROOT
RESULTS = data.RESULTS / "capacity.json"
CHART = data.RESULTS / "capacity.png"
STEPS = [100, 200, 400, 700, 1000, 1500]
SETUPS = {
    "embedded": "SQLite, in-memory layer, one Daphne",
    "one": "PostgreSQL + Redis, one Daphne",
    "two": "PostgreSQL + Redis, two Daphnes behind HAProxy",
}
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=data.FEEDS_PEOPLE)
    parser.add_argument("--steps", type=int, nargs="+", default=STEPS)
    parser.add_argument(
        "--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS)
    )
    parser.add_argument("--step-seconds", type=float, default=25.0)
    parser.add_argument("--settle-seconds", type=float, default=3.0)
    parser.add_argument(
        "--spawn-rate", type=float, default=40.0, help="sign-ins a second"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    server_cores, generator_core = cores()
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {generator_core})
    steps = sorted(s for s in args.steps if s < args.people)
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {"people": args.people},
        "limits": {
            "page_p95_ms": report.PAGE_P95_MS,
            "delivery_p99_ms": report.DELIVERY_P99_MS,
            "generator_cpu_percent": report.GENERATOR_CPU_LIMIT,
        },
        "cores": {"servers": server_cores, "generator": generator_core},
        "setups": kept_setups(args),
    }
    collect_static()
    for name in args.setups:
        print(f"{name}: {SETUPS[name]}", flush=True)
        if name == "two" and shutil.which("haproxy") is None:
            print(f"  {HAPROXY_MISSING}.", file=sys.stderr, flush=True)
            results["setups"][name] = {"error": HAPROXY_MISSING}
            continue
        began = time.perf_counter()
        setup = run_setup(name, args, steps, server_cores, generator_core)
        setup["seconds"] = round(time.perf_counter() - began)
        setup["load_average"] = os.getloadavg()
        results["setups"][name] = setup
        RESULTS.write_text(json.dumps(results, indent=2))
    results["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\nCanteen capacity, {args.people:,}-person company → {RESULTS}")
    print(report.table(results))
    print(f"Chart: {report.plot(results, CHART)}")


def kept_setups(args: argparse.Namespace) -> dict:
    """The last run's figures of the set-ups not run now, when it was at
    the same size: `--setups two` adds to a run instead of erasing it."""
    try:
        last = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}
    if last.get("data", {}).get("people") != args.people:
        return {}
    return {k: v for k, v in last["setups"].items() if k not in args.setups}


def collect_static() -> None:
    """Production pages need the hashed static files' manifest; it is
    made again only when a static file is newer (it takes a minute or
    two on busy cores)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [p for p in ROOT.glob("*/static/**/*") if p.is_file()]
    if manifest.exists() and all(
        p.stat().st_mtime < manifest.stat().st_mtime for p in sources
    ):
        return
    env = server_env("", "sqlite:///" + str(data.RESULTS / "unused.sqlite3"))
    env.pop("REDIS_URL")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_setup(
    name: str,
    args: argparse.Namespace,
    steps: list[int],
    server_cores: list[int],
    generator_core: int,
) -> dict:
    embedded = name == "embedded"
    db_url = data.clone(data.ensure_built(args.people, sqlite=embedded))
    with contextlib.ExitStack() as run:
        if embedded:
            env = server_env("", db_url)
            env.pop("REDIS_URL")  # the in-memory layer and cache
            redis = None
        else:
            redis_url = run.enter_context(redis_server())
            env = server_env(redis_url, db_url)
            redis = _redis_pid(redis_url)
        # TLS ends at the load balancer; here the bench speaks plain HTTP.
        env["SECURE_SSL_REDIRECT"] = "0"
        plans = make_plans(env, max(steps))
        servers = [
            run.enter_context(daphne(env, core=server_cores[n % len(server_cores)]))
            for n in range(2 if name == "two" else 1)
        ]
        front = servers[0]
        haproxy = None
        if name == "two":
            haproxy = run.enter_context(balancer(servers, server_cores[0]))
            front = haproxy
        sampler = Sampler(servers, redis, haproxy, database=not embedded)
        sampler.start()
        try:
            generated = generate(front, plans, steps, args, generator_core)
        finally:
            sampler.stop()
    for step in generated:
        step.update(sampler.over(*step["window"]))
    return {
        "description": SETUPS[name],
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "steps": generated,
        "capacity": report.capacity(generated),
    }


def make_plans(env: dict[str, str], count: int) -> list[dict]:
    """Each employee's plan, made in a process of its own: Django is set
    up once per process, and each set-up has its own database."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, "-m", "bench.capacity.data", "plan", str(count), out.name],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "intranet.settings"},
            check=True,
        )
        return json.loads(Path(out.name).read_text())


def generate(
    front: Server,
    plans: list[dict],
    steps: list[int],
    args: argparse.Namespace,
    core: int,
) -> list[dict]:
    base = f"http://127.0.0.1:{front.port}"
    with tempfile.TemporaryDirectory(prefix="canteen-capacity-") as workdir:
        settings = Path(workdir) / "settings.json"
        out = Path(workdir) / "steps.json"
        settings.write_text(
            json.dumps(
                {
                    "http": base,
                    "ws": front.url,
                    "plans": plans,
                    "steps": steps,
                    "spawn_rate": args.spawn_rate,
                    "settle_seconds": args.settle_seconds,
                    "step_seconds": args.step_seconds,
                }
            )
        )
        subprocess.run(
            [
                *pin(core),
                sys.executable,
                "-m",
                "bench.capacity.load",
                str(settings),
                str(out),
            ],
            cwd=ROOT,
            check=True,
        )
        return json.loads(out.read_text()) if out.exists() else []


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


def _redis_pid(url: str) -> int | None:
    port = url.split(":")[2].split("/")[0]
    found = subprocess.run(
        ["pgrep", "-f", f"redis-server.*{port}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return int(found[0]) if found else None


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


if __name__ == "__main__":
    main()
