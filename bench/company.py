"""The big company of the feeds and capacity benches, and its recipe.

The demo company at --people (5,000: about 500 spaces, 200,000 posts and
a million comments and reactions), plus a space of --members for the
feeds bench's delivery, built in a PostgreSQL database (canteen_bench_feeds
at the default size) and kept while its recipe holds: the demo modules,
this module (everything here builds the data, nothing measures it), the
migrations and the arguments. A change to any of them builds anew.
"""

import argparse
import hashlib

from bench.harness import ROOT

DATABASE = "canteen_bench_feeds"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
CROWD_SPACE = "Bench crowd"
# The recipe of the stored build: a change to any of these builds anew.
RECIPE = [
    "profiles/demo.py",
    "feeds/demo.py",
    "messaging/demo.py",
    "bench/company.py",
]


def recipe(args: argparse.Namespace) -> str:
    digest = hashlib.sha256(f"{args.people}:{args.members}:{args.seed}".encode())
    migrations = sorted(ROOT.glob("*/migrations/0*.py"))
    for path in [*(ROOT / p for p in RECIPE), *migrations]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(args: argparse.Namespace) -> None:
    """The demo company at --people, and a space of --members for delivery."""
    from django.core.management import call_command
    from django.db import connection

    from feeds.models import Space, SpaceMember
    from messaging.models import Conversation, Membership
    from profiles.demo import DEMO_LOGIN
    from profiles.models import User

    call_command("migrate", verbosity=0)
    call_command("demo_company", size=args.people, seed=args.seed, verbosity=0)
    crowd = list(
        User.objects.exclude(email=DEMO_LOGIN)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.members]
    )
    chat = Conversation.objects.create(kind=Conversation.Kind.SPACE, title=CROWD_SPACE)
    space = Space.objects.create(
        name=CROWD_SPACE,
        slug="bench-crowd",
        kind=Space.Kind.COMMUNITY,
        chat=chat,
        created_by_id=crowd[0],
    )
    SpaceMember.objects.bulk_create(
        SpaceMember(
            space=space,
            user_id=pk,
            role=SpaceMember.Role.LEADER if pk == crowd[0] else SpaceMember.Role.MEMBER,
        )
        for pk in crowd
    )
    Membership.objects.bulk_create(
        Membership(conversation=chat, user_id=pk) for pk in crowd
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
