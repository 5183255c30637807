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
connections each second (bench/capacity/sampler.py; HAProxy and the cores
in bench/capacity/servers.py). Figures go to bench/results/capacity.json, a
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
import time
from pathlib import Path

from bench.capacity import data, report
from bench.capacity.sampler import Sampler
from bench.capacity.servers import HAPROXY_MISSING, balancer, cores, redis_pid
from bench.data import server_env
from bench.harness import daphne, redis_server, utc_now
from testkit.processes import Server, pin

ROOT = data.ROOT
RESULTS = data.RESULTS / "capacity.json"
CHART = data.RESULTS / "capacity.png"
STEPS = [100, 200, 400, 700, 1000, 1500]
SETUPS = {
    "embedded": "SQLite, in-memory layer, one Daphne",
    "one": "PostgreSQL + Redis, one Daphne",
    "two": "PostgreSQL + Redis, two Daphnes behind HAProxy",
}


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
        "started_at": utc_now(),
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
    results["finished_at"] = utc_now()
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
    env = embedded_env("sqlite:///" + str(data.RESULTS / "unused.sqlite3"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def embedded_env(db_url: str) -> dict[str, str]:
    """A server's environment without Redis: the in-memory layer and cache."""
    env = server_env("", db_url)
    env.pop("REDIS_URL")
    return env


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
            env = embedded_env(db_url)
            redis = None
        else:
            redis_url = run.enter_context(redis_server())
            env = server_env(redis_url, db_url)
            redis = redis_pid(redis_url)
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
        "finished_at": utc_now(),
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


if __name__ == "__main__":
    main()
