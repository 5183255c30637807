"""The in-process harness of the benches that time Django itself (feeds,
pages, onboarding, search): a PostgreSQL database of their own, Django set
up in this process with production settings (DEBUG=0), and requests or
calls timed on the wall clock with their statements counted apart
(capturing them costs time). Each bench keeps only what it measures."""

import functools
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import machine, percentile, utc_now

# Calls before a measure: caches, the connection pool, and whether it is there.
WARM_UPS = 3


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        [
            "psql",
            "-qAt",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def create_database(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


def stored_recipe(database: str) -> str | None:
    """The recipe a stored build was made with, kept as its comment."""
    found = psql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"  # noqa: S608
        f" WHERE datname = '{database}'"
    )
    return found or None


def set_up_django(database_url: str, redis_url: str | None = None) -> None:
    """Production settings on `database_url`; with `redis_url` as the
    cache and channel layer (publishing to a Daphne's Redis), else none."""
    os.environ.update(
        {
            # Production settings: DEBUG keeps every query and costs time.
            "DEBUG": "0",
            "SECRET_KEY": "canteen-bench-only-" + "x" * 40,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "intranet.settings",
        }
    )
    dropped = ["CHANNELS_URL", "CACHE_URL"]
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        dropped.append("REDIS_URL")
    for key in dropped:
        os.environ.pop(key, None)
    import django

    django.setup()
    from django.core.management import call_command

    # Production serves hashed static files from a manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def collect_as_a_server() -> None:
    """Collect the set-up's garbage once and tune the collector as
    intranet/asgi.py tunes Daphne's, so an in-process measurement of pages
    pays a server's collections, not a script's (untuned, full collections
    of the set-up's objects made the p95 of twenty requests 200 ms)."""
    import gc

    from intranet.config import tune_gc_for_a_server

    gc.collect()
    tune_gc_for_a_server()


def signed_in(user, **client_options):
    """A test client signed in as `user`, asking as a browser over HTTPS."""
    from django.test import Client

    client = Client(**client_options)
    client.force_login(user)
    return client


def get_ok(client, url: str):
    """A GET that must answer 200; return its response. A bench reads
    faster than any person: it spends no rate limit's tokens (the events
    API's limit answered 429 to a timed run, which then timed the 429)."""
    from intranet import ratelimit

    with ratelimit.exempt():
        response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return response


def wall_times(call: Callable[[], object], times: int) -> list[float]:
    """The wall clock of `times` calls, in ms."""
    took = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        took.append((time.perf_counter() - began) * 1000)
    return took


def count_queries(call: Callable[[], object]) -> int:
    """The statements one call runs, noted by an execute wrapper."""
    from django.db import connection

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return len(statements)


def timed(call: Callable[[], object], requests: int) -> dict[str, Any]:
    """A warmed-up call's p50/p95 over `requests` timed calls, and the
    statements it runs (counted in a pass of its own, before)."""
    queries = count_queries(call)
    times = wall_times(call, requests)
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "queries": queries,
    }


def timed_get(client, url: str, requests: int) -> dict[str, Any]:
    """timed() for a GET of `url`, warmed up already. Every answer must be
    200: a 429 or a 500 timed is a figure of the wrong path."""
    return timed(functools.partial(get_ok, client, url), requests)


def run_figures() -> dict[str, Any]:
    """Where and when a run was made: the head of every results file."""
    return {
        "machine": machine(),
        "started_at": utc_now(),
        # A shared box inflates wall-clock times: note how busy it was.
        "load_average": os.getloadavg(),
    }


def write_results(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str))


def print_requests(requests: dict, budget: Callable[[str], float]) -> None:
    """The heavy and the light user's requests, each against the p95
    budget of its kind."""
    columns = ("p50 ms", "p95 ms", "queries")
    print(f"{'request':<20} {'user':<6} " + " ".join(f"{c:>7}" for c in columns))
    for role in ("heavy", "light"):
        for name, f in requests[role].items():
            limit = budget(f["kind"])
            verdict = "ok" if f["p95_ms"] <= limit else "OVER"
            print(
                f"{name:<20} {role:<6} {f['p50_ms']:>7} {f['p95_ms']:>7}"
                f" {f['queries']:>7}  p95 ≤ {limit:g} {verdict}"
            )
