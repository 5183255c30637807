"""Announcements over REST: HR, a communicator, a member and an outsider;
a scheduled one is nowhere until its time; acknowledgements, the CSV and
the one nudge; verified sources."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds import services
from feeds.models import Post
from intranet.models import Notification
from profiles.factories import UserFactory
from tests.feeds.test_api import Browser

pytestmark = pytest.mark.django_db


def test_hr_announces_over_rest_and_a_member_gets_403(hanna, alice, company):
    answer = Browser(hanna).call(
        "POST",
        "/announcements",
        {"space": company.pk, "body": "Welcome **all**", "must_read": True},
    )
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["post"] and data["published_at"] and data["must_read"] is True
    post = Browser(alice).get(f"/posts/{data['post']}").json()
    assert post["announcement"] is True and post["must_read"] is True
    assert post["acknowledged"] is False
    refused = Browser(alice).call(
        "POST", "/announcements", {"space": company.pk, "body": "Me too"}
    )
    assert refused.status_code == 403
    assert "HR and communicators" in refused.json()["error"]


def test_bad_input_is_a_400_with_a_sentence(hanna, company):
    browser = Browser(hanna)
    naive = browser.call(
        "POST",
        "/announcements",
        {"space": company.pk, "body": "x", "publish_at": "2030-01-01T10:00:00"},
    )
    assert naive.status_code == 400
    assert "time zone" in naive.json()["error"]
    empty = browser.call("POST", "/announcements", {"space": company.pk, "body": ""})
    assert empty.status_code == 400
    missing = browser.call("POST", "/announcements", {"space": 9999, "body": "x"})
    assert missing.status_code == 404


def test_a_scheduled_announcement_is_not_on_any_rest_path(hanna, chris, alice, company):
    when = (
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    ).isoformat()
    answer = Browser(chris).call(
        "POST",
        "/announcements",
        {"space": company.pk, "body": "Secret until noon", "publish_at": when},
    )
    assert answer.status_code == 201
    assert answer.json()["post"] is None
    member = Browser(alice)
    assert member.get("/feed").json()["items"] == []
    assert member.get(f"/spaces/{company.pk}/posts").json()["items"] == []
    assert member.get("/announcements/scheduled").status_code == 403
    assert [
        a["body"] for a in Browser(chris).get("/announcements/scheduled").json()
    ] == ["Secret until noon"]
    assert len(Browser(hanna).get("/announcements/scheduled").json()) == 1
    assert not Post.objects.exists()


def test_acknowledge_report_csv_and_nudge_once(
    hanna, chris, alice, bob, carol, company
):
    post = services.announce(
        chris, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    first = Browser(alice).call("POST", f"/posts/{post.pk}/acknowledge")
    again = Browser(alice).call("POST", f"/posts/{post.pk}/acknowledge")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    # A member sees no one's acknowledgements (404); the author and HR do.
    assert Browser(bob).get(f"/posts/{post.pk}/acknowledgements").status_code == 404
    report = Browser(hanna).get(f"/posts/{post.pk}/acknowledgements").json()
    assert (report["acknowledged"], report["expected"]) == (1, 4)
    by_name = {r["name"]: r for r in report["readers"]}
    assert by_name["Alice Adams"]["acknowledged_at"]
    assert by_name["Bob Brown"]["acknowledged_at"] is None
    exported = Browser(chris).get(f"/posts/{post.pk}/acknowledgements.csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["name", "email", "department", "acknowledged_at"]
    assert ["Bob Brown", "bob@canteen.test", "Engineering", ""] in rows
    alice_row = next(r for r in rows if r[0] == "Alice Adams")
    assert alice_row[:3] == ["Alice Adams", "alice@canteen.test", "Engineering"]
    assert alice_row[3].startswith(str(datetime.date.today().year))
    assert Browser(bob).get(f"/posts/{post.pk}/acknowledgements.csv").status_code == 404
    # A reader may not nudge, and learns nothing from trying: 404, as
    # for someone who cannot read it at all; nothing is sent.
    for person in (bob, carol):
        refused = Browser(person).call("POST", f"/posts/{post.pk}/nudge")
        assert refused.status_code == 404, person
        assert refused.json()["error"]
    assert not Notification.objects.filter(kind="nudge").exists()
    nudged = Browser(chris).call("POST", f"/posts/{post.pk}/nudge")
    assert nudged.json() == {"nudged": 3}
    twice = Browser(hanna).call("POST", f"/posts/{post.pk}/nudge")
    assert twice.status_code == 409
    assert "nudged once" in twice.json()["error"]


def test_the_acknowledgement_view_reads_in_constant_queries(hanna, company):
    browser = Browser(hanna)

    def queries(post) -> int:
        with CaptureQueriesContext(connection) as captured:
            answer = browser.get(f"/posts/{post.pk}/acknowledgements")
        assert answer.status_code == 200
        return len(captured)

    small = services.announce(hanna, space_id=company.pk, body="A", must_read=True)
    UserFactory.create_batch(40)  # the company space takes them in
    big = services.announce(hanna, space_id=company.pk, body="B", must_read=True)
    assert big.readers.count() == small.readers.count() + 40
    assert queries(big.post) == queries(small.post)


def test_hr_marks_verified_sources_over_rest(hanna, chris, alice):
    assert Browser(chris).call("PUT", f"/people/{alice.pk}/verified").status_code == 403
    answer = Browser(hanna).call("PUT", f"/people/{alice.pk}/verified")
    assert answer.json() == {"id": alice.pk, "verified": True}
    answer = Browser(hanna).call("DELETE", f"/people/{alice.pk}/verified")
    assert answer.json() == {"id": alice.pk, "verified": False}
    assert Browser(hanna).call("PUT", "/people/99999/verified").status_code == 404


def test_bad_ids_text_and_times_are_refused_not_500(hanna, company):
    browser = Browser(hanna)
    big = 2**64
    for method, path, body in [
        ("POST", "/announcements", {"space": big, "body": "x"}),
        ("POST", "/announcements", {"space": company.pk, "body": "a\x00b"}),
        (
            "POST",
            "/announcements",
            {"space": company.pk, "body": "x", "departments": [big]},
        ),
        (
            "POST",
            "/announcements",
            {"space": company.pk, "body": "x", "publish_at": "soon"},
        ),
        ("POST", f"/posts/{big}/acknowledge", None),
        ("GET", f"/posts/{big}/acknowledgements", None),
        ("POST", f"/posts/{big}/nudge", None),
        ("PUT", f"/people/{big}/verified", None),
    ]:
        answer = browser.call(method, path, body)
        assert answer.status_code in (400, 422), (method, path, answer.content)
        assert answer.json()["error"]
    long_place = {"space": company.pk, "body": "x", "locations": ["x" * 121]}
    answer = browser.call("POST", "/announcements", long_place)
    assert answer.status_code == 400
    assert "at most 120 characters" in answer.json()["error"]


def test_a_targeted_announcement_says_whom_it_is_addressed_to(
    hanna, alice, carol, company
):
    post = services.announce(
        hanna,
        space_id=company.pk,
        body="Engineering only",
        department_ids=[alice.department_id],
    ).published_post
    shapes = {
        person: Browser(person).get(f"/posts/{post.pk}").json()
        for person in (hanna, alice, carol)
    }
    assert all(s["targeted"] is True for s in shapes.values())
    assert [shapes[p]["addressed"] for p in (hanna, alice, carol)] == [
        True,
        True,
        False,
    ]
    assert [p["id"] for p in Browser(carol).get("/feed").json()["items"]] == []
    assert [p["id"] for p in Browser(alice).get("/feed").json()["items"]] == [post.pk]
    plain = services.announce(hanna, space_id=company.pk, body="All").published_post
    shape = Browser(carol).get(f"/posts/{plain.pk}").json()
    assert (shape["targeted"], shape["addressed"]) == (False, None)
