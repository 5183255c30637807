"""make bench --only feeds: the feeds of a big company, and a post's fan-out.

Builds the demo company at --people (5,000: about 500 spaces, 200,000 posts
and a million comments and reactions) in its own PostgreSQL database
(canteen_bench_feeds), plus a 1,000-member space for delivery; the build
(bench/company.py) is kept and reused while its recipe (the demo modules,
bench/company.py, the migrations and the arguments) is unchanged, so a
second run measures at once.

Then, for a heavy member (the demo login, in about 100 spaces) and a light
one (in a few), the server time (p50/p95 of the wall clock) and queries per
request of: the home feed's page 1 and page 10 (following the `before`
cursor), a space's first page, and the space sidebar. Each is asked as a
page (`/`, `/spaces/<slug>/`) or an API read when that URL exists, and
through its selector always, so pages can be added to TARGETS by name as
they arrive. Requests go through Django's test client in this process with
production settings (DEBUG=0), as bench/pages.py does.

Last, delivery: --members sockets of the big space's members on one Daphne
(a private Redis), and posts made through the service from this process,
one a second: the time from the call to each socket reading `post.new`, and
the time until every connected member had it; posts that never arrive are
counted as lost. Figures go to bench/results/feeds.json and a table.
"""

import argparse
import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bench import company
from bench.harness import ROOT, percentile
from bench.inprocess import (
    WARM_UPS,
    collect_as_a_server,
    create_database,
    print_requests,
    psql,
    run_figures,
    set_up_django,
    signed_in,
    stored_recipe,
    timed,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "feeds.json"
PAGE_P95_MS = 50.0
SELECTOR_P95_MS = 30.0


def data_figures() -> dict[str, Any]:
    from django.db.models import Count

    from feeds.models import Comment, Post, Reaction, Space, SpaceMember
    from profiles.demo import DEMO_LOGIN
    from profiles.models import User

    heavy = User.objects.get(email=DEMO_LOGIN)
    # The light member: someone in the fewest spaces (their team and the
    # company's, and perhaps one more).
    light = (
        User.objects.exclude(pk=heavy.pk)
        .filter(start_date__isnull=False)
        .annotate(n=Count("space_memberships"))
        .filter(n__gte=2)
        .order_by("n", "pk")
        .first()
    )
    assert light is not None
    counts = {
        "people": User.objects.count(),
        "spaces": Space.objects.count(),
        "posts": Post.objects.count(),
        "comments": Comment.objects.count(),
        "reactions": Reaction.objects.count(),
        "memberships": SpaceMember.objects.count(),
    }
    crowd = Space.objects.get(name=company.CROWD_SPACE)
    return {
        **counts,
        "heavy": heavy.pk,
        "heavy_spaces": SpaceMember.objects.filter(user=heavy).count(),
        "light": light.pk,
        "light_spaces": SpaceMember.objects.filter(user=light).count(),
        "crowd_space": crowd.pk,
        "crowd_members": SpaceMember.objects.filter(space=crowd).count(),
    }


# What to measure -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One read: a URL (a page or the API), or a selector call."""

    name: str
    kind: str  # "page", "api" or "selector"
    url: str = ""
    call: Callable[[], object] | None = None


def busiest_space(user) -> Any:
    from django.db.models import Count

    from feeds.models import Space

    return (
        Space.objects.filter(members__user=user)
        .exclude(kind=Space.Kind.COMPANY)
        .annotate(n=Count("posts"))
        .order_by("-n")
        .first()
    )


def page_ten_cursor(user) -> int | None:
    """The `before` cursor of the home feed's tenth page, as a reader
    scrolling down would follow it."""
    from feeds import selectors

    before = None
    for _ in range(9):
        page = selectors.home_feed(user, before=before)
        if not page:
            return before
        before = page[-1].pk
    return before


def targets(user) -> list[Target]:
    """Every read to time for `user`; pages and API reads whose URL does
    not exist yet on this branch are dropped by measure()."""
    from feeds import selectors

    space = busiest_space(user)
    access = selectors.find_space(user, space_id=space.pk)
    before = page_ten_cursor(user)
    return [
        Target("home page 1", "page", "/"),
        Target("home page 10", "page", f"/?before={before}"),
        Target("space page 1", "page", f"/spaces/{space.slug}/"),
        Target("API feed page 1", "api", "/api/v1/feed"),
        Target("API feed page 10", "api", f"/api/v1/feed?before={before}"),
        Target("home_feed page 1", "selector", call=lambda: selectors.home_feed(user)),
        Target(
            "home_feed page 10",
            "selector",
            call=lambda: selectors.home_feed(user, before=before),
        ),
        Target(
            "space_feed page 1",
            "selector",
            call=lambda: selectors.space_feed(user, access),
        ),
        Target(
            "space sidebar", "selector", call=lambda: selectors.space_summaries(user)
        ),
    ]


@contextlib.contextmanager
def quiet_errors() -> Iterator[None]:
    """A page not built yet answers 500 with a traceback: note it, quietly."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def measure(setup: dict, requests: int) -> dict:
    collect_as_a_server()
    from profiles.models import User

    figures: dict = {"missing": []}
    for role in ("heavy", "light"):
        person = User.objects.get(pk=setup[role])
        client = signed_in(person, raise_request_exception=False)
        figures[role] = {}
        for target in targets(person):

            def ask(target: Target = target, client=client) -> bool:
                if target.call is not None:
                    target.call()
                    return True
                response = client.get(target.url, secure=True)
                return response.status_code == 200

            with quiet_errors():
                there = all(ask() for _ in range(WARM_UPS))  # warm, and is it there?
            if not there:
                if role == "heavy":
                    figures["missing"].append(f"{target.name} ({target.url})")
                continue
            figures[role][target.name] = {
                "kind": target.kind,
                "url": target.url,
                **timed(ask, requests),
            }
            print(f"  {role} {target.name}: {figures[role][target.name]}", flush=True)
    return figures


# Delivery ------------------------------------------------------------------


async def deliver(url: str, setup: dict, posts: int) -> dict:
    """Connect the crowd space's members, then post `posts` times, one a
    second, each by another member (the per-person post limit is a
    person's): time each socket's `post.new`."""
    import websockets
    from asgiref.sync import sync_to_async

    from bench.delivery import connect_all
    from feeds import services
    from feeds.models import SpaceMember
    from profiles.models import User
    from testkit.personas import signed_in_cookies

    @sync_to_async
    def people() -> tuple[list[str], list[User]]:
        members = list(
            User.objects.filter(
                space_memberships__space_id=setup["crowd_space"]
            ).order_by("pk")
        )
        leaders = set(
            SpaceMember.objects.filter(
                space_id=setup["crowd_space"], role=SpaceMember.Role.LEADER
            ).values_list("user_id", flat=True)
        )
        authors = [m for m in members if m.pk not in leaders][: posts + 1]
        return signed_in_cookies(members), authors

    cookies, authors = await people()
    began = time.perf_counter()
    sockets = await connect_all([url], cookies)
    connect_seconds = time.perf_counter() - began
    marks: dict[str, float] = {}  # client_id -> when the post was asked for
    latencies: list[float] = []
    reached: dict[str, int] = {}
    last_at: dict[str, float] = {}

    async def read(ws) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") != "post.new":
                    continue
                mark = event["post"]["client_id"]
                if mark not in marks:
                    continue
                latencies.append((now - marks[mark]) * 1000)
                reached[mark] = reached.get(mark, 0) + 1
                last_at[mark] = now
        except websockets.ConnectionClosed:
            return

    readers = [asyncio.create_task(read(r.ws)) for r in sockets]

    @sync_to_async
    def post(author: User, mark: str) -> None:
        services.create_post(
            author,
            space_id=setup["crowd_space"],
            body=f"Bench post {mark}",
            client_id=mark,
        )

    # The first post warms this process's connections to Redis and the
    # database: it is not counted.
    await post(authors[0], f"bench-warm-{uuid.uuid4().hex[:12]}")
    await asyncio.sleep(1)
    for author in authors[1:]:
        mark = f"bench-{uuid.uuid4().hex[:12]}"
        marks[mark] = time.perf_counter()
        await post(author, mark)
        await asyncio.sleep(1)
    deadline = time.perf_counter() + 10
    expected = len(sockets) * len(marks)
    while sum(reached.values()) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.gather(
        *(r.ws.close() for r in sockets if r.ws), return_exceptions=True
    )
    everyone = [
        (last_at[m] - marks[m]) * 1000
        for m in marks
        if reached.get(m, 0) == len(sockets)
    ]
    return {
        "members_connected": len(sockets),
        "connect_seconds": round(connect_seconds, 1),
        "posts": len(marks),
        "deliveries": sum(reached.values()),
        "lost": expected - sum(reached.values()),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "all_reached_p50_ms": round(percentile(everyone, 50), 1),
        "all_reached_max_ms": round(max(everyone), 1) if everyone else None,
    }


def print_table(results: dict) -> None:
    data = results["data"]
    print(
        f"\nCanteen feeds on PostgreSQL, {data['spaces']:,} spaces,"
        f" {data['posts']:,} posts, {data['comments']:,} comments,"
        f" {data['reactions']:,} reactions → {RESULTS.relative_to(ROOT)}"
    )
    print_requests(
        results["requests"],
        lambda kind: SELECTOR_P95_MS if kind == "selector" else PAGE_P95_MS,
    )
    for missing in results["requests"]["missing"]:
        print(f"not measured (not on this branch yet): {missing}")
    d = results.get("delivery")
    if d:
        print(
            f"post to {d['members_connected']:,} connected members, {d['posts']} posts:"
            f" p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms;"
            f" every member had it after p50 {d['all_reached_p50_ms']} ms,"
            f" at worst {d['all_reached_max_ms']} ms; {d['lost']} lost"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument(
        "--members", type=int, default=1000, help="the delivery space's members"
    )
    parser.add_argument("--posts", type=int, default=20, help="posts to deliver")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rebuild", action="store_true", help="never reuse")
    args = parser.parse_args()

    from bench.data import server_env
    from bench.harness import daphne, redis_server

    wanted = company.recipe(args)
    with redis_server() as redis_url:
        stored = stored_recipe(company.DATABASE)
        reuse = not args.rebuild and stored == wanted
        if not reuse:
            create_database(company.DATABASE)
        # The delivery run publishes from this process to the Daphne's
        # Redis; pages then use it as their cache too, as in production.
        set_up_django(company.DATABASE_URL, redis_url)
        began = time.perf_counter()
        if reuse:
            print(f"Reusing {company.DATABASE} (recipe {wanted}).", flush=True)
        else:
            print(f"Building {args.people:,} people and their feeds…", flush=True)
            company.build(args)
            psql(f"COMMENT ON DATABASE {company.DATABASE} IS '{wanted}'")
        setup = data_figures()
        setup["build_seconds"] = None if reuse else round(time.perf_counter() - began)
        print(f"  {json.dumps(setup)}", flush=True)
        results: dict[str, Any] = {
            **run_figures(),
            "data": setup,
            "requests": measure(setup, args.requests),
        }
        env = server_env(redis_url, company.DATABASE_URL)
        from django.db import connections

        connections.close_all()
        with daphne(env) as server:
            results["delivery"] = asyncio.run(deliver(server.url, setup, args.posts))
        print(f"  delivery: {json.dumps(results['delivery'])}", flush=True)
    write_results(RESULTS, results)
    print_table(results)


if __name__ == "__main__":
    main()
