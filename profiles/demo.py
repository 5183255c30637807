"""The demo company: a realistic organisation for `make run` and benchmarks.

Every feature adds its own demo data here, so one command shows the whole
product. Names come from Faker locales that match each office, seeded, so
every run builds the same company.
"""

import datetime
import itertools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from faker import Faker

from intranet import plugins
from profiles import roles
from profiles.factories import DEMO_PASSWORD, hashed
from profiles.models import Department, User

DOMAIN = "fernleaf.example"
DEMO_LOGIN = f"alex.morgan@{DOMAIN}"


@dataclass(frozen=True)
class Persona:
    """A demo person worth signing in as (README.md, `make run`)."""

    email: str
    first_name: str
    last_name: str
    who: str  # one line: why sign in as them


# Everyone's password is DEMO_PASSWORD; these three see Canteen from each
# side, and in two browsers can chat with each other.
HR = Persona(
    DEMO_LOGIN, "Alex", "Morgan", "HR: a People Partner who may also open /admin/"
)
NEW_STARTER = Persona(
    f"rita.sousa@{DOMAIN}",
    "Rita",
    "Sousa",
    "this week's new starter: a Software Engineer in Lisbon",
)
EMPLOYEE = Persona(
    f"sam.taylor@{DOMAIN}",
    "Sam",
    "Taylor",
    "an employee: the Engineering Manager Rita reports to",
)
PERSONAS = (HR, NEW_STARTER, EMPLOYEE)
DEFAULT_SIZE = 72
BATCH = 1000


@dataclass(frozen=True)
class Office:
    city: str
    time_zone: str
    locale: str


OFFICES = [
    Office("London", "Europe/London", "en_GB"),
    Office("Lisbon", "Europe/Lisbon", "pt_PT"),
    Office("Berlin", "Europe/Berlin", "de_DE"),
    Office("New York", "America/New_York", "en_US"),
    Office("Toronto", "America/Toronto", "en_CA"),
    Office("Mexico City", "America/Mexico_City", "es_MX"),
    Office("Bengaluru", "Asia/Kolkata", "en_IN"),
    Office("Sydney", "Australia/Sydney", "en_AU"),
]


@dataclass(frozen=True)
class DepartmentPlan:
    name: str
    description: str
    head: str
    lead: str
    roles: tuple[str, ...]
    weight: int  # share of the company


DEPARTMENTS = [
    DepartmentPlan(
        "Engineering",
        "Builds and runs Fernleaf's products.",
        "VP Engineering",
        "Engineering Manager",
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
            "Site Reliability Engineer",
            "QA Engineer",
        ),
        8,
    ),
    DepartmentPlan(
        "Product",
        "Decides what to build next, and why.",
        "VP Product",
        "Group Product Manager",
        ("Product Manager", "Senior Product Manager", "Product Analyst"),
        2,
    ),
    DepartmentPlan(
        "Design",
        "Research, interaction and visual design.",
        "Head of Design",
        "Design Lead",
        (
            "Product Designer",
            "Senior Product Designer",
            "UX Researcher",
            "Content Designer",
        ),
        2,
    ),
    DepartmentPlan(
        "People",
        "Hiring, onboarding, learning and culture (HR).",
        "Chief People Officer",
        "People Partner Lead",
        (
            "People Partner",
            "Talent Acquisition Partner",
            "Learning & Development Specialist",
            "People Operations Coordinator",
        ),
        2,
    ),
    DepartmentPlan(
        "Sales",
        "Finds and wins new customers.",
        "VP Sales",
        "Sales Manager",
        ("Account Executive", "Sales Development Representative", "Solutions Engineer"),
        4,
    ),
    DepartmentPlan(
        "Marketing",
        "Brand, content and growth.",
        "VP Marketing",
        "Marketing Lead",
        (
            "Content Marketing Manager",
            "Product Marketing Manager",
            "Brand Designer",
            "Growth Marketer",
        ),
        2,
    ),
    DepartmentPlan(
        "Finance",
        "Money in, money out, and the forecast.",
        "Chief Financial Officer",
        "Finance Manager",
        ("Financial Analyst", "Accountant", "Payroll Specialist"),
        1,
    ),
    DepartmentPlan(
        "Customer Support",
        "Helps customers, day and night.",
        "Head of Customer Support",
        "Support Team Lead",
        ("Customer Support Specialist", "Technical Support Engineer"),
        3,
    ),
]

# People who report to one lead, before a new team is started.
TEAM_SIZE = 7


def demo_loaded() -> bool:
    return User.objects.filter(email=DEMO_LOGIN).exists()


class _People:
    """Make unique, office-appropriate people without saving them."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.fakers = {o.locale: Faker(o.locale) for o in OFFICES}
        for i, fake in enumerate(self.fakers.values()):
            fake.seed_instance(seed + i)
        self.emails: set[str] = {p.email for p in PERSONAS}
        self.password = hashed(DEMO_PASSWORD)
        self.today = timezone.localdate()

    def email_for(self, first: str, last: str) -> str:
        local = f"{first}.{last}".lower()
        local = "".join(c for c in local if c.isalnum() or c == ".")
        candidate, n = f"{local}@{DOMAIN}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{DOMAIN}"
        self.emails.add(candidate)
        return candidate

    def make(
        self,
        *,
        title: str,
        department: Department | None,
        manager: User | None,
        office: Office | None = None,
        start_date: datetime.date | None = None,
        **extra,
    ) -> User:
        office = office or self.random.choice(OFFICES)
        fake = self.fakers[office.locale]
        first = extra.pop("first_name", None) or fake.first_name()
        last = extra.pop("last_name", None) or fake.last_name()
        if start_date is None:
            start_date = self.today - datetime.timedelta(
                days=self.random.randint(60, 365 * 9)
            )
        person = User(
            email=extra.pop("email", None)
            or self.email_for(_ascii(first), _ascii(last)),
            first_name=first,
            last_name=last,
            title=title,
            department=department,
            manager=manager,
            location=office.city,
            time_zone=office.time_zone,
            start_date=start_date,
            password=self.password,
            **extra,
        )
        # bulk_create does not call save(), which keeps the key in step.
        person.search_key = person.make_search_key()
        return person


def _pin(person: User, persona: Persona) -> None:
    """Give a made person the persona's name and email.

    After make(), so Faker and the random generator are called as for anyone
    else and the rest of the company stays the same.
    """
    person.first_name = persona.first_name
    person.last_name = persona.last_name
    person.email = persona.email
    person.search_key = person.make_search_key()


def _ascii(text: str) -> str:
    """Fold a name to ASCII for an email address: "Fröhlich" -> "Frohlich"."""
    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .replace(" ", "")
        .replace("'", "")
    ) or "person"


@transaction.atomic
def build_demo_company(
    *,
    size: int = DEFAULT_SIZE,
    seed: int = 2026,
    progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Create the demo company of about `size` people; return counts.

    Call once: the caller checks demo_loaded() first.
    """
    size = max(size, DEFAULT_SIZE)
    people = _People(seed)
    london = OFFICES[0]
    tick = progress or (lambda n: None)

    leadership = Department.objects.create(
        name="Leadership", slug="leadership", description="The executive team."
    )
    ceo = people.make(
        title="Chief Executive Officer",
        department=leadership,
        manager=None,
        office=london,
    )
    ceo.save()
    tick(1)

    departments = {
        plan.name: Department.objects.create(
            name=plan.name,
            slug=plan.name.lower().replace(" ", "-"),
            description=plan.description,
        )
        for plan in DEPARTMENTS
    }
    heads = [
        people.make(title=plan.head, department=departments[plan.name], manager=ceo)
        for plan in DEPARTMENTS
    ]
    User.objects.bulk_create(heads)
    tick(len(heads))

    # Split the rest of the company by department weight.
    remaining = size - 1 - len(heads)
    total_weight = sum(p.weight for p in DEPARTMENTS)
    shares = [max(4, remaining * p.weight // total_weight) for p in DEPARTMENTS]

    # Leads first (they need ids before their reports can point at them).
    leads_by_dept: dict[str, list[User]] = {}
    lead_rows: list[User] = []
    for plan, head, share in zip(DEPARTMENTS, heads, shares, strict=True):
        n_leads = max(1, share // (TEAM_SIZE + 1))
        leads = [
            people.make(
                title=plan.lead, department=departments[plan.name], manager=head
            )
            for _ in range(n_leads)
        ]
        leads_by_dept[plan.name] = leads
        lead_rows.extend(leads)
    _pin(leads_by_dept["Engineering"][0], EMPLOYEE)
    User.objects.bulk_create(lead_rows, batch_size=BATCH)
    tick(len(lead_rows))

    # The demo login: an HR people partner who can also open the admin.
    people_leads = leads_by_dept["People"]
    alex = people.make(
        title="People Partner",
        department=departments["People"],
        manager=people_leads[0],
        office=london,
        first_name=HR.first_name,
        last_name=HR.last_name,
        email=HR.email,
        is_staff=True,
        is_superuser=True,
    )
    alex.save()
    tick(1)

    # Two new starters who started this week.
    monday = people.today - datetime.timedelta(days=people.today.weekday())
    starters = [
        people.make(
            title="Software Engineer",
            department=departments["Engineering"],
            manager=leads_by_dept["Engineering"][0],
            office=OFFICES[1],
            start_date=monday,
        ),
        people.make(
            title="Account Executive",
            department=departments["Sales"],
            manager=leads_by_dept["Sales"][0],
            office=OFFICES[3],
            start_date=min(people.today, monday + datetime.timedelta(days=1)),
        ),
    ]
    _pin(starters[0], NEW_STARTER)
    User.objects.bulk_create(starters)
    tick(len(starters))

    batch: list[User] = []
    made = 1 + len(heads) + len(lead_rows) + 1 + len(starters)
    plans = itertools.cycle(zip(DEPARTMENTS, shares, strict=True))
    per_dept_count = {plan.name: 0 for plan in DEPARTMENTS}
    while made < size:
        plan, share = next(plans)
        if per_dept_count[plan.name] >= share and made < size - len(DEPARTMENTS):
            if all(
                per_dept_count[p.name] >= s
                for p, s in zip(DEPARTMENTS, shares, strict=True)
            ):
                shares = [s + 1 for s in shares]
            continue
        leads = leads_by_dept[plan.name]
        lead = leads[per_dept_count[plan.name] % len(leads)]
        per_dept_count[plan.name] += 1
        batch.append(
            people.make(
                title=people.random.choice(plan.roles),
                department=departments[plan.name],
                manager=lead,
            )
        )
        made += 1
        if len(batch) >= BATCH:
            User.objects.bulk_create(batch)
            tick(len(batch))
            batch = []
    if batch:
        User.objects.bulk_create(batch)
        tick(len(batch))

    # The People department holds the HR role: onboarding, company updates.
    roles.grant(User.objects.filter(department=departments["People"]), roles.HR)

    return {
        "people": User.objects.count(),
        "departments": Department.objects.count(),
    }


def _who_to_be() -> str:
    # `make run` shows this, so a newcomer knows whom to sign in as.
    width = max(len(p.email) for p in PERSONAS)
    return (
        f"Every demo person's password is {DEMO_PASSWORD}. Sign in as:\n"
        + "\n".join(
            f"  {p.email:<{width}}  {p.first_name} {p.last_name}, {p.who}"
            for p in PERSONAS
        )
    )


def _build(*, size: int, seed: int, progress: Callable[[int], object]) -> str:
    counts = build_demo_company(size=size, seed=seed, progress=progress)
    return f"{counts['people']} people in {counts['departments']} departments"


plugins.demo_part(
    plugins.DemoPart(
        label="People",
        unit="people",
        total=lambda size: max(size, DEFAULT_SIZE),
        build=_build,
        loaded=demo_loaded,
        welcome=_who_to_be,
    )
)
