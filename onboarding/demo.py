"""Onboarding's part of the demo company: HR's two journeys, this week's
two new starters on theirs (Rita on track, the other late) and a returner
back from parental leave, so the board and "My first weeks" have a story
after `make run`."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from feeds.models import Space
from intranet import plugins
from onboarding import services
from onboarding.models import Enrollment, Journey, Step, Task
from profiles.demo import DEMO_LOGIN, NEW_STARTER
from profiles.models import User

Owner = Step.Owner

NEW_STARTER_STEPS = [
    (
        -3,
        Owner.IT,
        "Laptop and accounts ready",
        "Order the laptop, make the "
        "accounts and leave them at reception with a welcome note.",
    ),
    (
        -3,
        Owner.HR,
        "Contract and payroll details",
        "Check the signed contract and that payroll has the bank details.",
    ),
    (
        0,
        Owner.STARTER,
        "Say hello in your cohort's space",
        "A line about you "
        "and what you will work on. Everyone in your cohort is new too.",
    ),
    (
        1,
        Owner.MANAGER,
        "First one-to-one",
        "Talk through the first month: "
        "who to meet, what good looks like, and a first small task.",
    ),
    (
        2,
        Owner.BUDDY,
        "Coffee with your buddy",
        "An informal half hour: how "
        "things really work here, and where the good lunch is.",
    ),
    (
        7,
        Owner.STARTER,
        "Read the handbook",
        "Holidays, expenses, security: "
        "the [People handbook](https://example.com/handbook) has it all.",
    ),
    (
        30,
        Owner.MANAGER,
        "One-month check-in",
        "What went well, what to change, and the goals for the next two months.",
    ),
    (
        90,
        Owner.HR,
        "Ninety-day review",
        "Close the probation period with the manager's notes.",
    ),
]
RETURNER_STEPS = [
    (
        -7,
        Owner.HR,
        "Plan the return",
        "Agree the first day and any change "
        "to hours with the person and their manager.",
    ),
    (
        0,
        Owner.MANAGER,
        "Welcome-back one-to-one",
        "What changed in the team while they were away, and what comes first.",
    ),
    (1, Owner.IT, "Accounts reopened", "Check their accounts and laptop work."),
    (
        3,
        Owner.BUDDY,
        "Lunch with your buddy",
        "Catch up on the people and projects that are new.",
    ),
    (30, Owner.HR, "One-month check-in", "How the return is going."),
]


def demo_loaded() -> bool:
    return Journey.objects.exists()


def _journey(hr: User, name: str, kind: str, steps) -> Journey:
    journey = services.create_journey(hr, name=name, kind=kind)
    for day, owner, title, description in steps:
        services.add_step(
            hr,
            journey_id=journey.pk,
            title=title,
            owner=owner,
            due_day=day,
            description=description,
        )
    return journey


def _complete_due(enrollment: Enrollment, today: datetime.date) -> None:
    """Tick every task due by today, as its owner would have."""
    tasks = Task.objects.filter(
        enrollment=enrollment, due_date__lte=today
    ).select_related("assignee", "step", "enrollment__person")
    for task in tasks:
        services.set_task_done(task.assignee, task=task, done=True)


@transaction.atomic
def build_demo_onboarding(progress: Callable[[int], object]) -> str:
    today = timezone.localdate()
    hr = User.objects.get(email=DEMO_LOGIN)
    welcome = _journey(hr, "New starter", Journey.Kind.NEW_STARTER, NEW_STARTER_STEPS)
    back = _journey(hr, "Welcome back", Journey.Kind.RETURNER, RETURNER_STEPS)
    monday = today - datetime.timedelta(days=today.weekday())
    starters = list(
        User.objects.filter(start_date__gte=monday, is_active=True).order_by("pk")
    )
    rita = next(p for p in starters if p.email == NEW_STARTER.email)
    # The week's starters already have their space (feeds' demo): it is
    # their cohort's.
    cohort = (
        Space.objects.filter(kind=Space.Kind.ONBOARDING, members__user=rita)
        .order_by("pk")
        .first()
    )
    for person in starters:
        assert person.start_date is not None
        enrollment, _ = services.enroll(
            person,
            start_date=person.start_date,
            journey=welcome,
            by=hr,
            space=cohort,
        )
        if person == rita:  # on track; the other has late steps
            _complete_due(enrollment, today)
        progress(1)
    # Back from parental leave three days ago: someone in Marketing who
    # manages no one.
    returner = (
        User.objects.filter(
            department__name="Marketing", is_active=True, reports__isnull=True
        )
        .exclude(pk__in=[p.pk for p in starters])
        .order_by("pk")
        .first()
    )
    if returner is not None:
        enrollment, _ = services.enroll(
            returner,
            start_date=today - datetime.timedelta(days=3),
            journey=back,
            by=hr,
            space=cohort,
        )
        _complete_due(enrollment, today - datetime.timedelta(days=1))
        progress(1)
    running = Enrollment.objects.filter(ended_at__isnull=True).count()
    return f"2 journeys, {running} people onboarding"


plugins.demo_part(
    plugins.DemoPart(
        label="Onboarding",
        unit="journeys",
        total=lambda size: 3,
        build=lambda *, size, seed, progress: build_demo_onboarding(progress),
        loaded=demo_loaded,
    )
)
