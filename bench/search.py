"""make bench --only search: the one search on a big company's data.

Builds the demo company at --people in its own PostgreSQL database
(canteen_bench_search), kept and reused while its recipe (the demo modules,
the migrations, the arguments) is unchanged. Then, for a heavy user (the
demo login, in the most spaces and conversations) and a light one (in the
fewest), the server time (p50/p95 of the wall clock) and queries of
search_everything() for one-word, two-word and phrase queries, and of the
`/search/` page for the one-word query. Figures go to
bench/results/search.json and a table; the target is p95 ≤ 100 ms.
"""

import argparse
import functools
import time
from collections.abc import Callable
from typing import Any

from bench.harness import ROOT, percentile
from bench.inprocess import (
    collect_as_a_server,
    create_database,
    psql,
    run_figures,
    set_up_django,
    stored_recipe,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "search.json"
DATABASE = "canteen_bench_search"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
P95_MS = 100.0
RECIPE = ["profiles/demo.py", "feeds/demo.py", "messaging/demo.py"]
# Words the demo company writes often, and a phrase it writes.
QUERIES = {
    "one word": "planning",
    "two words": "team lunch",
    "phrase": '"release notes"',
}


def recipe(args: argparse.Namespace) -> str:
    import hashlib

    digest = hashlib.sha256(f"{args.people}:{args.seed}".encode())
    migrations = sorted(ROOT.glob("*/migrations/0*.py"))
    for path in [*(ROOT / p for p in RECIPE), *migrations]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("demo_company", size=args.people, seed=args.seed, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def people() -> dict[str, Any]:
    from django.db.models import Count

    from profiles.demo import DEMO_LOGIN
    from profiles.models import User

    heavy = User.objects.get(email=DEMO_LOGIN)
    light = (
        User.objects.exclude(pk=heavy.pk)
        .annotate(n=Count("space_memberships", distinct=True))
        .filter(n__gte=1)
        .order_by("n", "pk")
        .first()
    )
    assert light is not None
    return {"heavy": heavy, "light": light}


def measure(requests: int) -> dict[str, Any]:
    collect_as_a_server()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from frontend.search import Filters, search_everything
    from messaging.models import Membership, Message

    settings.ALLOWED_HOSTS = ["*"]
    figures: dict[str, Any] = {"counts": {"messages": Message.objects.count()}}
    for role, person in people().items():
        figures[role] = {
            "user": person.pk,
            "spaces": person.space_memberships.count(),
            "conversations": Membership.objects.filter(user=person).count(),
        }
        client = Client()
        client.force_login(person)
        calls: dict[str, Callable[[], object]] = {
            name: functools.partial(search_everything, person, query, Filters())
            for name, query in QUERIES.items()
        }
        calls["page, one word"] = functools.partial(
            client.get, "/search/", {"q": QUERIES["one word"]}, secure=True
        )
        for name, call in calls.items():
            for _ in range(3):
                call()  # warm
            with CaptureQueriesContext(connection) as queries:
                answer = call()
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                call()
                times.append((time.perf_counter() - began) * 1000)
            figure: dict[str, Any] = {
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "queries": len(queries.captured_queries),
            }
            if isinstance(answer, list):
                figure["counts"] = {g.kind: g.count for g in answer}
            figures[role][name] = figure
            print(f"  {role} {name}: {figure}", flush=True)
    return figures


def print_table(results: dict) -> None:
    print(f"\nCanteen search on PostgreSQL → {RESULTS.relative_to(ROOT)}")
    print(f"{'query':<16} {'user':<6} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}")
    for role in ("heavy", "light"):
        for name, f in results["requests"][role].items():
            if not isinstance(f, dict):
                continue
            verdict = "ok" if f["p95_ms"] <= P95_MS else "OVER"
            print(
                f"{name:<16} {role:<6} {f['p50_ms']:>7} {f['p95_ms']:>7}"
                f" {f['queries']:>7}  p95 ≤ {P95_MS:g} {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rebuild", action="store_true", help="never reuse")
    args = parser.parse_args()

    wanted = recipe(args)
    reuse = not args.rebuild and stored_recipe(DATABASE) == wanted
    if not reuse:
        create_database(DATABASE)
    set_up_django(DATABASE_URL)
    began = time.perf_counter()
    if reuse:
        print(f"Reusing {DATABASE} (recipe {wanted}).", flush=True)
    else:
        print(f"Building {args.people:,} people…", flush=True)
        build(args)
        psql(f"COMMENT ON DATABASE {DATABASE} IS '{wanted}'")
    results = {
        **run_figures(),
        "people": args.people,
        "build_seconds": None if reuse else round(time.perf_counter() - began),
        "requests": measure(args.requests),
    }
    write_results(RESULTS, results)
    print_table(results)


if __name__ == "__main__":
    main()
