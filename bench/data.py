"""The benchmark's database and people: PostgreSQL when it answers, else
SQLite; sessions made in bulk; the environment every server process gets."""

import os
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT


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
    from messaging.models import Conversation, Membership
    from profiles.models import User
    from testkit.personas import signed_in_cookies

    people = [
        User(
            email=f"bench{n}@canteen.test",
            first_name="Bench",
            last_name=str(n),
            password="!",  # noqa: S106 - unusable; sessions are made directly,
        )
        for n in range(max(members, idle) + 2)
    ]
    # bulk_create skips save(), which keeps the people search's key.
    for person in people:
        person.search_key = person.make_search_key()
    people = User.objects.bulk_create(people)
    cookies = signed_in_cookies(people)
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
