"""Personas and a clock for announcements: HR (hanna), a communicator
(chris), members (alice, bob: Engineering; carol: Support) of the
company-wide space, and an outsider to an onboarding space."""

import datetime
from collections.abc import Iterator
from unittest import mock

import pytest
from django.utils import timezone

from feeds import services
from feeds.models import Space
from profiles.factories import UserFactory
from profiles.roles import COMMUNICATORS, grant
from testkit.personas import make_hr_person
from tests.base import ensure_roles


class FrozenClock:
    """timezone.now() stands still until the test moves it."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> datetime.datetime:
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(timezone.now().replace(microsecond=0))
    with mock.patch("django.utils.timezone.now", frozen):
        yield frozen


@pytest.fixture
def company(people) -> Space:
    """The company-wide space: only its leaders post, everyone is in it."""
    space = services.create_space(
        None, name="Everyone", kind="company", who_may_post="leaders"
    )
    for person in people.values():
        services.sync_person(person)
    return space


@pytest.fixture
def hanna(company, people):
    """HR."""
    return make_hr_person("Hanna", "Hart", department=people["carol"].department)


@pytest.fixture
def chris(company, people):
    """A communicator, not HR."""
    person = UserFactory.create(
        email="chris@canteen.test",
        first_name="Chris",
        last_name="Cole",
        department=people["alice"].department,
    )
    ensure_roles()
    grant([person], COMMUNICATORS)
    return person
