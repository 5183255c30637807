"""Onboarding's personas: HR (hana), a new starter (nina) whose manager is
bob and whose buddy is dan (Support), and carol, an outsider in Support.
alice is bob's other report, not on a journey."""

import datetime

import pytest
from django.utils import timezone

from onboarding import services
from onboarding.models import Step
from profiles.factories import DepartmentFactory, UserFactory
from testkit.personas import PASSWORD, make_hr_person


@pytest.fixture
def hana(people):
    return make_hr_person(
        "Hana",
        "Hill",
        title="People Partner",
        department=DepartmentFactory(name="People", slug="people"),
    )


@pytest.fixture
def nina(people, bob):
    nina = UserFactory.create(
        email="nina@canteen.test",
        first_name="Nina",
        last_name="Novak",
        title="Backend Engineer",
        department=bob.department,
        manager=bob,
        time_zone="Europe/Lisbon",
    )
    nina.set_password(PASSWORD)
    nina.save()
    return nina


@pytest.fixture
def dan(people, carol):
    dan = UserFactory.create(
        email="dan@canteen.test",
        first_name="Dan",
        last_name="Dias",
        title="Support Lead",
        department=carol.department,
    )
    dan.set_password(PASSWORD)
    dan.save()
    return dan


STEPS = [
    ("Laptop ready", Step.Owner.IT, -3),
    ("Read the handbook", Step.Owner.STARTER, 1),
    ("First 1:1", Step.Owner.MANAGER, 2),
    ("Coffee with your buddy", Step.Owner.BUDDY, 3),
    ("Benefits sign-up", Step.Owner.HR, 14),
    ("Ninety-day review", Step.Owner.MANAGER, 90),
]


@pytest.fixture
def journey(hana):
    journey = services.create_journey(hana, name="New starters", kind="new_starter")
    for title, owner, day in STEPS:
        services.add_step(
            hana,
            journey_id=journey.pk,
            title=title,
            owner=owner,
            due_day=day,
            description=f"**{title}** <script>x</script>",
        )
    return journey


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def enrollment(hana, nina, dan, journey, today):
    """nina started two days ago: the IT and starter steps are late."""
    enrollment, _ = services.enroll(
        nina,
        start_date=today - datetime.timedelta(days=2),
        journey=journey,
        buddy=dan,
        by=hana,
    )
    return enrollment
