"""make bench: the message path, measured with real sockets.

Daphne (Redis channel layer, PostgreSQL when it answers on 127.0.0.1:5432,
else SQLite) runs pinned to core 0; this load generator runs on core 1.
Latency is per recipient, from the server's accept time (`accepted_at` in
`message.new`) to the moment this client reads the frame; loss and
duplicates are counted with per-run sequence numbers in the bodies.
Figures go to bench/results/messaging.json and a table on stdout.
"""

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from bench.fleet import idle_fleet
from bench.harness import (
    CLIENT_CORE,
    ROOT,
    Recipient,
    Server,
    daphne,
    free_port,
    open_socket,
    percentile,
    pin,
    read_messages,
    redis_server,
    wait_for_port,
)
from bench.profile import sampled
from intranet.config import tune_gc_for_a_server

RESULTS_DIR = ROOT / "bench" / "results"
SCENARIOS = [
    "direct",
    "space",
    "profile",
    "saturation",
    "two",
    "idle",
    "idle-two",
    "reference",
    "pages",
]
P99_BUDGET_MS = 250.0


def database_url() -> str:
    """PostgreSQL's bench database when the server answers, else SQLite."""
    probe = (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
        )
        if _has("pg_isready")
        else None
    )
    if probe is not None and probe.returncode == 0:
        for sql in (
            "DROP DATABASE IF EXISTS canteen_bench WITH (FORCE)",
            "CREATE DATABASE canteen_bench",
        ):
            subprocess.run(
                ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql],
                check=True,
                capture_output=True,
            )
        return "postgres://postgres@127.0.0.1:5432/canteen_bench"
    path = ROOT / "bench" / "results" / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _has(command: str) -> bool:
    from shutil import which

    return which(command) is not None


def server_env(redis_url: str, db_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        # Production settings: DEBUG records every query and costs the
        # connect path a third of its time.
        "DEBUG": "0",
        "SECRET_KEY": "canteen-bench-only-" + "x" * 40,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        # The benchmark measures delivery, not the per-person send limit.
        "MESSAGE_SEND_BURST": "1000000",
        "MESSAGE_SEND_PER_MINUTE": "100000000",
    }
    for key in ("CHANNELS_URL", "CACHE_URL"):
        env.pop(key, None)
    return env


def prepare(members: int, idle: int) -> dict:
    """Migrate, then make people, sessions and the two conversations.

    The first `members` of the crowd are in the space; the crowd has at
    least `idle` people for the idle-socket run.
    """
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from messaging.models import Conversation, Membership
    from profiles.models import User

    people = User.objects.bulk_create(
        User(
            email=f"bench{n}@canteen.test",
            first_name="Bench",
            last_name=str(n),
            password="!",  # noqa: S106 - unusable; sessions are made directly,
        )
        for n in range(max(members, idle) + 2)
    )
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32, VALID_KEY_CHARS),
            session_data=store.encode(
                {
                    SESSION_KEY: str(person.pk),
                    BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                    HASH_SESSION_KEY: person.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    cookies = [f"{settings.SESSION_COOKIE_NAME}={s.session_key}" for s in sessions]
    sender, partner = people[0], people[1]
    crowd = people[2 : members + 2]
    low, high = sorted((sender.pk, partner.pk))
    direct = Conversation.objects.create(kind="direct", direct_key=f"{low}:{high}")
    Membership.objects.bulk_create(
        Membership(conversation=direct, user=p) for p in (sender, partner)
    )
    space = Conversation.objects.create(kind="space", title="Bench space")
    Membership.objects.bulk_create(
        (Membership(conversation=space, user=p) for p in (sender, *crowd)),
        batch_size=1000,
    )
    return {
        "sender": cookies[0],
        "partner": cookies[1],
        "crowd": cookies[2 : members + 2],
        "idle": cookies[2 : idle + 2],
        "direct": direct.pk,
        "space": space.pk,
    }


async def connect_all(
    urls: list[str], cookies: list[str], batch: int = 100
) -> list[Recipient]:
    """Connect one socket per cookie, spread round-robin over `urls`."""
    recipients = [Recipient(i) for i in range(len(cookies))]
    for start in range(0, len(cookies), batch):
        sockets = await asyncio.gather(
            *(
                open_socket(urls[(start + i) % len(urls)], c)
                for i, c in enumerate(cookies[start : start + batch])
            )
        )
        for offset, ws in enumerate(sockets):
            recipients[start + offset].ws = ws
    return recipients


async def run_rate(
    sender_ws,
    recipients: list[Recipient],
    conversation: int,
    *,
    rate: float,
    seconds: float,
    mark: str,
) -> dict:
    """Send `rate` messages a second for `seconds`; return delivery figures."""
    for r in recipients:
        r.latencies.clear()
        r.seen.clear()
        r.duplicates = 0
    readers = [asyncio.create_task(read_messages(r, mark)) for r in recipients]
    count = max(1, round(rate * seconds))
    started = time.perf_counter()
    for seq in range(count):
        target = started + seq / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await sender_ws.send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": f"{mark} {seq}",
                    "client_id": f"{mark}-{seq}-{uuid.uuid4().hex[:8]}",
                }
            )
        )
    send_elapsed = time.perf_counter() - started
    # Drain: wait until everything arrived, or 5 s of silence.
    expected = count * len(recipients)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        if sum(len(r.seen) for r in recipients) >= expected:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    latencies = [v for r in recipients for v in r.latencies]
    delivered = sum(len(r.seen) for r in recipients)
    return {
        "rate_per_s": rate,
        "messages": count,
        "recipients": len(recipients),
        "deliveries": delivered,
        "lost": expected - delivered,
        "duplicates": sum(r.duplicates for r in recipients),
        "deliveries_per_s": round(delivered / max(elapsed, send_elapsed), 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


async def one_to_one(url: str, setup: dict, messages: int) -> dict:
    sender = await open_socket(url, setup["sender"])
    partner_ws = await open_socket(url, setup["partner"])
    partner = Recipient(0, partner_ws)
    stop = asyncio.Event()
    sent_at: dict[int, float] = {}
    e2e: list[float] = []

    async def read() -> None:
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(partner_ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.time()
            event = json.loads(raw)
            if event.get("type") != "message.new":
                continue
            seq = int(event["message"]["body"].rsplit(" ", 1)[1])
            partner.seen.add(seq)
            partner.latencies.append((now - event["accepted_at"]) * 1000)
            e2e.append((now - sent_at[seq]) * 1000)

    reader = asyncio.create_task(read())
    # One at a time, 20 a second: latency without queueing.
    for seq in range(messages):
        sent_at[seq] = time.time()
        await sender.send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": setup["direct"],
                    "body": f"direct {seq}",
                    "client_id": f"d-{seq}-{uuid.uuid4().hex[:8]}",
                }
            )
        )
        await asyncio.sleep(0.05)
    deadline = time.perf_counter() + 5
    while len(partner.seen) < messages and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await reader
    await sender.close()
    await partner_ws.close()
    return {
        "messages": messages,
        "lost": messages - len(partner.seen),
        "delivery_p50_ms": round(percentile(partner.latencies, 50), 1),
        "delivery_p95_ms": round(percentile(partner.latencies, 95), 1),
        "delivery_p99_ms": round(percentile(partner.latencies, 99), 1),
        "end_to_end_p50_ms": round(percentile(e2e, 50), 1),
        "end_to_end_p99_ms": round(percentile(e2e, 99), 1),
    }


async def crowd(
    urls: list[str],
    *,
    sender_cookie: str,
    cookies: list[str],
    conversation: int,
    rates: list[float],
    seconds: float,
    label: str,
    around: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> list[dict]:
    """Connect the crowd, then send at each rate; `around` wraps the sending
    (not the connecting), e.g. to profile it."""
    recipients = await connect_all(urls, cookies)
    sender = await open_socket(urls[0], sender_cookie)
    results = []
    try:
        for rate in rates:
            with around():
                result = await run_rate(
                    sender,
                    recipients,
                    conversation,
                    rate=rate,
                    seconds=seconds,
                    mark=f"{label}{rate:g}",
                )
            results.append(result)
    finally:
        await sender.close()
        await asyncio.gather(
            *(r.ws.close() for r in recipients if r.ws), return_exceptions=True
        )
    return results


async def saturate(
    urls: list[str],
    sender_cookie: str,
    cookies: list[str],
    conversation: int,
    *,
    seconds: float,
    label: str,
) -> dict:
    """Raise the send rate until p99 passes the budget or a message is lost."""
    recipients = await connect_all(urls, cookies)
    sender = await open_socket(urls[0], sender_cookie)
    best = None
    steps = []
    try:
        rate = 10.0
        while rate <= 320:
            result = await run_rate(
                sender,
                recipients,
                conversation,
                rate=rate,
                seconds=seconds,
                mark=f"{label}{rate:g}",
            )
            steps.append(result)
            if result["lost"] or result["p99_ms"] > P99_BUDGET_MS:
                break
            best = result
            rate *= 2
    finally:
        await sender.close()
        await asyncio.gather(
            *(r.ws.close() for r in recipients if r.ws), return_exceptions=True
        )
    return {
        "best_deliveries_per_s": best["deliveries_per_s"] if best else 0,
        "best_rate_per_s": best["rate_per_s"] if best else 0,
        "steps": steps,
    }


@contextlib.contextmanager
def reference_server() -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [*pin(0), sys.executable, "-m", "bench.reference", str(port)], cwd=ROOT
    )
    try:
        wait_for_port(port, process, Path(os.devnull))
        yield Server(port, process, Path(os.devnull))
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--direct-messages", type=int, default=300)
    parser.add_argument("--idle", type=int, default=5000, help="idle sockets")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SCENARIOS,
        default=SCENARIOS,
        help="run only these scenarios (the JSON and table then hold only them)",
    )
    parser.add_argument(
        "--layer",
        choices=["redis", "pubsub"],
        default="redis",
        help="channels_redis RedisChannelLayer or RedisPubSubChannelLayer",
    )
    args = parser.parse_args()
    if "pages" in args.only:
        # Its own process and database (bench/pages.py): Django is set up
        # once per process, and this chain's database is another.
        subprocess.run([sys.executable, "-m", "bench.pages"], cwd=ROOT, check=True)
        if args.only == ["pages"]:
            return
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {CLIENT_CORE})
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for old_log in RESULTS_DIR.glob("daphne-*.log"):
        old_log.unlink()
    suffix = "" if args.layer == "redis" else f"-{args.layer}"
    with redis_server() as redis_url:
        db_url = database_url()
        env = server_env(redis_url, db_url)
        if args.layer == "pubsub":
            env["CHANNELS_URL"] = redis_url.replace("redis://", "redis+pubsub://", 1)
        results["layer"] = args.layer
        shared = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL")
        os.environ.update({k: env[k] for k in shared})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
        results["database"] = db_url.split(":", 1)[0]
        setup = prepare(args.members, args.idle)
        # The load generator holds thousands of sockets too: with Python's
        # default thresholds its full collections paused it for up to 1 s in
        # the reconnect storm, so it tunes its collector as the server does.
        tune_gc_for_a_server()
        space = {
            "sender_cookie": setup["sender"],
            "cookies": setup["crowd"],
            "conversation": setup["space"],
        }
        want = set(args.only)
        if want & {"direct", "space", "profile", "saturation"}:
            with daphne(env) as server:
                one_daphne(server, setup, space, results, want, args, suffix)
        if "two" in want:
            # Two processes, one per core, sharing Redis; the load generator
            # competes with them for the same two cores.
            with daphne(env, core=0) as first, daphne(env, core=1) as second:
                results["saturation_two_daphnes"] = asyncio.run(
                    saturate(
                        [first.url, second.url],
                        **space,
                        seconds=args.seconds / 2,
                        label="two",
                    )
                )
            print_progress("saturation, 2 Daphnes", results["saturation_two_daphnes"])
        if want & {"idle", "idle-two"} and args.idle:
            since, space_seen = up_to_date(setup["space"])
            # The tabs were up to date: the crowd's saw the space's events.
            members = set(setup["crowd"])
            seen = {c: space_seen if c in members else [] for c in setup["idle"]}
        if "idle" in want and args.idle:
            storm_profile: dict = {}
            with daphne(env) as server:
                results["idle"] = asyncio.run(
                    idle_fleet(
                        [server],
                        setup["idle"],
                        since,
                        seen,
                        around=lambda: sampled(
                            server.process.pid,
                            RESULTS_DIR / f"profile-storm{suffix}.txt",
                            into=storm_profile,
                            gil=True,
                        ),
                    )
                )
            results["idle"]["profile_storm"] = storm_profile
            print_progress("idle", results["idle"])
        if "idle-two" in want and args.idle:
            # The same tabs dealt out to two processes, one per core, as a
            # load balancer would: the load generator shares the cores.
            with daphne(env, core=0) as first, daphne(env, core=1) as second:
                results["idle_two_daphnes"] = asyncio.run(
                    idle_fleet([first, second], setup["idle"], since, seen)
                )
            print_progress("idle, 2 Daphnes", results["idle_two_daphnes"])
    if "reference" in want:
        with reference_server() as ref:
            results["reference"] = asyncio.run(
                saturate(
                    [ref.url],
                    "x=1",
                    ["x=1"] * args.members,
                    0,
                    seconds=args.seconds / 2,
                    label="ref",
                )
            )
        print_progress("reference", results["reference"])
        if args.idle:
            # The same storm against the bare server: what connecting and
            # answering a sync costs this box without Daphne and Django.
            tabs = [f"x={n}" for n in range(args.idle)]
            with reference_server() as ref:
                results["reference_idle"] = asyncio.run(
                    idle_fleet([ref], tabs, 0, {tab: [] for tab in tabs})
                )
            print_progress("reference, idle", results["reference_idle"])
    ceiling = results.get("reference", {}).get("best_deliveries_per_s") or 1
    for key in ("saturation_one_daphne", "saturation_two_daphnes"):
        if key in results:
            results[key]["ratio_to_reference"] = round(
                results[key]["best_deliveries_per_s"] / ceiling, 3
            )
    path = RESULTS_DIR / f"messaging{suffix}.json"
    path.write_text(json.dumps(results, indent=2))
    print_table(results, path)


def one_daphne(server, setup, space, results, want, args, suffix) -> None:
    if "direct" in want:
        results["one_to_one"] = asyncio.run(
            one_to_one(server.url, setup, args.direct_messages)
        )
        print_progress("1:1", results["one_to_one"])
    if "space" in want:
        results["space"] = asyncio.run(
            crowd(
                [server.url],
                **space,
                rates=[5, 20],
                seconds=args.seconds,
                label="space",
            )
        )
        for step in results["space"]:
            print_progress("space", step)
    if "profile" in want:
        # 20 msg/s again, sampled: where one Daphne's time goes.
        raw = RESULTS_DIR / f"profile-space-20{suffix}.txt"
        profile: dict = {}
        asyncio.run(
            crowd(
                [server.url],
                **space,
                rates=[20],
                seconds=args.seconds,
                label="prof",
                around=lambda: sampled(server.process.pid, raw, into=profile),
            )
        )
        results["profile_space_20"] = profile
        print_progress("profile", profile)
    if "saturation" in want:
        results["saturation_one_daphne"] = asyncio.run(
            saturate([server.url], **space, seconds=args.seconds / 2, label="sat")
        )
        print_progress("saturation, 1 Daphne", results["saturation_one_daphne"])


def up_to_date(space: int) -> tuple[int, list[int]]:
    """The cursor a tab that was up to date before the storm holds, and the
    cursors of the space's events it would name as seen in its sync."""
    from intranet.models import Event
    from intranet.sync import SYNC_LOOKBACK, latest_cursor

    cursor = latest_cursor()
    seen = Event.objects.filter(
        stream=f"conversation.{space}", id__gt=cursor - SYNC_LOOKBACK
    ).order_by("-id")
    return cursor, list(seen.values_list("id", flat=True)[:SYNC_LOOKBACK])


def print_progress(label: str, figures: dict) -> None:
    print(
        f"  {label}: {json.dumps({k: v for k, v in figures.items() if k != 'steps'})}",
        flush=True,
    )


def print_table(r: dict, path: Path) -> None:
    rows = []
    if "one_to_one" in r:
        o = r["one_to_one"]
        rows += [
            (
                "1:1 delivery p50 / p95 / p99 (ms)",
                f"{o['delivery_p50_ms']} / {o['delivery_p95_ms']} / "
                f"{o['delivery_p99_ms']}",
                "p50 ≤ 15, p99 ≤ 50",
            ),
            (
                "1:1 end-to-end p50 / p99 (ms)",
                f"{o['end_to_end_p50_ms']} / {o['end_to_end_p99_ms']}",
                "",
            ),
            ("1:1 lost", str(o["lost"]), "0"),
        ]
    for step in r.get("space", []):
        rows.append(
            (
                f"{step['recipients']} members at {step['rate_per_s']:g} msg/s: "
                "p50 / p99 / max (ms)",
                f"{step['p50_ms']} / {step['p99_ms']} / {step['max_ms']}",
                "p99 ≤ 200 at 5/s",
            )
        )
        rows.append(
            (
                "  deliveries/s, lost, duplicates",
                f"{step['deliveries_per_s']}, {step['lost']}, {step['duplicates']}",
                "0 lost",
            )
        )
    for key, label in (
        ("saturation_one_daphne", "Saturation, 1 Daphne"),
        ("saturation_two_daphnes", "Saturation, 2 Daphnes"),
    ):
        if key not in r:
            continue
        sat = r[key]
        rows.append(
            (
                f"{label} (deliveries/s at p99 ≤ 250 ms, share of reference)",
                f"{sat['best_deliveries_per_s']} ({sat['ratio_to_reference']})",
                "≥ 15,000",
            )
        )
    if "reference" in r:
        rows.append(
            (
                "Reference: bare websockets (deliveries/s)",
                str(r["reference"]["best_deliveries_per_s"]),
                "",
            )
        )
    for key, label in (
        ("idle", ""),
        ("idle_two_daphnes", ", 2 Daphnes"),
        ("reference_idle", ", bare websockets"),
    ):
        if key not in r:
            continue
        idle = r[key]
        rows += [
            (
                f"{idle['sockets']} idle sockets{label}: KiB each, idle CPU %",
                f"{idle['rss_per_connection_kib']}, {idle['idle_cpu_percent']}",
                "≤ 100 KiB",
            ),
            ("  connects/s", str(idle["connect_per_s"]), ""),
            (
                "  reconnect storm: resynced, 5xx, failed tries, all done (s)",
                f"{idle['storm_resynced']}, {idle['storm_5xx']}, "
                f"{sum(idle['storm_failed_attempts'].values())}, "
                f"{idle['storm_all_resynced_s']}",
                "all, 0, -, ≈10 s",
            ),
            (
                "  storm CPU %: servers, load generator",
                f"{idle['storm_server_cpu_percent']}, "
                f"{idle['storm_client_cpu_percent']}",
                "",
            ),
        ]
    profiles = [
        ("profile at 20 msg/s", r.get("profile_space_20", {}), "% of samples"),
        ("storm profile", r.get("idle", {}).get("profile_storm", {}), "% of GIL time"),
    ]
    for title, profile, unit in profiles:
        for name, share in profile.get("inclusive", {}).items():
            if share:  # a marker the scenario never reaches says nothing
                rows.append((f"  {title}: {name} ({unit})", str(share), ""))
    width = max(len(a) for a, _, _ in rows)
    print(f"\nCanteen message path ({r['database']}, {r['layer']} layer) → {path}")
    print(f"{'measure'.ljust(width)}  {'result':>24}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>24}  {target}")


if __name__ == "__main__":
    main()
