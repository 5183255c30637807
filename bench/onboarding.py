"""make bench --only onboarding: HR's board and a company-wide must-read.

Builds a company (5,000 people by default) in its own PostgreSQL database
(canteen_bench_onboarding, dropped and made again; --database picks
another), with 500 running journeys of 8 steps each and a must-read sent
to everyone. Then, through Django's test client in this process with
production settings (DEBUG=0):

- HR's onboarding board (page and REST) with the 500 starters;
- the acknowledgement view of the must-read (page, REST, CSV): p95 of the
  server's wall time, budget 100 ms, and the number of queries.

Then against a Daphne it starts (with a Redis of its own), the path
production takes: every reader acknowledges a second must-read over HTTP
as a browser does (POST /api/v1/posts/<id>/acknowledge with their session
and CSRF token), each at their moment of one minute; the author's socket
on the same server hears the live count: how long after each
acknowledgement's answer the count reached it (budget: within 1 s), and
whether the last count it heard was the truth.

--people sizes the company (200 for a smoke run: --people 200
--starters 20). Figures go to bench/results/onboarding.json and a table
on stdout.
"""

import argparse
import datetime
import http.client
import json
import random
import time

from bench.harness import ROOT, percentile
from bench.inprocess import (
    WARM_UPS,
    collect_as_a_server,
    create_database,
    get_ok,
    run_figures,
    set_up_django,
    signed_in,
    timed_get,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "onboarding.json"
P95_MS = 100.0
LIVE_COUNT_MS = 1000.0
STEPS = [
    ("Laptop ready", "it", -3),
    ("Read the handbook", "starter", 1),
    ("First one-to-one", "manager", 2),
    ("Coffee with your buddy", "buddy", 3),
    ("Security training", "starter", 7),
    ("Benefits sign-up", "hr", 14),
    ("First project demo", "starter", 30),
    ("Ninety-day review", "manager", 90),
]


def build(*, people: int, starters: int, seed: int) -> dict:
    """The company, its company-wide space with everyone in it, HR, a
    journey and `starters` running enrollments with their tasks, and a
    must-read to everyone, 60% acknowledged and 70% seen."""
    from django.core.management import call_command
    from django.utils import timezone

    from feeds import services as feeds
    from feeds.models import PostView, Reader, SpaceMember
    from onboarding import services
    from onboarding.models import Enrollment, Task
    from profiles.demo import build_demo_company
    from profiles.models import User
    from profiles.roles import HR, grant

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_demo_company(size=people, seed=seed)
    rng = random.Random(seed)
    everyone = list(User.objects.filter(is_active=True).order_by("pk"))
    hr = everyone[1]
    grant([hr], HR)
    hr = User.objects.get(pk=hr.pk)
    company = feeds.company_space() or feeds.create_space(
        None, name="Everyone", kind="company", who_may_post="leaders"
    )
    inside = set(
        SpaceMember.objects.filter(space=company).values_list("user_id", flat=True)
    )
    SpaceMember.objects.bulk_create(
        [SpaceMember(space=company, user=p) for p in everyone if p.pk not in inside],
        batch_size=2000,
    )

    journey = services.create_journey(hr, name="New starters", kind="new_starter")
    steps = [
        services.add_step(hr, journey_id=journey.pk, title=t, owner=o, due_day=d)
        for t, o, d in STEPS
    ]
    today = timezone.localdate()
    chosen = rng.sample([p for p in everyone if p.pk != hr.pk], starters)
    buddies = [p for p in everyone if p not in chosen]
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                person=p,
                journey=journey,
                start_date=today - datetime.timedelta(days=rng.randint(-10, 60)),
                buddy=buddies[i % len(buddies)],
                enrolled_by=hr,
            )
            for i, p in enumerate(chosen)
        ],
        batch_size=1000,
    )
    tasks = []
    for e in enrollments:
        person = next(p for p in chosen if p.pk == e.person_id)
        for step in steps:
            due = e.start_date + datetime.timedelta(days=step.due_day)
            assignee = {
                "starter": person.pk,
                "manager": person.manager_id or hr.pk,
                "buddy": e.buddy_id,
            }.get(step.owner) or hr.pk
            done = due < today and rng.random() < 0.7
            tasks.append(
                Task(
                    title=step.title,
                    assignee_id=assignee,
                    due_date=due,
                    enrollment=e,
                    step=step,
                    status=Task.Status.DONE if done else Task.Status.OPEN,
                    done_at=timezone.now() if done else None,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=2000)

    def must_read(body: str):
        announcement = feeds.announce(
            hr, space_id=company.pk, body=body, must_read=True
        )
        return announcement.published_post

    first = must_read("Our new travel policy: please read it.")
    readers = list(
        Reader.objects.filter(announcement__post=first).values_list("pk", "user_id")
    )
    rng.shuffle(readers)
    acked = [pk for pk, _ in readers[: len(readers) * 6 // 10]]
    Reader.objects.filter(pk__in=acked).update(acknowledged_at=timezone.now())
    PostView.objects.bulk_create(
        [
            PostView(post=first, user_id=user_id)
            for _, user_id in readers[: len(readers) * 7 // 10]
        ],
        batch_size=2000,
    )
    second = must_read("The office moves on Monday: please read it.")
    return {
        "people": len(everyone),
        "starters": len(enrollments),
        "tasks": len(tasks),
        "hr": hr.pk,
        "report_post": first.pk,
        "report_readers": len(readers),
        "ack_post": second.pk,
        "build_s": round(time.perf_counter() - started, 1),
    }


def reads(setup: dict, requests: int) -> dict:
    collect_as_a_server()
    from profiles.models import User

    client = signed_in(User.objects.get(pk=setup["hr"]))
    post = setup["report_post"]
    targets = {
        "board page": "/onboarding/",
        "board API": "/api/v1/onboarding/enrollments",
        "acks page": f"/posts/{post}/acknowledgements/",
        "acks API": f"/api/v1/posts/{post}/acknowledgements",
        "acks CSV": f"/posts/{post}/acknowledgements.csv",
    }
    figures: dict = {}
    for name, url in targets.items():
        for _ in range(WARM_UPS):
            response = get_ok(client, url)
        figures[name] = {
            "url": url,
            **timed_get(client, url, requests),
            "bytes": len(response.content),
        }
        print(f"  {name}: {figures[name]}", flush=True)
    return figures


def acknowledge_over_http(port: int, post: int, cookie: str, csrf: str | None) -> int:
    """POST a must-read's acknowledgement as must-read.js does: the
    person's session, the CSRF cookie echoed in X-CSRFToken (api.js), the
    page's own Origin, over HTTPS as a TLS-ending proxy passes it on; a
    new connection, as each reader is another browser. Return the status."""
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Origin": f"https://127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",
        "Cookie": cookie,
        "Content-Length": "0",
    }
    if csrf is not None:
        headers["Cookie"] = f"{cookie}; csrftoken={csrf}"
        headers["X-CSRFToken"] = csrf
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", f"/api/v1/posts/{post}/acknowledge", b"", headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def count_lags(moments: list[float], heard: list[tuple[float, int]]) -> list[float]:
    """For each k, ms from the k-th of `moments` to the first count of k or
    more in `heard` (when, count); stop at the first k never heard."""
    lags: list[float] = []
    best, i = 0, 0
    ordered = sorted(heard)
    for k, moment in enumerate(sorted(moments), start=1):
        while best < k and i < len(ordered):
            best = max(best, ordered[i][1])
            i += 1
        if best < k:
            break
        lags.append(max(0.0, (ordered[i - 1][0] - moment) * 1000))
    return lags


def acknowledgements(setup: dict, port: int, seconds: float, threads: int) -> dict:
    """Every reader of the second must-read acknowledges it over HTTP to
    the Daphne on `port`, each at their moment of `seconds` (up to
    `threads` requests in flight, as browsers would be); the author's
    socket on the same server notes each count it hears. For each k, the
    lag is to the first count of k or more the author heard, from the
    k-th answer (after the k-th commit) and from the k-th request (before
    it)."""
    import asyncio
    import secrets
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bench.harness import open_tab
    from feeds.models import Reader
    from profiles.models import User
    from testkit.personas import signed_in_cookies

    post = setup["ack_post"]
    ids = list(
        Reader.objects.filter(announcement__post_id=post)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    cookies = signed_in_cookies([people[pk] for pk in ids])
    [author] = signed_in_cookies([User.objects.get(pk=setup["hr"])])
    # The API takes a session's write only with its CSRF token: proof
    # that the run goes through the check a browser's request does.
    refused = acknowledge_over_http(port, post, cookies[0], None)
    assert refused == 403, f"a write without the CSRF token answered {refused}"

    heard: list[tuple[float, int]] = []
    stop = threading.Event()
    ready = threading.Event()
    url = f"ws://127.0.0.1:{port}/ws/"

    async def listen() -> None:
        ws = await open_tab(url, author)
        ready.set()
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                event = json.loads(raw)
                if (
                    event.get("type") == "announcement.acknowledged"
                    and event.get("post") == post
                ):
                    heard.append((now, event["acknowledged"]))
        finally:
            await ws.close()

    listener = threading.Thread(target=lambda: asyncio.run(listen()), daemon=True)
    listener.start()
    if not ready.wait(30):
        raise RuntimeError("the author's socket did not open")
    sent: list[float] = []
    answered: list[float] = []
    request_ms: list[float] = []
    late_ms: list[float] = []
    errors: dict[str, int] = {}
    interval = seconds / len(ids)
    began = time.perf_counter()

    def one(n: int) -> None:
        due = began + n * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        t0 = time.perf_counter()
        late_ms.append((t0 - due) * 1000)
        # Each browser holds a CSRF secret of its own (Django's cookie).
        csrf = secrets.token_hex(16)
        status: int | str
        try:
            status = acknowledge_over_http(port, post, cookies[n], csrf)
        except OSError as exc:
            status = type(exc).__name__
        done = time.perf_counter()
        if status == 200:
            sent.append(t0)
            answered.append(done)
            request_ms.append((done - t0) * 1000)
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(len(ids))))
    elapsed = time.perf_counter() - began
    time.sleep(2)  # the last counts on their way
    stop.set()
    listener.join(5)
    truth = Reader.objects.filter(
        announcement__post_id=post, acknowledged_at__isnull=False
    ).count()
    # The k-th commit falls between the k-th request sent and the k-th
    # answer: the lag from the answer is at most the real one, the lag
    # from the request at least (the verdict takes the latter).
    lags = count_lags(answered, heard)
    lags_from_request = count_lags(sent, heard)
    return {
        "acknowledgements": len(ids),
        "via": "HTTP POST /api/v1/posts/{id}/acknowledge, session and CSRF",
        "threads": threads,
        "seconds": round(elapsed, 1),
        "per_second": round(len(ids) / elapsed, 1),
        # Request to answer over HTTP: the service as production runs it.
        "service_p50_ms": round(percentile(request_ms, 50), 1),
        "service_p95_ms": round(percentile(request_ms, 95), 1),
        "service_max_ms": round(max(request_ms), 1) if request_ms else None,
        "http_ok": len(answered),
        "http_errors": errors,
        # How far behind its moment a request left: the generator's pace.
        "start_late_p95_ms": round(percentile(late_ms, 95), 1),
        "start_late_max_ms": round(max(late_ms), 1),
        "count_events": len(heard),
        "count_lag_p95_ms": round(percentile(lags, 95), 1) if lags else None,
        "count_lag_max_ms": round(max(lags), 1) if lags else None,
        "count_lag_from_request_p95_ms": round(percentile(lags_from_request, 95), 1)
        if lags_from_request
        else None,
        "count_lag_from_request_max_ms": round(max(lags_from_request), 1)
        if lags_from_request
        else None,
        "counts_never_heard": len(answered) - len(lags),
        "last_count_heard": max((c for _, c in heard), default=0),
        "final_count": truth,
    }


def print_table(results: dict) -> None:
    print(f"\nOnboarding and acknowledgements → {RESULTS.relative_to(ROOT)}")
    print(f"{'read':<12} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}")
    for name, f in results["reads"].items():
        verdict = "ok" if f["p95_ms"] <= P95_MS else "OVER"
        print(
            f"{name:<12} {f['p50_ms']:>7} {f['p95_ms']:>7} {f['queries']:>7}"
            f"  p95 ≤ {P95_MS:g} {verdict}"
        )
    a = results["acknowledgements"]
    lag = a["count_lag_from_request_max_ms"]
    verdict = "ok" if lag is not None and lag <= LIVE_COUNT_MS else "OVER"
    print(
        f"\n{a['acknowledgements']} acknowledgements in {a['seconds']} s "
        f"({a['per_second']}/s) over HTTP, {a['http_ok']} answered 200 "
        f"(errors {a['http_errors'] or 'none'}): request p95 "
        f"{a['service_p95_ms']} ms; the author's live count after the "
        f"answer p95 {a['count_lag_p95_ms']} / max {a['count_lag_max_ms']} ms, "
        f"after the request p95 {a['count_lag_from_request_p95_ms']} / max "
        f"{lag} ms (≤ {LIVE_COUNT_MS:g} {verdict}); last count heard "
        f"{a['last_count_heard']}, final {a['final_count']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--people", type=int, default=5000, help="the company; all but one read"
    )
    parser.add_argument("--starters", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--threads", type=int, default=32, help="acknowledgements in flight at most"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default="canteen_bench_onboarding")
    args = parser.parse_args()

    from bench.data import server_env
    from bench.harness import daphne, redis_server

    database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    create_database(args.database)
    with redis_server() as redis_url:
        # The server's Redis is this process's cache too, as in production.
        set_up_django(database_url, redis_url)
        print(f"Building {args.people} people, {args.starters} starters…", flush=True)
        setup = build(people=args.people, starters=args.starters, seed=args.seed)
        print(f"  {json.dumps(setup)}", flush=True)
        results = {
            **run_figures(),
            "data": setup,
            "reads": reads(setup, args.requests),
        }
        from django.db import connections

        connections.close_all()
        with daphne(server_env(redis_url, database_url)) as server:
            results["acknowledgements"] = acknowledgements(
                setup, server.port, args.seconds, args.threads
            )
    write_results(RESULTS, results)
    print_table(results)


if __name__ == "__main__":
    main()
