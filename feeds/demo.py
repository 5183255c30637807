"""Spaces and feeds for the demo company (manage.py demo_company).

After the people (profiles/demo.py) and before the messages: a team space
per department, the company-wide space with HR's posts (one pinned, one
announcement) and HR's announcements (a must-read half acknowledged, one
pinned for a week, one scheduled), an onboarding space for this week's
starters, communities in proportion to the company, and six weeks of
posts with comments, replies and reactions. Everything is bulk-inserted,
each space's chat with it (members equal to the space's): `--size 5000`
makes about 500 spaces, 200,000 posts and a million comments and
reactions. Post ids grow with their time, as the feeds' keyset pages
expect; the catch-up log starts empty because no client holds a cursor
from before the demo existed.
"""

import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from feeds.models import (
    Comment,
    Post,
    PostView,
    Reaction,
    Reader,
    Space,
    SpaceMember,
)
from intranet import plugins
from intranet.markdown import render
from messaging.models import Conversation, Membership
from profiles.demo import DEFAULT_SIZE, DEMO_LOGIN, DOMAIN, EMPLOYEE, NEW_STARTER
from profiles.models import Department, User

COMPANY = DOMAIN.split(".", 1)[0].title()
POSTS_PER_PERSON = 40
# About one community for every ten people; the demo has at least these.
PEOPLE_PER_COMMUNITY = 10
SPAN_DAYS = 42
BATCH = 2000
EMOJI = ["👍", "🎉", "❤️", "😂", "🙌", "👀", "🔥", "💯", "🙏", "☕"]
Role = SpaceMember.Role

# {who}: a member of the space, written as an @mention.
TEAM_POSTS = [
    "Sprint review is on Thursday at 15:00. Bring one thing you shipped and "
    "one thing you learned.",
    "We closed **42 tickets** this week. Thank you all, that's a record 🎉",
    "Reminder: the team offsite is on the 14th. Please add your dietary "
    "needs to the thread below.",
    "New runbook for on-call handovers is up on the wiki. Comments welcome "
    "before Friday.",
    "Big thanks to {who} for jumping in on the incident last night 🙏",
    "Planning for next quarter starts Monday. What should we stop doing?",
    "I'm trialling a no-meeting Wednesday for the team. Let's see how it goes.",
    "Customer feedback round-up:\n\n- faster exports\n- clearer invoices\n"
    "- dark mode (again)",
    "Welcome back {who}! Hope the holiday was great.",
    "Retro notes are in. Top theme: fewer handoffs between teams.",
    "Who can cover support rotation next Tuesday? I'm at the dentist.",
    "Heads up: the shared calendar moved to the new booking tool.",
    "Our numbers for the month are looking good. Details in the all-hands.",
    "Pairing sessions this week: {who} has two slots free if anyone wants one.",
    "The team lunch is on me this Friday. Any requests? 🍕",
]
COMPANY_POSTS = [
    "Payroll for this month goes out on the 25th as usual.",
    "The office in Lisbon is closed on Friday for a public holiday.",
    "Learning budget reminder: everyone has €1,000 a year for courses, books "
    "and conferences. Ask your manager, then send the receipt to People.",
    "Our engagement survey is open until Friday. It takes ten minutes and it "
    "is anonymous.",
    "Please welcome this month's new joiners! Say hello in your team's space.",
    "The all-hands is next Thursday at 16:00 London time. Questions for the "
    "leadership team go in the comments.",
    "Office moves: the Berlin team moves to the fourth floor on Monday.",
    "Open enrolment for the health plan closes at the end of the month.",
]
ONBOARDING_POSTS = [
    "A tip for your first week: book a coffee with someone outside your team. "
    "Everyone is happy to chat ☕",
    "Your laptop questions go to IT in the chat of this space: they read it.",
    "Lunch for new starters is on Thursday at 12:30, meet at reception.",
]
COMMUNITIES: dict[str, tuple[str, list[str]]] = {
    "Running club": (
        "Runs before work and races at weekends. Every pace welcome.",
        [
            "Saturday long run: 15 km along the river, meet at 8:00 🏃",
            "Who's signing up for the half marathon in April?",
            "New personal best at parkrun this morning! 22:41 🎉",
            "Rainy run tomorrow anyway? I'm in if {who} is.",
            "Shoe recommendations for flat feet? Asking for a friend.",
        ],
    ),
    "Book club": (
        "One book a month, discussed over lunch.",
        [
            "This month's book: *The Remains of the Day*. We meet on the 20th.",
            "I'm halfway through and I can't put it down 📚",
            "Suggestions for next month? Fiction this time, please.",
            "{who} recommended this one and it did not disappoint.",
            "Audiobooks count. Fight me.",
        ],
    ),
    "Parents": (
        "Parents and carers at the company: tips, swaps and support.",
        [
            "Any tips for the first week of nursery? Asking for tomorrow 😅",
            "Hand-me-down bike for a five-year-old, free to a good home.",
            "Half-term plans, anyone? Looking for ideas in the city.",
            "Thank you {who} for the sleep advice. It worked, two nights in a row!",
        ],
    ),
    "Photography": (
        "Share your shots, swap tips, join a photo walk.",
        [
            "Photo walk on Sunday at golden hour, bring any camera 📷",
            "My best shot from the weekend: fog over the harbour.",
            "Film or digital? Discuss.",
            "{who}'s street photography series is brilliant, have a look.",
        ],
    ),
    "Tech talks": (
        "Lunchtime talks from anyone, about anything technical.",
        [
            "Next talk: *What we learned moving to PostgreSQL 16*. Thursday 12:30.",
            "Slides from last week's talk on observability are pinned in the chat.",
            "Looking for speakers for next month. Ten minutes is plenty!",
            "{who} is giving a talk on accessibility testing. Don't miss it.",
            "Recording of the caching talk is up. Great questions at the end.",
            "Tip from the accessibility talk: a `<button>` beats a clickable "
            "<div onclick> every time.",
        ],
    ),
}
CLOSED_COMMUNITY = "Parents"
COMMENTS = [
    "Great news!",
    "Thanks for sharing 🙏",
    "Count me in.",
    "Love this.",
    "Could we do it a week later? I'm away that week.",
    "+1, this would help a lot.",
    "Thanks {who}, that's really useful.",
    "Where can I find more about this?",
    "Nice work, everyone 🎉",
    "I can help with that.",
    "Is this for everyone or just the London office?",
    "Brilliant, thank you!",
    "Added to my calendar.",
    "Same here 😄",
]
REPLIES = [
    "Good question: yes, for everyone.",
    "Agreed!",
    "I'll send you the link.",
    "Ha, me too.",
    "Thanks, sorted now.",
    "See you there!",
]


@dataclass
class SpacePlan:
    space: Space
    members: list[int]
    leaders: set[int] = field(default_factory=set)
    moderators: set[int] = field(default_factory=set)
    posters: list[int] = field(default_factory=list)  # who writes its posts
    # Who comments and reacts: members who were here six weeks ago.
    regulars: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    weight: float = 1.0  # share of the generated posts


def _slugs() -> Callable[[str], str]:
    taken: set[str] = set(Space.objects.values_list("slug", flat=True))

    def unique(name: str) -> str:
        base = slugify(name)[:80] or "space"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    return unique


class _Renderer:
    """Render each distinct text once, @mentions included."""

    def __init__(self, people: dict[int, User]) -> None:
        self.people = {
            p.display_name.lower(): (p.pk, p.display_name) for p in people.values()
        }
        self.cache: dict[str, tuple[str, frozenset[int]]] = {}

    def __call__(self, text: str) -> tuple[str, frozenset[int]]:
        found = self.cache.get(text)
        if found is None:
            rendered = render(text, people=self.people)
            found = self.cache[text] = (rendered.html, rendered.mentioned)
        return found


def _fill(line: str, rng: random.Random, names: Sequence[str]) -> str:
    if "{who}" not in line:
        return line
    return line.replace("{who}", f"@**{rng.choice(names)}**")


def _plan_spaces(
    rng: random.Random, people: list[User], size: int, slug: Callable[[str], str]
) -> list[SpacePlan]:
    alex = next(p for p in people if p.email == DEMO_LOGIN)
    rita = next(p for p in people if p.email == NEW_STARTER.email)
    sam = next(p for p in people if p.email == EMPLOYEE.email)
    plans: list[SpacePlan] = []

    # A team space per department; its head (managed from outside it) leads.
    by_department: dict[int, list[User]] = {}
    for person in people:
        if person.department_id:
            by_department.setdefault(person.department_id, []).append(person)
    for department in Department.objects.order_by("name"):
        staff = by_department.get(department.pk, [])
        if len(staff) < 2:  # the chief executive's team of one
            continue
        ids = {p.pk for p in staff}
        heads = {p.pk for p in staff if p.manager_id is None or p.manager_id not in ids}
        plans.append(
            SpacePlan(
                Space(
                    name=f"{department.name} team",
                    slug=slug(f"{department.name} team"),
                    description=department.description,
                    kind=Space.Kind.TEAM,
                    department=department,
                ),
                members=sorted(ids),
                leaders=heads,
                posters=sorted(ids),
                lines=TEAM_POSTS,
                weight=3.0 * len(staff) ** 0.7,
            )
        )

    # The company: everyone; HR (the People department) leads and posts.
    hr = [p.pk for p in people if p.department and p.department.name == "People"]
    plans.append(
        SpacePlan(
            Space(
                name=f"Everyone at {COMPANY}",
                slug=slug(f"everyone-at-{COMPANY}"),
                description=f"News for all of {COMPANY}, from the People team.",
                kind=Space.Kind.COMPANY,
                who_may_post=Space.Who.LEADERS,
            ),
            members=[p.pk for p in people],
            leaders=set(hr),
            posters=hr,
            lines=COMPANY_POSTS,
            weight=0.0,  # only HR's weekly posts, made below
        )
    )

    # This week's starters, with HR.
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    starters = [p.pk for p in people if p.start_date and p.start_date >= monday]
    plans.append(
        SpacePlan(
            Space(
                name=f"New starters, week of {monday:%-d %B}",
                slug=slug(f"new-starters-{monday:%Y-%m-%d}"),
                description="Your first week: questions, tips and people to meet.",
                kind=Space.Kind.ONBOARDING,
                visibility=Space.Visibility.CLOSED,
            ),
            members=sorted({*hr, *starters}),
            leaders={alex.pk},
            posters=[alex.pk],
            lines=ONBOARDING_POSTS,
            weight=0.0,
        )
    )

    # Communities: the five, then more by topic and office as the company
    # grows. The demo login is in a few (about a hundred at --size 5000).
    topics = list(COMMUNITIES)
    cities = sorted({p.location for p in people if p.location})
    # The small demo has the five; a big company one per PEOPLE_PER_COMMUNITY.
    count = (
        len(topics)
        if size <= DEFAULT_SIZE
        else max(len(topics), size // PEOPLE_PER_COMMUNITY)
    )
    names = list(topics)
    while len(names) < count:
        n = len(names) - len(topics)
        topic, city = topics[n % len(topics)], cities[n // len(topics) % len(cities)]
        round_ = n // (len(topics) * len(cities))
        names.append(f"{topic}, {city}" + (f" {round_ + 1}" if round_ else ""))
    others = [p.pk for p in people if p.pk != alex.pk]
    heavy = set(rng.sample(range(count), min(count, max(3, size // 50))))
    for i, name in enumerate(names):
        topic = topics[i % len(topics)]
        description, lines = COMMUNITIES[topic]
        wanted = rng.randint(6, max(6, min(60, len(people) // 3)))
        members = set(rng.sample(others, min(wanted, len(others))))
        if i in heavy:
            members.add(alex.pk)
        if name == "Running club":
            members.add(rita.pk)
        if name in ("Tech talks", "Book club"):
            members.add(sam.pk)
        founder = sorted(members - {alex.pk, rita.pk})[0]
        ordered = sorted(members)
        plans.append(
            SpacePlan(
                Space(
                    name=name,
                    slug=slug(name),
                    description=description,
                    kind=Space.Kind.COMMUNITY,
                    visibility=Space.Visibility.CLOSED
                    if topic == CLOSED_COMMUNITY
                    else Space.Visibility.OPEN,
                    created_by_id=founder,
                ),
                members=ordered,
                leaders={founder},
                moderators={ordered[-1]} if len(ordered) > 10 else set(),
                posters=ordered,
                lines=lines,
                weight=len(ordered) ** 0.7,
            )
        )
    # This week's starters write only their own scripted posts.
    new = {p.pk for p in people if p.start_date and p.start_date >= monday}
    for plan in plans:
        plan.posters = [pk for pk in plan.posters if pk not in new]
        plan.regulars = [pk for pk in plan.members if pk not in new]
    return plans


def _make_spaces(plans: list[SpacePlan]) -> None:
    """Insert the spaces, their chats and both sets of members."""
    now = timezone.now()
    chats = Conversation.objects.bulk_create(
        [
            Conversation(kind=Conversation.Kind.SPACE, title=plan.space.name[:100])
            for plan in plans
        ],
        batch_size=BATCH,
    )
    for plan, chat in zip(plans, chats, strict=True):
        plan.space.chat = chat
        plan.space.created_at = now - datetime.timedelta(days=SPAN_DAYS + 30)
    Space.objects.bulk_create([plan.space for plan in plans], batch_size=BATCH)

    def members() -> Iterator[SpaceMember]:
        for plan in plans:
            for user_id in plan.members:
                role = (
                    Role.LEADER
                    if user_id in plan.leaders
                    else Role.MODERATOR
                    if user_id in plan.moderators
                    else Role.MEMBER
                )
                yield SpaceMember(space=plan.space, user_id=user_id, role=role)

    SpaceMember.objects.bulk_create(members(), batch_size=BATCH)
    Membership.objects.bulk_create(
        (
            Membership(conversation=plan.space.chat, user_id=user_id)
            for plan in plans
            for user_id in plan.members
        ),
        batch_size=BATCH,
    )


class _Writer:
    """Posts with their comments and reactions, inserted in batches."""

    def __init__(
        self, rng: random.Random, people: dict[int, User], tick: Callable[[int], object]
    ) -> None:
        self.rng = rng
        self.names = {pk: p.display_name for pk, p in people.items()}
        self.render = _Renderer(people)
        self.tick = tick
        self.now = timezone.now()
        self.pending: list[tuple[Post, SpacePlan, frozenset[int]]] = []
        self.counts = {"posts": 0, "comments": 0, "reactions": 0}
        self.serial = 0

    def post(
        self,
        plan: SpacePlan,
        author: int,
        text: str,
        when: datetime.datetime,
        **extra,
    ) -> Post:
        html, mentioned = self.render(text)
        self.serial += 1
        post = Post(
            space=plan.space,
            author_id=author,
            client_id=f"demo-post-{self.serial}",
            body=text,
            body_html=html,
            created_at=when,
            **extra,
        )
        self.pending.append((post, plan, mentioned))
        if len(self.pending) >= BATCH:
            self.flush()
        return post

    def random_post(self, plan: SpacePlan, when: datetime.datetime) -> None:
        names = [
            self.names[pk]
            for pk in self.rng.sample(plan.regulars, min(5, len(plan.regulars)))
        ]
        author = self.rng.choice(plan.posters)
        text = _fill(
            self.rng.choice(plan.lines),
            self.rng,
            [n for n in names if n != self.names[author]] or names,
        )
        self.post(plan, author, text, when)

    def flush(self) -> None:
        if not self.pending:
            return
        rng = self.rng
        # Decide each post's comments first: comment_count goes in with it.
        threads: list[list[tuple[int, str, bool]]] = []
        for post, plan, _ in self.pending:
            n = min(len(plan.regulars) - 1, int(rng.expovariate(1 / 2.5)))
            thread = []
            for i in range(max(0, n)):
                reply = i > 0 and rng.random() < 0.25
                text = rng.choice(REPLIES if reply else COMMENTS)
                who = rng.choice(plan.regulars)
                text = _fill(text, rng, [self.names[post.author_id]])
                thread.append((who, text, reply))
            post.comment_count = len(thread)
            threads.append(thread)
        posts = Post.objects.bulk_create([p for p, _, _ in self.pending])
        through = Post.mentions.through
        through.objects.bulk_create(
            through(post_id=post.pk, user_id=user_id)
            for post, _, mentioned in self.pending
            for user_id in mentioned
        )

        comments: list[Comment] = []
        replies: list[tuple[Comment, int]] = []  # (reply, index of its parent)
        for post, thread in zip(posts, threads, strict=True):
            when = post.created_at
            first = len(comments)
            for who, text, is_reply in thread:
                when = min(
                    self.now, when + datetime.timedelta(minutes=rng.randint(3, 240))
                )
                html, _ = self.render(text)
                comment = Comment(
                    post=post, author_id=who, body=text, body_html=html, created_at=when
                )
                if is_reply:
                    replies.append((comment, rng.randrange(first, len(comments))))
                else:
                    comments.append(comment)
        Comment.objects.bulk_create(comments, batch_size=BATCH)
        for answer, parent in replies:
            answer.parent = comments[parent]
        Comment.objects.bulk_create([r for r, _ in replies], batch_size=BATCH)

        reactions: list[Reaction] = []
        for post, plan, _ in self.pending:
            n = min(len(plan.regulars), int(rng.expovariate(1 / 3)))
            for user_id in rng.sample(plan.regulars, n):
                reactions.append(
                    Reaction(
                        post=post,
                        user_id=user_id,
                        emoji=rng.choice(EMOJI[:6]),
                        created_at=post.created_at,
                    )
                )
        for comment in comments:
            if rng.random() < 0.2:
                reactions.append(
                    Reaction(
                        post_id=comment.post_id,
                        comment=comment,
                        user_id=comment.post.author_id,
                        emoji=rng.choice(EMOJI),
                        created_at=comment.created_at,
                    )
                )
        Reaction.objects.bulk_create(reactions, batch_size=BATCH)

        self.counts["posts"] += len(posts)
        self.counts["comments"] += len(comments) + len(replies)
        self.counts["reactions"] += len(reactions)
        self.tick(len(posts))
        self.pending = []


@dataclass(order=True)
class _Spec:
    when: datetime.datetime
    order: int
    plan: SpacePlan = field(compare=False)
    author: int | None = field(compare=False)  # None: a random member
    text: str = field(compare=False, default="")
    extra: dict = field(compare=False, default_factory=dict)


def _scripted(
    plans: list[SpacePlan], people: list[User], now: datetime.datetime
) -> list[_Spec]:
    """HR's posts, the starters' welcome, and the personas' own posts."""
    alex = next(p for p in people if p.email == DEMO_LOGIN)
    rita = next(p for p in people if p.email == NEW_STARTER.email)
    sam = next(p for p in people if p.email == EMPLOYEE.email)
    company = next(p for p in plans if p.space.kind == Space.Kind.COMPANY)
    onboarding = next(p for p in plans if p.space.kind == Space.Kind.ONBOARDING)
    engineering = next(
        p for p in plans if p.space.kind == Space.Kind.TEAM and rita.pk in p.members
    )
    starters = [
        p
        for p in people
        if p.pk in onboarding.members
        and p.pk != alex.pk
        and p.start_date
        and p.start_date >= timezone.localdate() - datetime.timedelta(days=6)
    ]
    hours = datetime.timedelta(hours=1)
    today = timezone.localdate()
    monday = datetime.datetime.combine(
        today - datetime.timedelta(days=today.weekday()),
        datetime.time(9),
        tzinfo=datetime.UTC,
    )
    specs: list[_Spec] = []

    def add(plan, author, text, when, **extra):
        specs.append(
            _Spec(min(when, now - hours), len(specs), plan, author, text, extra)
        )

    add(
        company,
        alex.pk,
        f"**Welcome to Everyone at {COMPANY}** 👋\n\nCompany news and "
        "announcements from the People team land here, for everyone. Comment "
        "and react below; your team's own news goes in its team space.",
        now - datetime.timedelta(days=SPAN_DAYS),
        pinned_at=now - datetime.timedelta(days=SPAN_DAYS),
    )
    for week in range(SPAN_DAYS // 7):
        add(
            company,
            company.posters[week % len(company.posters)],
            COMPANY_POSTS[week % len(COMPANY_POSTS)],
            now - datetime.timedelta(days=SPAN_DAYS - 7 * week - 1, hours=-2),
        )
    add(
        company,
        alex.pk,
        "**New holiday policy from 1 January** 🌴\n\nEveryone gets 28 days of "
        "holiday a year, plus your local public holidays. Unused days (up to "
        "five) carry over to March. Questions? Ask in the comments.",
        now - datetime.timedelta(days=2, hours=3),
        is_announcement=True,
    )
    welcome = " and ".join(f"@**{p.display_name}**" for p in starters)
    add(
        onboarding,
        alex.pk,
        f"Welcome to {COMPANY}, {welcome}! 🎉\n\nThis space is for your first "
        "weeks: ask anything here or in its chat, and the People team will "
        f"answer. Your team has its own space, and company news is in "
        f"**Everyone at {COMPANY}**.",
        monday,
        pinned_at=monday,
    )
    for n, line in enumerate(ONBOARDING_POSTS, start=1):
        add(onboarding, alex.pk, line, monday + n * 2 * hours)
    add(
        engineering,
        sam.pk,
        f"Please welcome @**{rita.display_name}** to the team! She joins us as a "
        "Software Engineer in Lisbon. Say hi 👋",
        monday + 3 * hours,
    )
    add(
        onboarding,
        rita.pk,
        "Hi everyone! I'm Rita, a software engineer in Lisbon. Looking forward "
        "to meeting you all 👋",
        monday + 5 * hours,
    )
    return specs


def _settle(plans: list[SpacePlan], people: list[User]) -> None:
    """Everyone has read everything, but the demo's people: a little unread
    for the demo login, the new starter's onboarding space all unread; and
    reach for the personas' posts."""
    newest = Post.objects.filter(space=OuterRef("space_id")).order_by("-id")
    SpaceMember.objects.update(
        last_read_post_id=Coalesce(Subquery(newest.values("id")[:1]), Value(0))
    )
    Space.objects.update(
        last_post_at=Subquery(
            Post.objects.filter(space=OuterRef("pk"))
            .order_by("-id")
            .values("created_at")[:1]
        )
    )
    alex = next(p for p in people if p.email == DEMO_LOGIN)
    rita = next(p for p in people if p.email == NEW_STARTER.email)
    theirs = [
        p
        for p in plans
        if alex.pk in p.members and p.space.kind != Space.Kind.ONBOARDING
    ]
    for plan, unread in zip(theirs[:3], (4, 2, 7), strict=False):
        ids = list(
            Post.objects.filter(space=plan.space)
            .exclude(author=alex)
            .order_by("-id")
            .values_list("id", flat=True)[: unread + 1]
        )
        if len(ids) > unread:
            SpaceMember.objects.filter(space=plan.space, user=alex).update(
                last_read_post_id=ids[unread]
            )
    onboarding = next(p for p in plans if p.space.kind == Space.Kind.ONBOARDING)
    SpaceMember.objects.filter(space=onboarding.space, user=rita).update(
        last_read_post_id=0
    )

    # Reach: the personas' posts were seen by some of their audience.
    rng = random.Random(len(people))
    by_space = {plan.space.pk: plan.members for plan in plans}
    personas = [
        p.pk
        for p in people
        if p.email in (DEMO_LOGIN, NEW_STARTER.email, EMPLOYEE.email)
    ]
    views = []
    for post in Post.objects.filter(author_id__in=personas).only(
        "id", "space_id", "author_id", "created_at"
    ):
        audience = [m for m in by_space[post.space_id] if m != post.author_id]
        for user_id in rng.sample(audience, int(len(audience) * rng.uniform(0.3, 0.8))):
            views.append(
                PostView(post_id=post.pk, user_id=user_id, seen_at=post.created_at)
            )
    PostView.objects.bulk_create(views, batch_size=BATCH)


def _total(size: int) -> int:
    return max(size, DEFAULT_SIZE) * POSTS_PER_PERSON


@transaction.atomic
def build_demo_feeds(
    *,
    size: int = DEFAULT_SIZE,
    seed: int = 2026,
    progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Create the demo's spaces and feeds; return counts. Call once, after
    the people."""
    rng = random.Random(seed)
    tick = progress or (lambda n: None)
    size = max(size, DEFAULT_SIZE)
    people = list(User.objects.select_related("department").order_by("id"))
    plans = _plan_spaces(rng, people, size, _slugs())
    _make_spaces(plans)

    now = timezone.now()
    specs = _scripted(plans, people, now)
    scripted = len(specs)
    busy = [p for p in plans if p.weight > 0]
    weights = [p.weight for p in busy]
    span = SPAN_DAYS * 24 * 3600.0
    for n, plan in enumerate(
        rng.choices(busy, weights=weights, k=max(0, _total(size) - scripted))
    ):
        # Working hours, mostly: a post's time is a random day's 8:00-19:00.
        day = rng.randrange(SPAN_DAYS)
        when = now - datetime.timedelta(
            seconds=span - day * 86400.0 - rng.uniform(8, 19) * 3600
        )
        specs.append(
            _Spec(
                min(when, now - datetime.timedelta(minutes=30)),
                scripted + n,
                plan,
                None,
            )
        )
    specs.sort()

    writer = _Writer(rng, {p.pk: p for p in people}, tick)
    for spec in specs:
        if spec.author is None:
            writer.random_post(spec.plan, spec.when)
        else:
            writer.post(spec.plan, spec.author, spec.text, spec.when, **spec.extra)
    writer.flush()
    _settle(plans, people)
    _announcements(rng, people, now)
    return {"spaces": len(plans), **writer.counts}


def _announcements(
    rng: random.Random, people: list[User], now: datetime.datetime
) -> None:
    """HR's announcements, through the services: a must-read that about
    half of the company has acknowledged, one pinned for a week, and one
    scheduled for the day after tomorrow (the worker, or `make run`,
    publishes it then)."""
    from feeds.services import announcements

    alex = next(p for p in people if p.email == DEMO_LOGIN)
    company = Space.objects.get(kind=Space.Kind.COMPANY)
    must_read = announcements.announce(
        alex,
        space_id=company.pk,
        body="**Please read: our new code of conduct** 📘\n\nIt takes effect on "
        "the 1st. It is short, and it applies to every one of us: press "
        "*I've read this* once you have.",
        must_read=True,
    )
    readers = list(
        Reader.objects.filter(announcement=must_read).values_list("pk", flat=True)
    )
    acknowledged = rng.sample(readers, len(readers) // 2)
    Reader.objects.filter(pk__in=acknowledged).update(
        acknowledged_at=now - datetime.timedelta(minutes=rng.randrange(5, 50))
    )
    announcements.announce(
        alex,
        space_id=company.pk,
        body="**Open enrolment for benefits closes Friday** 🗓️\n\nPick your "
        "health plan and pension top-up in the benefits portal by Friday "
        "evening. This stays pinned until then.",
        pinned_until=now + datetime.timedelta(days=7),
    )
    announcements.announce(
        alex,
        space_id=company.pk,
        body="**The winter party is on!** 🎄\n\nFriday the 19th from 17:00 at "
        "the Harbour Hall. Bring your team.",
        publish_at=now + datetime.timedelta(days=2),
    )


def _build(*, size: int, seed: int, progress: Callable[[int], object]) -> str:
    counts = build_demo_feeds(size=size, seed=seed, progress=progress)
    return (
        f"{counts['spaces']:,} spaces with {counts['posts']:,} posts, "
        f"{counts['comments']:,} comments and {counts['reactions']:,} reactions"
    )


plugins.demo_part(
    plugins.DemoPart(label="Feeds", unit="posts", total=_total, build=_build)
)
