"""A returner's "while you were away": the most-reached posts in their
own spaces since their leave began, only what they may read, in one
query, on their first page; HR sets the leave's start when enrolling."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds import services as feeds
from feeds.models import Post
from intranet.errors import ServiceError
from onboarding import selectors, services
from onboarding.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=False)

_ids = itertools.count()


@pytest.fixture
def returners(hana):
    journey = services.create_journey(hana, name="Welcome back", kind="returner")
    services.add_step(
        hana, journey_id=journey.pk, title="Catch up", owner="starter", due_day=1
    )
    return journey


def post(author, space, body: str, *, seen_by=()) -> Post:
    made, _ = feeds.create_post(
        author, space_id=space.pk, body=body, client_id=f"away-{next(_ids)}"
    )
    for person in seen_by:
        feeds.mark_seen(person, post_ids=[made.pk])
    return made


def test_a_returner_sees_the_most_reached_posts_of_their_spaces_since_leave(
    client, hana, alice, bob, carol, dan, returners, today
):
    garden = feeds.create_space(bob, name="Gardening")
    feeds.join_space(alice, space_id=garden.pk)
    feeds.join_space(carol, space_id=garden.pk)
    secret = feeds.create_space(bob, name="Board", visibility="secret")
    elsewhere = feeds.create_space(carol, name="Chess")  # open, not hers
    old = post(bob, garden, "Before the leave", seen_by=[carol, dan])
    Post.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=60)
    )
    quiet = post(bob, garden, "Quiet news")
    big = post(bob, garden, "Big news", seen_by=[carol, dan, hana])
    medium = post(carol, garden, "Medium news", seen_by=[dan])
    post(bob, secret, "Secret plans", seen_by=[carol, dan, hana])
    post(carol, elsewhere, "Chess club", seen_by=[bob, dan, hana])
    gone = post(bob, garden, "Deleted news", seen_by=[carol, dan, hana])
    feeds.delete_post(bob, post_id=gone.pk)

    enrollment, _ = services.enroll(
        alice,
        start_date=today,
        journey=returners,
        by=hana,
        away_since=today - datetime.timedelta(days=30),
    )
    with CaptureQueriesContext(connection) as queries:
        away = selectors.while_away(enrollment)
    assert len(queries) == 1
    assert [p.pk for p in away] == [big.pk, medium.pk, quiet.pk]
    assert [p.seen for p in away] == [3, 1, 0]  # type: ignore[attr-defined]

    client.force_login(alice)
    html = client.get("/onboarding/me/").content.decode()
    assert "While you were away" in html
    assert html.index("Big news") < html.index("Medium news")
    assert "Secret plans" not in html and "Chess club" not in html
    assert "Before the leave" not in html and "Deleted news" not in html
    client.force_login(bob)  # her manager sees it on her journey too
    page = client.get(f"/onboarding/{enrollment.pk}/").content.decode()
    assert "Big news" in page


def test_new_starters_have_no_digest_and_bad_leave_dates_are_refused(
    client, hana, nina, alice, journey, returners, today, enrollment
):
    assert selectors.while_away(enrollment) == []
    client.force_login(nina)
    assert "While you were away" not in client.get("/onboarding/me/").content.decode()
    with pytest.raises(ServiceError, match="Only a returner"):
        services.enroll(
            alice, start_date=today, journey=journey, by=hana, away_since=today
        )
    with pytest.raises(ServiceError, match="before the first day back"):
        services.enroll(
            alice, start_date=today, journey=returners, by=hana, away_since=today
        )
    client.force_login(hana)
    answer = client.post(
        "/onboarding/enroll/",
        {
            "email": alice.email,
            "start_date": today.isoformat(),
            "journey": returners.pk,
            "away_since": (today - datetime.timedelta(days=90)).isoformat(),
            "enroll": "1",
        },
    )
    assert answer.status_code == 302
    assert Enrollment.objects.get(person=alice).away_since == (
        today - datetime.timedelta(days=90)
    )
