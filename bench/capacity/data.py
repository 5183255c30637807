"""The capacity bench's company: the feeds bench's build of the demo company
(bench/company.py), stored once per size and cloned for each run, and each
simulated employee's plan (a session, their 1:1 partner, their busy space's
chat, what to open).

At the default size the stored build is the feeds bench's own
canteen_bench_feeds (same builder, same recipe, so either bench reuses the
other's). Other sizes (`--people`) get canteen_capacity_p<N>. The embedded
set-up needs the company in SQLite: the same builder writes
bench/results/capacity-p<N>.sqlite3, kept beside a file naming its recipe.
Runs write to clones (canteen_capacity, capacity-run.sqlite3), never to the
stored builds, so the feeds bench's figures stay its own.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import company
from bench.harness import ROOT
from bench.inprocess import create_database, psql, stored_recipe

RESULTS = ROOT / "bench" / "results"
CLONE = "canteen_capacity"
PG = "postgres://postgres@127.0.0.1:5432/"
FEEDS_PEOPLE = 5000
SEED = 2026
# The busy spaces' chats: the simulated employees in pk order, this many to
# a space (an assumption: a busy team or project space, not the whole
# company; docs/capacity.md).
BUSY_SPACE_MEMBERS = 250


def build_args(people: int) -> argparse.Namespace:
    """The feeds bench's arguments for a company of `people`."""
    return argparse.Namespace(
        people=people, members=min(1000, people - 1), seed=SEED, rebuild=False
    )


def stored_name(people: int) -> str:
    return company.DATABASE if people == FEEDS_PEOPLE else f"canteen_capacity_p{people}"


def sqlite_path(people: int) -> Path:
    return RESULTS / f"capacity-p{people}.sqlite3"


def ensure_built(people: int, *, sqlite: bool) -> str:
    """Build the company at `people` unless a build of this recipe is
    stored; return the stored build's database URL."""
    wanted = company.recipe(build_args(people))
    if sqlite:
        path = sqlite_path(people)
        mark = path.with_suffix(".recipe")
        url = f"sqlite:///{path}"
        if path.exists() and mark.exists() and mark.read_text() == wanted:
            return url
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        _build_in_subprocess(url, people)
        mark.write_text(wanted)
        return url
    name = stored_name(people)
    url = PG + name
    if stored_recipe(name) == wanted:
        return url
    create_database(name)
    _build_in_subprocess(url, people)
    psql(f"COMMENT ON DATABASE {name} IS '{wanted}'")
    return url


def _build_in_subprocess(url: str, people: int) -> None:
    print(f"Building the {people:,}-person company in {url}…", flush=True)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "canteen-bench-only-" + "x" * 40,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
    }
    for key in ("REDIS_URL", "CHANNELS_URL", "CACHE_URL"):
        env.pop(key, None)
    subprocess.run(
        [sys.executable, "-m", "bench.capacity.data", str(people)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def clone(source_url: str) -> str:
    """A fresh copy of a stored build for this run; return its URL."""
    if source_url.startswith("sqlite:///"):
        source = Path(source_url.removeprefix("sqlite:///"))
        target = RESULTS / "capacity-run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    source_name = source_url.rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {CLONE} WITH (FORCE)")
    # A template copy is a file copy: seconds, where a rebuild is minutes.
    psql(f"CREATE DATABASE {CLONE} TEMPLATE {source_name}")
    return PG + CLONE


def plans(count: int) -> list[dict]:
    """Sign in the first `count` people and return each one's plan; call
    with Django set up on a clone. Busy spaces and 1:1 pairs are made here
    in bulk, as bench/data.py does, so nothing is published."""
    from django.db.models import Count

    from feeds.models import Post, SpaceMember
    from messaging.demo import LINES
    from messaging.models import Conversation, Membership
    from profiles.demo import DEMO_LOGIN
    from profiles.models import User
    from testkit.personas import signed_in_cookies

    people = list(
        User.objects.filter(is_active=True)
        .exclude(email=DEMO_LOGIN)
        .order_by("pk")[: count + count % 2]
    )
    cookies = signed_in_cookies(people)
    ids = [p.pk for p in people]

    # 1:1 partners: neighbours in pk order, who join the ramp together.
    keys = {}
    for a, b in zip(ids[0::2], ids[1::2], strict=False):
        keys[a] = keys[b] = f"{min(a, b)}:{max(a, b)}"
    Conversation.objects.bulk_create(
        [Conversation(kind="direct", direct_key=k) for k in set(keys.values())],
        ignore_conflicts=True,
    )
    direct = dict(
        Conversation.objects.filter(direct_key__in=set(keys.values())).values_list(
            "direct_key", "pk"
        )
    )
    Membership.objects.bulk_create(
        [Membership(conversation_id=direct[keys[p]], user_id=p) for p in keys],
        ignore_conflicts=True,
        batch_size=1000,
    )
    busy = []
    for start in range(0, len(ids), BUSY_SPACE_MEMBERS):
        chat = Conversation.objects.create(
            kind="space", title=f"Capacity busy {start // BUSY_SPACE_MEMBERS + 1}"
        )
        Membership.objects.bulk_create(
            [
                Membership(conversation=chat, user_id=p)
                for p in ids[start : start + BUSY_SPACE_MEMBERS]
            ],
            batch_size=1000,
        )
        busy.append(chat.pk)

    conversations: dict[int, list[int]] = {p: [] for p in ids}
    for user_id, conversation_id in (
        Membership.objects.filter(user_id__in=ids)
        .order_by("user_id", "-conversation_id")
        .values_list("user_id", "conversation_id")
    ):
        if len(conversations[user_id]) < 12:
            conversations[user_id].append(conversation_id)
    spaces: dict[int, list[tuple[int, str]]] = {p: [] for p in ids}
    for user_id, space_id, slug in (
        SpaceMember.objects.filter(user_id__in=ids)
        .annotate(n=Count("space__members"))
        .order_by("user_id", "-n")
        .values_list("user_id", "space_id", "space__slug")
    ):
        if len(spaces[user_id]) < 5:
            spaces[user_id].append((space_id, slug))
    # Recent posts of each space someone simulated is in: what their feeds
    # show, to react to and comment on.
    wanted = {s for each in spaces.values() for s, _ in each}
    posts: dict[int, list[int]] = {}
    for space_id, post_id in (
        Post.objects.filter(space_id__in=wanted)
        .order_by("space_id", "-pk")
        .values_list("space_id", "pk")
    ):
        if len(posts.setdefault(space_id, [])) < 10:
            posts[space_id].append(post_id)
    words = sorted({w.strip(".,!?").lower() for line in LINES for w in line.split()})
    words = [w for w in words if len(w) > 4][:40] or ["planning"]
    return [
        {
            "id": p,
            "cookie": cookie,
            "direct": direct[keys[p]] if p in keys else None,
            "busy": busy[n // BUSY_SPACE_MEMBERS],
            "conversations": conversations[p],
            "spaces": [slug for _, slug in spaces[p]],
            "posts": [post for s, _ in spaces[p] for post in posts.get(s, [])][:30],
            "people": ids[max(0, n - 20) : n + 20],
            "words": words,
        }
        for n, (p, cookie) in enumerate(zip(ids, cookies, strict=True))
    ][:count]


def _build(people: int) -> None:
    """Run in a subprocess with DATABASE_URL set: bench/company.py's build."""
    import django

    django.setup()
    from django.db import DatabaseError, connection

    try:
        company.build(build_args(people))
    except DatabaseError:
        # SQLite has no VACUUM ANALYZE, the build's last statement.
        if connection.vendor != "sqlite":
            raise
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _plan(count: int, out: str) -> None:
    """Run in a subprocess with DATABASE_URL set: write the plans."""
    import django

    django.setup()
    Path(out).write_text(json.dumps(plans(count)))


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        _plan(int(sys.argv[2]), sys.argv[3])
    else:
        _build(int(sys.argv[1]))
