"""The demo company's onboarding: two journeys, this week's starters (one
on track, one late) and a returner."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from onboarding import selectors
from onboarding.models import Enrollment, Journey
from profiles.demo import DEMO_LOGIN, NEW_STARTER
from profiles.models import User

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_has_a_running_journey_with_starters_and_a_returner(client):
    call_command("demo_company", verbosity=0)
    new, back = (
        Journey.objects.get(kind="new_starter"),
        Journey.objects.get(kind="returner"),
    )
    days = [s.due_day for s in new.steps.all()]
    assert len(days) == 8 and days[0] == -3 and days[-1] == 90
    assert back.steps.count() == 5
    alex = User.objects.get(email=DEMO_LOGIN)
    rows = {
        r.enrollment.person.email: r
        for r in selectors.board_page(alex, timezone.localdate()).rows
    }
    assert len(rows) == 3
    rita = rows.pop(NEW_STARTER.email)
    assert rita.late == 0 and rita.done > 0
    by_journey = {r.enrollment.journey: r for r in rows.values()}
    assert by_journey[new].late > 0
    assert str(by_journey[back].enrollment.person.department) == "Marketing"
    # One cohort: the week's starters' space.
    assert Enrollment.objects.values("space").distinct().count() == 1
    client.force_login(User.objects.get(email=NEW_STARTER.email))
    page = client.get("/", follow=True)
    assert 'href="/onboarding/me/"' in page.content.decode()
    assert "Read the handbook" in client.get("/onboarding/me/").content.decode()
