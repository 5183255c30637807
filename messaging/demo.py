"""Conversations for the demo company (manage.py demo_company).

The demo login gets a few lived-in conversations, with some unread; the
rest of the company gets team groups and direct messages in proportion to
its size, so `--size 5000` yields a few hundred thousand messages for
benchmarks. Rows are bulk-inserted; the replay log (Event) starts empty
because no client holds a cursor from before the demo existed.
"""

import datetime
import random
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from intranet import plugins
from intranet.markdown import render_markdown
from messaging.models import Conversation, Membership, Message
from profiles.demo import DEFAULT_SIZE, DEMO_LOGIN
from profiles.models import User

MESSAGES_PER_PERSON = 40
BATCH = 5000

LINES = [
    "Morning all! Stand-up in 10 minutes.",
    "Has anyone seen the **Q3 planning** doc? I can't find the latest version.",
    "It's in the shared drive under _Planning → 2026_.",
    "Thanks! 🙏",
    "Quick one: are we still on for the 2pm sync?",
    "Yes, same room as last week.",
    "I'll be five minutes late, sorry.",
    "Shipping the release notes now. Shout if anything looks off.",
    "Looks great. One typo in the second paragraph: ~~recieve~~ receive.",
    "Can someone review my PR before lunch? It's small, I promise.",
    "On it.",
    "Lunch at the Italian place on Friday? 🍝",
    "Count me in!",
    "I can't make Friday, have fun though.",
    "Reminder: expenses for November are due on the 30th.",
    "Does anyone know who looks after new starters now?",
    "The People team does. Ask in the new starters' space.",
    "Customer call went well. They want a demo of the new reporting.",
    "Nice work! 🎉",
    "Here's the summary:\n\n- renewal confirmed\n- two new seats\n"
    "- follow-up next Tuesday",
    "Heads up: the staging database restarts at 18:00 UTC.",
    "Is the VPN slow for anyone else?",
    "Fine for me in Lisbon.",
    "Slow in Sydney, but it always is at this hour 😅",
    "I'm out tomorrow afternoon, back Thursday.",
    "Welcome to the team! Let me know if you need anything.",
    "Could you send me the link to the design review?",
    "Here you go: https://wiki.fernleaf.example/design/review-2026-11",
    "Running `make test` now, will report back.",
    "All green ✅",
    "Let's move this to the thread so we don't flood the channel.",
    "Good point, agreed.",
    "Who's going to the all-hands in person?",
    "Me, and I'll bring the new starters along.",
    "Does the new holiday policy apply from January?",
    "Yes, from 1 January. HR will post an announcement next week.",
    "Coffee chat anyone? ☕",
    "Just joined, hello everyone 👋",
    "Great to have you here!",
    "Can we push the retro to next week?",
]

ALEX_SCRIPTS = {
    "manager": [
        ("them", "Morning Alex! Two new starters this week, did their laptops arrive?"),
        ("alex", "Both delivered yesterday. I'll check in with them at 10."),
        ("them", "Perfect. Can you pair them with buddies from their teams?"),
        ("alex", "Already done, buddies are briefed."),
        ("them", "Brilliant, thank you 🙌"),
        ("them", "Also: can you draft the **holiday policy** announcement for Monday?"),
    ],
    "starter": [
        ("alex", "Welcome to Fernleaf! 🎉 How is your first week going?"),
        ("them", "Thank you! Everyone has been so friendly."),
        (
            "alex",
            "Glad to hear it. Ask anything in the new starters' space, we read it.",
        ),
        ("them", "Found it. Who should I ask about access to the code repositories?"),
        ("alex", "Your buddy can sort that out today."),
        ("them", "Great, I'll ping them. Thanks Alex!"),
    ],
}


def _render_pool(lines: Sequence[str]) -> dict[str, str]:
    # Render each distinct line once: a large demo reuses them many times.
    return {line: render_markdown(line) for line in lines}


@transaction.atomic
def build_demo_messages(
    *,
    seed: int,
    login_email: str,
    message_count: int,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Create demo conversations; return the number of messages made."""
    rng = random.Random(seed)
    tick = progress or (lambda n: None)
    html = _render_pool(LINES + [text for s in ALEX_SCRIPTS.values() for _, text in s])
    now = timezone.now()
    people = list(User.objects.select_related("department").order_by("id"))
    alex = next(p for p in people if p.email == login_email)
    made = 0
    counter = 0

    def message(conversation, sender, body, when):
        nonlocal counter
        counter += 1
        return Message(
            conversation=conversation,
            sender=sender,
            client_id=f"demo-{counter}",
            body=body,
            body_html=html[body],
            created_at=when,
        )

    # Alex's own conversations: a scripted, lived-in inbox.
    manager = alex.manager
    starter = next(
        p
        for p in people
        if p.start_date and p.start_date >= now.date() - datetime.timedelta(days=7)
    )
    rows: list[Message] = []
    unread_after: dict[int, int] = {}
    for key, other in (("manager", manager), ("starter", starter)):
        if other is None:
            continue
        low, high = sorted((alex.pk, other.pk))
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.DIRECT, direct_key=f"{low}:{high}", created_by=alex
        )
        Membership.objects.bulk_create(
            [
                Membership(conversation=conversation, user=alex),
                Membership(conversation=conversation, user=other),
            ]
        )
        script = ALEX_SCRIPTS[key]
        start = now - datetime.timedelta(hours=3 + len(script))
        for i, (who, text) in enumerate(script):
            sender = alex if who == "alex" else other
            rows.append(
                message(
                    conversation,
                    sender,
                    text,
                    start + datetime.timedelta(minutes=17 * i),
                )
            )
        # The last message from the other person is unread for Alex.
        unread_after[conversation.pk] = len(script) - 1

    # Team chats: a team space's chat when the demo made one (its members
    # are the department's), else a group.
    groups: list[tuple[Conversation, list[User]]] = []
    by_department: dict[str, list[User]] = {}
    for person in people:
        if person.department:
            by_department.setdefault(person.department.name, []).append(person)
    space_chats = {
        c.title: c for c in Conversation.objects.filter(kind=Conversation.Kind.SPACE)
    }
    for name, members in sorted(by_department.items()):
        if len(members) < 2:
            continue
        chat = space_chats.get(f"{name} team")
        if chat is None:
            chat = Conversation.objects.create(
                kind=Conversation.Kind.GROUP,
                title=f"{name} team",
                created_by=members[0],
            )
            Membership.objects.bulk_create(
                Membership(conversation=chat, user=m) for m in members
            )
        groups.append((chat, members))

    # Direct conversations between colleagues who work together.
    directs: list[tuple[Conversation, list[User]]] = []
    seen_keys = {c.direct_key for c in Conversation.objects.filter(kind="direct")}
    for person in people:
        if person.manager_id is None or rng.random() > 0.5:
            continue
        low, high = sorted((person.pk, person.manager_id))
        key = f"{low}:{high}"
        if key in seen_keys:
            continue
        seen_keys.add(key)
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.DIRECT, direct_key=key, created_by=person
        )
        pair = [person, person.manager]
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in pair if p
        )
        directs.append((conversation, [p for p in pair if p]))

    # Spread the bulk of the messages over the last 60 days.
    pools = groups * 3 + directs  # groups are busier
    remaining = max(0, message_count - len(rows))
    span = 60 * 24 * 3600
    times = sorted(rng.uniform(0, span) for _ in range(remaining))
    for offset in times:
        conversation, members = rng.choice(pools)
        when = now - datetime.timedelta(seconds=span - offset + 4 * 3600)
        rows.append(message(conversation, rng.choice(members), rng.choice(LINES), when))
        if len(rows) >= BATCH:
            Message.objects.bulk_create(rows)
            made += len(rows)
            tick(len(rows))
            rows = []
    if rows:
        Message.objects.bulk_create(rows)
        made += len(rows)
        tick(len(rows))

    _settle_read_state(unread_after, alex)
    return made


def _settle_read_state(unread_after: dict[int, int], alex: User) -> None:
    """Mark everything read, then leave a little unread for the demo login."""
    newest = Message.objects.filter(conversation=OuterRef("conversation_id"))
    Membership.objects.update(
        last_read_id=Coalesce(
            Subquery(newest.order_by("-id").values("id")[:1]), Value(0)
        )
    )
    Conversation.objects.update(
        last_message_at=Subquery(
            Message.objects.filter(conversation=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
    )
    for conversation_id, read_count in unread_after.items():
        ids = list(
            Message.objects.filter(conversation_id=conversation_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Membership.objects.filter(conversation_id=conversation_id, user=alex).update(
            last_read_id=ids[read_count - 1]
        )


def _build(*, size: int, seed: int, progress: Callable[[int], object]) -> str:
    made = build_demo_messages(
        seed=seed,
        login_email=DEMO_LOGIN,
        message_count=_total(size),
        progress=progress,
    )
    return f"{made:,} messages"


def _total(size: int) -> int:
    return max(size, DEFAULT_SIZE) * MESSAGES_PER_PERSON


plugins.demo_part(
    plugins.DemoPart(label="Messages", unit="msg", total=_total, build=_build)
)
