"""Journeys, enrolling, buddies and tasks through their services."""

import datetime

import pytest
from django.http import Http404

from feeds.models import Post, Space, SpaceMember
from intranet import plugins
from intranet.errors import ServiceError
from intranet.models import Notification
from messaging import services as chat
from messaging.models import Membership
from onboarding import events, selectors, services
from onboarding.models import Enrollment, Step, Task
from profiles import roles
from profiles.factories import DepartmentFactory, UserFactory
from tests.base import capture_published, events_since

pytestmark = pytest.mark.django_db(transaction=False)


def test_only_hr_defines_journeys_and_steps(hana, bob, journey):
    with pytest.raises(ServiceError, match="Only HR"):
        services.create_journey(bob, name="Mine", kind="new_starter")
    with pytest.raises(ServiceError, match="Only HR"):
        services.add_step(
            bob, journey_id=journey.pk, title="x", owner="starter", due_day=1
        )
    with pytest.raises(ServiceError, match="already"):
        services.create_journey(hana, name="New starters", kind="returner")
    with pytest.raises(ServiceError, match="new starters or returners"):
        services.create_journey(hana, name="Other", kind="intern")
    with pytest.raises(ServiceError, match="between"):
        services.add_step(
            hana, journey_id=journey.pk, title="x", owner="starter", due_day=400
        )
    with pytest.raises(ServiceError, match="owner"):
        services.add_step(
            hana, journey_id=journey.pk, title="x", owner="ceo", due_day=1
        )
    with pytest.raises(ServiceError, match="link"):
        services.add_step(
            hana,
            journey_id=journey.pk,
            title="x",
            owner="starter",
            due_day=1,
            link="javascript:alert(1)",
        )
    step = journey.steps.get(title="Read the handbook")
    # Markdown through the one renderer and sanitiser.
    assert "<strong>Read the handbook</strong>" in step.description_html
    assert "<script" not in step.description_html
    assert [s.due_day for s in journey.steps.all()] == [-3, 1, 2, 3, 14, 90]


def test_enrolling_opens_the_cohort_space_tasks_and_a_welcome(
    hana, nina, bob, dan, enrollment, today
):
    space = enrollment.space
    assert space.kind == Space.Kind.ONBOARDING
    assert space.name == services.cohort_name(enrollment.start_date)
    members = set(
        SpaceMember.objects.filter(space=space).values_list("user_id", flat=True)
    )
    assert members == {hana.pk, nina.pk, bob.pk, dan.pk}
    # The space's chat follows its members.
    chat = set(
        Membership.objects.filter(conversation=space.chat).values_list(
            "user_id", flat=True
        )
    )
    assert chat == members
    tasks = {t.title: t for t in Task.objects.filter(enrollment=enrollment)}
    assert len(tasks) == 6
    start = enrollment.start_date
    assert tasks["Laptop ready"].due_date == start - datetime.timedelta(days=3)
    assert tasks["Ninety-day review"].due_date == start + datetime.timedelta(days=90)
    assert tasks["Read the handbook"].assignee == nina
    assert tasks["First 1:1"].assignee == bob
    assert tasks["Coffee with your buddy"].assignee == dan
    assert tasks["Benefits sign-up"].assignee == hana
    assert tasks["Laptop ready"].assignee == hana  # IT's steps: via HR
    post = enrollment.welcome_post
    assert post.space == space and post.author == hana
    assert "Nina Novak" in post.body and "Backend Engineer" in post.body
    assert f"/people/{nina.pk}/" in post.body
    assert post.mentions.filter(pk=nina.pk).exists()
    nina.refresh_from_db()
    assert nina.start_date == start
    told = set(
        Notification.objects.filter(kind="onboarding").values_list("user_id", flat=True)
    )
    assert told == {bob.pk, dan.pk}


def test_enrolling_twice_changes_nothing(hana, nina, dan, journey, enrollment):
    counts = (
        Enrollment.objects.count(),
        Task.objects.count(),
        Post.objects.count(),
        Space.objects.count(),
    )
    again, created = services.enroll(
        nina, start_date=enrollment.start_date, journey=journey, buddy=dan, by=hana
    )
    assert created is False and again == enrollment
    assert counts == (
        Enrollment.objects.count(),
        Task.objects.count(),
        Post.objects.count(),
        Space.objects.count(),
    )
    other = services.create_journey(hana, name="Returners", kind="returner")
    with pytest.raises(ServiceError, match="already on a journey") as refused:
        services.enroll(nina, start_date=enrollment.start_date, journey=other, by=hana)
    assert refused.value.status == 409


def test_a_cohort_reuses_its_months_space(hana, alice, enrollment, journey):
    second, _ = services.enroll(
        alice, start_date=enrollment.start_date, journey=journey, by=hana
    )
    assert second.space == enrollment.space
    assert Space.objects.filter(kind=Space.Kind.ONBOARDING).count() == 1


def test_only_hr_enrolls(bob, nina, journey, today):
    with pytest.raises(ServiceError, match="Only HR"):
        services.enroll(nina, start_date=today, journey=journey, by=bob)
    assert not Enrollment.objects.exists()


def test_the_proposed_buddy_is_outside_the_team_nearby_and_not_too_busy(
    hana, nina, bob, alice, carol, journey, today
):
    nina.time_zone = "America/New_York"
    nina.save()
    alice.time_zone = "America/New_York"  # a teammate: never proposed
    alice.save()
    sales = DepartmentFactory(name="Sales", slug="sales")
    UserFactory.create(department=sales, time_zone="Asia/Tokyo")
    chicago = UserFactory.create(department=sales, time_zone="America/Chicago")
    assert services.propose_buddy(nina) == chicago  # one hour off
    # Looking after three people already: the next nearest, London (carol,
    # dan and hana, five hours off), the one who joined first among equals.
    for _ in range(services.MAX_BUDDIES):
        starter = UserFactory.create(department=sales, time_zone="Asia/Tokyo")
        services.enroll(
            starter, start_date=today, journey=journey, buddy=chicago, by=hana
        )
    assert services.propose_buddy(nina) == carol
    assert services.propose_buddy(nina) == carol  # deterministic


def test_hr_or_the_manager_changes_the_buddy(hana, bob, dan, carol, nina, enrollment):
    with pytest.raises(ServiceError, match="Only HR or their manager"):
        services.set_buddy(dan, enrollment=enrollment, buddy=carol)
    services.set_buddy(bob, enrollment=enrollment, buddy=carol)
    enrollment.refresh_from_db()
    assert enrollment.buddy == carol
    coffee = Task.objects.get(enrollment=enrollment, step__owner=Step.Owner.BUDDY)
    assert coffee.assignee == carol
    assert SpaceMember.objects.filter(space=enrollment.space, user=carol).exists()
    with pytest.raises(ServiceError, match="someone else"):
        services.set_buddy(hana, enrollment=enrollment, buddy=nina)


def test_who_may_complete_a_step(hana, bob, dan, carol, alice, nina, enrollment):
    tasks = {
        t.title: t
        for t in Task.objects.filter(enrollment=enrollment).select_related(
            "step", "enrollment"
        )
    }
    one_on_one = tasks["First 1:1"]
    for outsider in (carol, alice, dan):
        with pytest.raises(ServiceError, match="Only the starter") as refused:
            services.set_task_done(outsider, task=one_on_one, done=True)
        assert refused.value.status == 403
    services.set_task_done(bob, task=one_on_one, done=True)
    services.set_task_done(nina, task=tasks["Read the handbook"], done=True)
    services.set_task_done(dan, task=tasks["Coffee with your buddy"], done=True)
    services.set_task_done(hana, task=tasks["Laptop ready"], done=True)
    done = Task.objects.filter(enrollment=enrollment, status="done")
    assert done.count() == 4
    assert done.get(title="First 1:1").done_by == bob
    # The starter may tick any step of their own journey.
    services.set_task_done(nina, task=tasks["Benefits sign-up"], done=True)
    # And open one again.
    services.set_task_done(nina, task=tasks["Benefits sign-up"], done=False)
    reopened = Task.objects.get(pk=tasks["Benefits sign-up"].pk)
    assert reopened.status == "open" and reopened.done_at is None


def test_completing_a_step_is_live_for_the_journey_and_the_board(
    hana, bob, nina, dan, carol, enrollment, django_capture_on_commit_callbacks
):
    task = Task.objects.get(enrollment=enrollment, title="Read the handbook")
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.set_task_done(nina, task=task, done=True)
    updates = [p for p in published if p["event"]["type"] == "task.updated"]
    assert sorted(g for p in updates for g in p["groups"]) == sorted(
        [events.enrollment_stream(enrollment.pk), events.BOARD_STREAM]
    )
    event = updates[0]["event"]
    assert event["task"]["id"] == task.pk and event["task"]["status"] == "done"
    assert event["progress"] == {
        "id": enrollment.pk,
        "total": 6,
        "done": 1,
        "late": 1,
        "percent": 17,
    }
    # Stored in the journey's log: the starter, manager and buddy catch up,
    # the outsider does not.
    for person in (nina, bob, dan):
        assert any(e["type"] == "task.updated" for e in events_since(person, 0).events)
    assert not any(e["type"] == "task.updated" for e in events_since(carol, 0).events)
    # Doing it again publishes nothing.
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.set_task_done(nina, task=task, done=True)
    assert published == []


def test_the_streams_each_person_follows(
    hana, bob, nina, dan, carol, alice, enrollment
):
    everyone = [hana, bob, nina, dan, carol, alice]
    found = plugins.streams_by_user(p.pk for p in everyone)
    journeys = {
        p.pk: {s for s in found[p.pk] if s.startswith(events.ENROLLMENT_STREAMS)}
        for p in everyone
    }
    mine = {events.enrollment_stream(enrollment.pk)}
    assert journeys[nina.pk] == journeys[bob.pk] == journeys[dan.pk] == mine
    assert journeys[carol.pk] == journeys[alice.pk] == journeys[hana.pk] == set()
    # HR hear the board on HR's stream, as everything else only HR sees.
    everything = plugins.streams_by_user([hana.pk, nina.pk, carol.pk])
    assert events.BOARD_STREAM == roles.HR_STREAM
    assert roles.HR_STREAM in everything[hana.pk]
    assert roles.HR_STREAM not in everything[nina.pk] | everything[carol.pk]


def test_the_checklist_groups_late_due_upcoming_and_done(nina, hana, enrollment, today):
    task = Task.objects.get(enrollment=enrollment, title="Benefits sign-up")
    services.set_task_done(hana, task=task, done=True)
    checklist = selectors.checklist(enrollment, today)
    titles = {
        state: [t.title for t in tasks] for state, tasks in checklist.groups.items()
    }
    assert titles == {
        "late": ["Laptop ready", "Read the handbook"],
        "due": ["First 1:1", "Coffee with your buddy"],
        "upcoming": ["Ninety-day review"],
        "done": ["Benefits sign-up"],
    }
    assert (checklist.total, checklist.done, checklist.late, checklist.percent) == (
        6,
        1,
        2,
        17,
    )


def test_an_enrollment_is_visible_to_its_people_and_hr_only(
    hana, bob, nina, dan, carol, alice, enrollment
):
    for person in (hana, bob, nina, dan):
        assert selectors.get_enrollment_for_user(person, enrollment.pk) == enrollment
    for person in (carol, alice):
        with pytest.raises(Http404):
            selectors.get_enrollment_for_user(person, enrollment.pk)


def test_the_board_flags_the_quiet_and_counts_late_steps(
    hana, bob, nina, alice, carol, journey, enrollment, today
):
    services.enroll(
        alice, start_date=today - datetime.timedelta(days=10), journey=journey, by=hana
    )
    rows = {r.enrollment.person: r for r in selectors.board_page(hana, today).rows}
    assert set(rows) == {nina, alice}
    assert rows[alice].quiet is True and rows[nina].quiet is False  # day 2
    assert rows[alice].late == 4 and rows[alice].percent == 0
    # A message is enough to be heard from.
    direct = chat.get_or_create_direct(alice, other_id=carol.pk)
    chat.send_message(alice, conversation_id=direct.pk, body="Hello!", client_id="q")
    rows = {r.enrollment.person: r for r in selectors.board_page(hana, today).rows}
    assert rows[alice].quiet is False
    # Managers see their reports' rows only; others are refused.
    assert {r.enrollment.person for r in selectors.board_page(bob, today).rows} == {
        nina,
        alice,
    }
    with pytest.raises(ServiceError) as refused:
        selectors.board_page(carol, today)
    assert refused.value.status == 403


def test_a_list_of_starters_is_not_rate_limited(hana, journey, today):
    sales = DepartmentFactory(name="Sales", slug="sales")
    for _ in range(15):  # past the posting burst of 10
        services.enroll(
            UserFactory.create(department=sales),
            start_date=today,
            journey=journey,
            by=hana,
        )
    assert Enrollment.objects.count() == 15
    assert Post.objects.filter(author=hana).count() == 15
