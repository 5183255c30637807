"""make bench --only pages: every page and the main API reads, big company.

Builds a company of a few thousand people with a million messages in its
own PostgreSQL database (canteen_bench_pages, dropped and made again), then
asks each page and API read as a heavy user (a member of 100 conversations,
some with more unread than the badge shows) and a light one (three). Requests
go through Django's test client in this process with production settings
(DEBUG=0): the time is the wall clock of each request, the queries are
counted in a separate pass (capturing them costs time). The old unread
count (a join over every message, before migration 0005) is timed beside
the new one, and the new statements' plans are kept. Figures go to
bench/results/pages.json and a table on stdout.
"""

import argparse
import datetime
import json
import random
import time

from bench.harness import ROOT, percentile
from bench.inprocess import (
    WARM_UPS,
    collect_as_a_server,
    create_database,
    get_ok,
    print_requests,
    run_figures,
    set_up_django,
    signed_in,
    timed_get,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "pages.json"
DATABASE = "canteen_bench_pages"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
PAGE_P95_MS = 50.0
API_P95_MS = 30.0
HEAVY_CONVERSATIONS = 100
SEARCH_WORD = "planning"


def build(*, people: int, messages: int, seed: int) -> dict:
    """Make the company, its conversations and `messages` messages; return
    who to measure as. Messages go in with COPY, ids and times set here."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from messaging.demo import LINES, _render_pool
    from messaging.models import Conversation, Membership, Message
    from profiles.demo import DEMO_LOGIN, build_demo_company
    from profiles.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_demo_company(size=people, seed=seed)
    rng = random.Random(seed)
    everyone = list(User.objects.order_by("id").values_list("id", flat=True))
    heavy = User.objects.get(email=DEMO_LOGIN).pk
    others = [p for p in everyone if p != heavy]
    light = others[len(others) // 2]
    strangers = [p for p in others if p != light]

    # (kind, title, members): the heavy user's 100, the light user's 3, and
    # the rest of the company's, which hold most of the history.
    plans: list[tuple[str, str, list[int]]] = []
    for n in range(10):
        plans.append(("group", f"Team {n}", [heavy, *rng.sample(strangers, 40)]))
    for other in rng.sample(strangers, HEAVY_CONVERSATIONS - 10):
        plans.append(("direct", "", [heavy, other]))
    plans.append(("group", "Light's team", [light, *rng.sample(strangers, 12)]))
    for other in rng.sample(strangers, 2):
        plans.append(("direct", "", [light, other]))
    for n in range(200):
        plans.append(("group", f"Group {n}", rng.sample(strangers, 30)))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 3000:
        a, b = sorted(rng.sample(strangers, 2))
        pairs.add((a, b))
    plans += [("direct", "", [a, b]) for a, b in sorted(pairs)]

    now = timezone.now()
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                kind=kind,
                title=title,
                direct_key=f"{min(m)}:{max(m)}" if kind == "direct" else None,
                created_by_id=m[0],
            )
            for kind, title, m in plans
        ],
        batch_size=2000,
    )
    members = {c.pk: plan[2] for c, plan in zip(conversations, plans, strict=True)}
    ids = list(members)
    # Busy: the heavy user's conversations get a tenth of all messages.
    weights = [
        5.0 if heavy in members[c] else (3.0 if len(members[c]) > 2 else 1.0)
        for c in ids
    ]

    html = _render_pool(LINES)
    bodies = list(html.items())
    total = messages
    span = datetime.timedelta(days=180).total_seconds()
    picks = rng.choices(ids, weights=weights, k=total)
    per_conversation: dict[int, list[int]] = {c: [] for c in ids}
    last_at: dict[int, datetime.datetime] = {}
    mentions: list[tuple[int, int]] = []
    heavy_set = set(c for c in ids if heavy in members[c])

    def rows():
        for n, conversation in enumerate(picks, start=1):
            when = now - datetime.timedelta(seconds=span * (1 - n / total) + 60)
            sender = rng.choice(members[conversation])
            own = per_conversation[conversation]
            root = None
            # One message in twenty answers an earlier one in a thread.
            if own and rng.random() < 0.05:
                root = own[max(0, len(own) - rng.randint(1, 20))]
            deleted = rng.random() < 0.01
            body, body_html = bodies[n % len(bodies)]
            if (
                conversation in heavy_set
                and sender != heavy
                and not deleted
                and rng.random() < 0.01
            ):
                body = f"@**Alex Morgan** {body}"
                body_html = f'<span class="mention">@Alex Morgan</span> {body_html}'
                mentions.append((n, heavy))
            if root is None:
                own.append(n)
            last_at[conversation] = when
            yield (
                n,
                conversation,
                sender,
                f"bench-{n}",
                "" if deleted else body,
                "" if deleted else body_html,
                root,
                when,
                None,
                when if deleted else None,
            )

    table = Message._meta.db_table
    with connection.cursor() as cursor:
        # Rebuilding the indexes after the load is faster than keeping
        # them up row by row; the rows are consistent by construction, so
        # foreign keys are not checked row by row either.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        columns = (
            "id, conversation_id, sender_id, client_id, body, body_html,"
            " thread_root_id, created_at, edited_at, deleted_at"
        )
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
        through = Message.mentions.through._meta.db_table
        with cursor.copy(f"COPY {through} (message_id, user_id) FROM STDIN") as copy:
            for row in mentions:
                copy.write_row(row)
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [total]
        )
    loaded = time.perf_counter() - started

    # Everyone has read everything, except: the heavy user has unread in a
    # third of their conversations (a few of them past the cap), the light
    # user in one.
    def marker(conversation: int, person: int) -> int:
        own = per_conversation[conversation]
        if not own:
            return 0
        unread = 0
        if person == heavy and rng.random() < 0.3:
            unread = rng.choice([1, 3, 8, 20, 60, 150, 400])
        if person == light and conversation == ids[HEAVY_CONVERSATIONS]:
            unread = 5
        return own[max(0, len(own) - 1 - unread)] if unread else own[-1]

    Membership.objects.bulk_create(
        (
            Membership(
                conversation_id=c, user_id=person, last_read_id=marker(c, person)
            )
            for c in ids
            for person in members[c]
        ),
        batch_size=5000,
    )
    for conversation in conversations:
        conversation.last_message_at = last_at.get(conversation.pk)
    Conversation.objects.bulk_update(
        conversations, ["last_message_at"], batch_size=2000
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    busiest = {
        person: max(
            (c for c in ids if person in members[c]),
            key=lambda c: len(per_conversation[c]),
        )
        for person in (heavy, light)
    }
    return {
        "people": len(everyone),
        "conversations": len(ids),
        "messages": total,
        "mentions": len(mentions),
        "build_seconds": round(time.perf_counter() - started, 1),
        "load_seconds": round(loaded, 1),
        "heavy": heavy,
        "light": light,
        "busiest": busiest,
    }


def targets(setup: dict, person: int) -> dict[str, tuple[str, str]]:
    """What to ask as `person`: name -> (kind, URL)."""
    from intranet.sync import latest_cursor

    conversation = setup["busiest"][person]
    other = setup["light"] if person == setup["heavy"] else setup["heavy"]
    cursor = latest_cursor()
    return {
        "/": ("page", "/"),
        "/people/": ("page", "/people/"),
        "/messages/": ("page", "/messages/"),
        "conversation": ("page", f"/messages/{conversation}/"),
        "message search": ("page", f"/messages/search/?q={SEARCH_WORD}"),
        "profile": ("page", f"/people/{other}/"),
        "tokens": ("page", "/settings/tokens/"),
        "API conversations": ("api", "/api/v1/conversations"),
        "API history": ("api", f"/api/v1/conversations/{conversation}/messages"),
        "API search": ("api", f"/api/v1/search/messages?q={SEARCH_WORD}"),
        "API people": ("api", "/api/v1/people?q=mar"),
        "API events": ("api", f"/api/v1/events?since={cursor}"),
    }


def measure(setup: dict, requests: int) -> dict:
    collect_as_a_server()
    from profiles.models import User

    figures: dict = {}
    for role in ("heavy", "light"):
        person = User.objects.get(pk=setup[role])
        client = signed_in(person)
        figures[role] = {}
        for name, (kind, url) in targets(setup, person.pk).items():
            for _ in range(WARM_UPS):  # caches, the connection pool
                get_ok(client, url)
            figures[role][name] = {
                "kind": kind,
                "url": url,
                **timed_get(client, url, requests),
            }
            print(f"  {role} {name}: {figures[role][name]}", flush=True)
    return figures


def old_total_unread(user) -> int:
    """The unread count as it was before migration 0005: one join over the
    person's memberships and every top-level message."""
    from django.db.models import F

    from messaging.models import Message

    return (
        Message.objects.filter(
            conversation__memberships__user=user,
            id__gt=F("conversation__memberships__last_read_id"),
            deleted_at__isnull=True,
            thread_root__isnull=True,
        )
        .exclude(sender=user)
        .count()
    )


def unread_before_after(setup: dict, requests: int) -> dict:
    """Time the old and new unread counts; keep the new statements' plans."""
    from django.db import connection

    from messaging import selectors
    from profiles.models import User

    result: dict = {}
    for role in ("heavy", "light"):
        person = User.objects.get(pk=setup[role])
        timings: dict = {}
        for label, count in (
            ("old_total_unread", old_total_unread),
            ("total_unread", selectors.total_unread),
            ("conversation_summaries", selectors.conversation_summaries),
        ):
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                value = count(person)
                times.append((time.perf_counter() - began) * 1000)
            timings[label] = {
                "p50_ms": round(percentile(times, 50), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "value": value if isinstance(value, int) else len(value),
            }
        memberships = selectors.sidebar.table(selectors.sidebar.Membership)
        capped = selectors.sidebar._capped_unread_sql()
        sql = (
            f"EXPLAIN (ANALYZE, BUFFERS) SELECT SUM({capped})"  # noqa: S608
            f" FROM {memberships} WHERE {memberships}.user_id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [person.pk, person.pk])
            timings["total_unread_plan"] = [line for (line,) in cursor.fetchall()]
        result[role] = timings
        shown = {k: v for k, v in timings.items() if "plan" not in k}
        print(f"  {role} unread: {shown}", flush=True)
    return result


def print_table(results: dict) -> None:
    print(
        f"\nCanteen pages on PostgreSQL, {results['data']['messages']:,} messages"
        f" → {RESULTS.relative_to(ROOT)}"
    )
    print_requests(
        results["requests"],
        lambda kind: PAGE_P95_MS if kind == "page" else API_P95_MS,
    )
    for role in ("heavy", "light"):
        u = results["unread"][role]
        print(
            f"unread count ({role}): old join p50 {u['old_total_unread']['p50_ms']} ms"
            f" (= {u['old_total_unread']['value']}), now p50"
            f" {u['total_unread']['p50_ms']} ms (= {u['total_unread']['value']},"
            " capped)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    create_database(DATABASE)
    set_up_django(DATABASE_URL)
    print(f"Building {args.people} people, {args.messages:,} messages…", flush=True)
    setup = build(people=args.people, messages=args.messages, seed=args.seed)
    print(f"  {json.dumps(setup)}", flush=True)
    results = {
        **run_figures(),
        "data": setup,
        "requests": measure(setup, args.requests),
        "unread": unread_before_after(setup, args.requests),
    }
    write_results(RESULTS, results)
    print_table(results)


if __name__ == "__main__":
    main()
