"""Announcements through their services: who may post them, targeting,
scheduling with a frozen clock, pins that run out, must-read
acknowledgements, the one nudge, and what stays invisible until its time."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.http import Http404

from feeds import selectors, services
from feeds.models import Announcement, Post, Reader
from intranet.errors import ServiceError
from intranet.models import Notification
from profiles import services as people
from profiles.factories import UserFactory
from tests.base import capture_published, events_since

pytestmark = pytest.mark.django_db(transaction=False)


def later(clock, **delta) -> datetime.datetime:
    return clock.now + datetime.timedelta(**delta)


def test_hr_and_communicators_announce_members_may_not(hanna, chris, alice, company):
    for author in (hanna, chris):
        announcement = services.announce(
            author, space_id=company.pk, body=f"From {author.first_name}"
        )
        assert announcement.post is not None
        assert announcement.post.is_announcement
    with pytest.raises(ServiceError, match="Only HR and communicators") as refused:
        services.announce(alice, space_id=company.pk, body="Me too")
    assert refused.value.status == 403


def test_announcements_go_to_the_company_or_an_onboarding_space_only(
    hanna, alice, company
):
    garden = services.create_space(alice, name="Gardening")
    with pytest.raises(ServiceError, match="company-wide space or an onboarding"):
        services.announce(hanna, space_id=garden.pk, body="Hi")
    cohort = services.create_space(
        alice, name="Starters", kind="onboarding", visibility="secret"
    )
    with pytest.raises(Http404):  # secret, and hanna is not in it
        services.announce(hanna, space_id=cohort.pk, body="Hi")
    services.add_members(alice, space_id=cohort.pk, user_ids=[hanna.pk])
    announcement = services.announce(hanna, space_id=cohort.pk, body="Welcome")
    assert announcement.published_post.space == cohort


def test_bad_input_is_refused_with_a_sentence(hanna, company, clock):
    with pytest.raises(ServiceError, match="cannot be empty"):
        services.announce(hanna, space_id=company.pk, body="   ")
    with pytest.raises(ServiceError, match="No such department"):
        services.announce(hanna, space_id=company.pk, body="x", department_ids=[999])
    with pytest.raises(ServiceError, match="after it is published"):
        services.announce(
            hanna,
            space_id=company.pk,
            body="x",
            publish_at=later(clock, hours=2),
            pinned_until=later(clock, hours=1),
        )
    assert not Announcement.objects.exists()


def test_targeting_picks_readers_and_home_feeds(hanna, alice, bob, carol, company):
    announcement = services.announce(
        hanna,
        space_id=company.pk,
        body="Engineering offsite",
        must_read=True,
        department_ids=[alice.department_id],
    )
    readers = set(Reader.objects.values_list("user_id", flat=True))
    assert readers == {alice.pk, bob.pk}
    post = announcement.published_post
    assert post.pk in [p.pk for p in selectors.home_feed(alice)]
    assert post.pk not in [p.pk for p in selectors.home_feed(carol)]
    assert post.pk in [p.pk for p in selectors.home_feed(hanna)]  # her own
    # The space's members still read it in the space: its access is the space's.
    assert selectors.get_post_for_user(carol, post.pk) == post
    with pytest.raises(ServiceError, match="does not ask you") as refused:
        services.acknowledge(carol, post_id=post.pk)
    assert refused.value.status == 403


def test_targeting_by_location(hanna, alice, bob, carol, company):
    carol.location = "Lisbon"
    carol.save(update_fields=["location"])
    services.announce(
        hanna, space_id=company.pk, body="Lisbon office", locations=["Lisbon "]
    )
    assert list(Reader.objects.values_list("user_id", flat=True)) == [carol.pk]


def test_a_scheduled_announcement_is_invisible_until_the_worker_publishes_it(
    hanna, alice, company, clock, django_capture_on_commit_callbacks
):
    cursor = events_since(alice, 0).cursor
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        announcement = services.announce(
            hanna,
            space_id=company.pk,
            body="Pay day moves",
            must_read=True,
            publish_at=later(clock, hours=1),
        )
    assert announcement.post is None and announcement.published_at is None
    assert not Post.objects.exists()
    assert published == []
    assert selectors.home_feed(alice) == []
    assert not [
        e
        for e in events_since(alice, cursor).events
        if e["type"] in ("post.new", "notification.new")
    ]
    assert not Notification.objects.exists()
    assert selectors.scheduled_announcements(hanna) == [announcement]
    assert selectors.scheduled_announcements(alice) == []

    clock.advance(minutes=59)
    assert services.publish_due() == 0
    clock.advance(minutes=1)
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.publish_due() == 1
    new = [p for p in published if p["event"]["type"] == "post.new"]
    assert new[0]["groups"] == [f"space.{company.pk}"]
    assert new[0]["event"]["post"]["must_read"] is True
    post = Post.objects.get()
    assert post.created_at == clock.now
    caught_up = {e["type"] for e in events_since(alice, cursor).events}
    assert {"post.new", "notification.new"} <= caught_up
    assert Notification.objects.filter(user=alice, kind="must_read").exists()
    # Once: a second run, or the task the worker had for it, changes nothing.
    assert services.publish_due() == 0
    assert services.publish_announcement(announcement.pk) is None
    assert Post.objects.count() == 1


def test_a_worker_that_was_down_publishes_late_once(hanna, company, clock):
    services.announce(
        hanna, space_id=company.pk, body="Late", publish_at=later(clock, hours=1)
    )
    clock.advance(days=2)  # the worker was down all along
    out = io.StringIO()
    call_command("publish_announcements", stdout=out)
    call_command("publish_announcements", stdout=out)
    assert out.getvalue().splitlines() == [
        "Published 1 announcement(s).",
        "Published 0 announcement(s).",
    ]
    assert Post.objects.filter(body="Late").count() == 1


def test_the_database_backend_enqueues_the_publish_for_its_time(
    hanna, company, clock, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    from django_tasks import default_task_backend

    with django_capture_on_commit_callbacks(execute=True):
        services.announce(
            hanna,
            space_id=company.pk,
            body="Soon",
            publish_at=later(clock, hours=3),
            pinned_until=later(clock, days=2),
        )
    results = default_task_backend.results  # type: ignore[attr-defined]
    runs = sorted(r.task.run_after for r in results)
    assert runs == [later(clock, hours=3), later(clock, days=2)]
    assert {r.task.name for r in results} == {"publish_due"}


def test_pinned_until_unpins_itself_and_the_limit_applies(
    hanna, alice, company, clock, django_capture_on_commit_callbacks
):
    until = later(clock, days=1)
    posts = [
        services.announce(
            hanna, space_id=company.pk, body=f"Pin {n}", pinned_until=until
        ).published_post
        for n in range(3)
    ]
    assert all(p.pinned_at is not None for p in posts)
    with pytest.raises(ServiceError, match="at most 3") as refused:
        services.announce(hanna, space_id=company.pk, body="4", pinned_until=until)
    assert refused.value.status == 409
    access = selectors.readable_space(alice, company.pk)
    assert len(selectors.pinned_posts(alice, access)) == 3
    clock.advance(days=1)
    # Past its time the page leaves it out even before the worker runs.
    assert selectors.pinned_posts(alice, access) == []
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.publish_due()
    assert Post.objects.filter(pinned_at__isnull=False).count() == 0
    updated = [p["event"] for p in published if p["event"]["type"] == "post.updated"]
    assert len(updated) == 3 and not any(e["post"]["pinned"] for e in updated)
    # The limit counts live pins only: a new one fits again.
    assert services.announce(
        hanna, space_id=company.pk, body="5", pinned_until=later(clock, days=1)
    ).published_post.pinned_at


def test_acknowledging_is_once_per_person_and_counts_go_live_to_staff(
    hanna, chris, alice, bob, company, django_capture_on_commit_callbacks
):
    post = services.announce(
        chris, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = services.acknowledge(alice, post_id=post.pk)
        again = services.acknowledge(alice, post_id=post.pk)
    assert first.acknowledged_at == again.acknowledged_at
    # To the author and HR's one stream, not to the readers.
    assert published[0]["groups"] == [
        f"user.{chris.pk}",
        "role.hr",
    ]
    assert len(published) == 1
    assert published[0]["event"] == {
        "type": "announcement.acknowledged",
        "post": post.pk,
        "acknowledged": 1,
        "expected": 4,  # everyone in the space but its author
    }
    with pytest.raises(ServiceError, match="does not ask to be acknowledged"):
        plain = services.announce(hanna, space_id=company.pk, body="FYI").published_post
        services.acknowledge(alice, post_id=plain.pk)


def test_the_live_count_is_read_once_the_acknowledgement_commits(
    chris, alice, bob, company, django_capture_on_commit_callbacks
):
    """Two workers at once: Alice's acknowledgement commits, then Bob's,
    before Alice's count goes out. Counted inside her transaction it said
    1 and the author heard of the second only from a later event (the
    bench's lag); counted as it is sent, it says 2."""
    post = services.announce(
        chris, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    with django_capture_on_commit_callbacks() as alices:
        services.acknowledge(alice, post_id=post.pk)
    with django_capture_on_commit_callbacks() as bobs:
        services.acknowledge(bob, post_id=post.pk)
    assert len(alices) == len(bobs) == 1
    with capture_published() as published:
        alices[0]()
        bobs[0]()
    assert [
        (p["event"]["acknowledged"], p["event"]["expected"]) for p in published
    ] == [
        (2, 3),
        (2, 3),
    ]


def test_an_acknowledgement_reads_in_five_queries_and_counts_in_one(
    chris, alice, company, django_assert_num_queries, django_capture_on_commit_callbacks
):
    post = services.announce(
        chris, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    UserFactory.create_batch(3)  # more members: not more queries
    # The post, its announcement, the reader, the UPDATE and, on commit,
    # one count of both numbers (the test's savepoint adds two).
    with (
        django_assert_num_queries(7),
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.acknowledge(alice, post_id=post.pk)
    assert published[0]["event"]["acknowledged"] == 1


def test_the_report_lists_who_has_and_has_not_by_department(
    hanna, alice, bob, carol, company, django_assert_num_queries
):
    announcement = services.announce(
        hanna, space_id=company.pk, body="Read me", must_read=True
    )
    services.acknowledge(alice, post_id=announcement.published_post.pk)
    services.mark_seen(bob, post_ids=[announcement.published_post.pk])
    with django_assert_num_queries(1):
        report = selectors.acknowledgement_report(announcement)
        lines = report.departments
    assert [r.name for r in report.acknowledged] == ["Alice Adams"]
    assert {r.name for r in report.pending} == {"Bob Brown", "Carol Cruz"}
    assert [(d.name, d.expected, d.seen, d.acknowledged) for d in lines] == [
        ("Customer Support", 1, 0, 0),
        ("Engineering", 2, 1, 1),
    ]


def test_the_report_reads_in_one_query_however_many_readers(hanna, company):
    UserFactory.create_batch(60)  # joined to the company space by signal
    announcement = services.announce(
        hanna, space_id=company.pk, body="All hands", must_read=True
    )
    assert Reader.objects.count() >= 60
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = selectors.acknowledgement_report(announcement)
        assert report.expected >= 60
    assert len(queries) == 1


def test_only_the_author_and_hr_nudge_and_only_once(hanna, chris, alice, bob, company):
    post = services.announce(
        chris, space_id=company.pk, body="Read", must_read=True
    ).published_post
    services.acknowledge(alice, post_id=post.pk)
    # To a reader the list of who has not acknowledged does not exist.
    with pytest.raises(ServiceError, match="No such announcement") as refused:
        services.nudge(bob, post_id=post.pk)
    assert refused.value.status == 404
    assert (
        services.nudge(hanna, post_id=post.pk)
        == Reader.objects.filter(acknowledged_at__isnull=True).count()
    )
    nudged = set(
        Notification.objects.filter(kind="nudge").values_list("user_id", flat=True)
    )
    assert alice.pk not in nudged and bob.pk in nudged
    with pytest.raises(ServiceError, match="nudged once") as again:
        services.nudge(chris, post_id=post.pk)
    assert again.value.status == 409
    assert Notification.objects.filter(kind="nudge", user=bob).count() == 1


def test_hr_marks_verified_sources_others_may_not(hanna, chris, alice):
    assert people.set_verified(hanna, person_id=alice.pk, verified=True).is_verified
    alice.refresh_from_db()
    assert alice.is_verified
    with pytest.raises(ServiceError, match="Only HR") as refused:
        people.set_verified(chris, person_id=alice.pk, verified=False)
    assert refused.value.status == 403
    with pytest.raises(Http404):
        people.set_verified(hanna, person_id=99999, verified=True)


def test_an_outsider_never_sees_a_cohorts_announcement(hanna, alice, carol, company):
    """An onboarding cohort's space is secret: its announcement is its
    members' only, on every path."""
    from django.test import Client

    cohort = services.create_space(
        hanna, name="Starters", kind="onboarding", visibility="secret"
    )
    services.add_members(hanna, space_id=cohort.pk, user_ids=[alice.pk])
    since = events_since(carol, 0).cursor
    post = services.announce(
        hanna, space_id=cohort.pk, body="Day one", must_read=True
    ).published_post
    assert list(Reader.objects.values_list("user_id", flat=True)) == [alice.pk]
    outsider = Client()
    outsider.force_login(carol)
    assert outsider.get(post.get_absolute_url()).status_code == 404
    assert outsider.get(f"/api/v1/posts/{post.pk}").status_code == 404
    assert outsider.post(f"/api/v1/posts/{post.pk}/acknowledge").status_code == 404
    assert selectors.home_feed(carol) == []
    assert not [e for e in events_since(carol, since).events if "post" in e]
    with pytest.raises(Http404):
        services.acknowledge(carol, post_id=post.pk)
    assert selectors.home_feed(alice)[0] == post
    assert services.acknowledge(alice, post_id=post.pk).acknowledged_at


def test_publishing_notifies_as_a_post_does_and_once_each(
    hanna, alice, bob, carol, company, clock
):
    services.follow_closely(carol, space_id=company.pk, closely=True)
    services.announce(
        hanna,
        space_id=company.pk,
        body="Thanks @**Alice Adams**, please all read",
        must_read=True,
        publish_at=later(clock, minutes=5),
    )
    assert not Notification.objects.exists()
    clock.advance(minutes=5)
    services.publish_due()
    kinds = dict(Notification.objects.values_list("user_id", "kind"))
    assert kinds == {alice.pk: "mention", bob.pk: "must_read", carol.pk: "must_read"}
    services.announce(hanna, space_id=company.pk, body="FYI only")
    latest = Notification.objects.order_by("-pk").values_list("user_id", "kind")
    assert list(latest[:1]) == [(carol.pk, "post")]
