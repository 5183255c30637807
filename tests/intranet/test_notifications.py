"""Notifications: stored with their event, caught up, counted, read; over
the page and REST; made by mentions, replies and join requests."""

import json

import pytest
from django.test import Client

from feeds import services as feeds
from intranet import notifications as notices
from intranet.models import Notification
from tests.base import events_since

pytestmark = pytest.mark.django_db


def test_a_notification_is_caught_up_by_sync_for_its_person_only(alice, bob):
    notices.notify([bob.pk], kind="mention", text="Alice mentioned you", actor=alice)
    new = [e for e in events_since(bob, 0).events if e["type"] == "notification.new"]
    assert [e["notification"]["text"] for e in new] == ["Alice mentioned you"]
    assert not [
        e for e in events_since(alice, 0).events if e["type"].startswith("notification")
    ]


def test_nobody_is_notified_of_their_own_doing(alice):
    assert notices.notify([alice.pk], kind="mention", text="x", actor=alice) == []


def test_the_badge_is_capped_and_reading_all_clears_it(alice, bob, monkeypatch):
    monkeypatch.setattr(notices, "UNREAD_CAP", 3)
    for i in range(5):
        notices.notify([bob.pk], kind="mention", text=f"n{i}", actor=alice)
    assert notices.unread_count(bob.pk) == 3
    assert notices.mark_read(bob.pk) == 5
    assert notices.unread_count(bob.pk) == 0
    read = [e for e in events_since(bob, 0).events if e["type"] == "notification.read"]
    assert read[-1] == {**read[-1], "ids": None, "unread": 0}


def test_a_mention_and_a_comment_notify_and_a_muted_post_does_not(alice, bob, carol):
    space = feeds.create_space(alice, name="Gardening")
    feeds.join_space(bob, space_id=space.pk)
    feeds.join_space(carol, space_id=space.pk)
    post, _ = feeds.create_post(
        alice, space_id=space.pk, body="Ask @**Bob Brown**", client_id="m"
    )
    assert Notification.objects.get(user=bob).kind == "mention"
    feeds.add_comment(bob, post_id=post.pk, body="Sure")
    assert Notification.objects.get(user=alice).kind == "comment"
    feeds.mute_post(alice, post_id=post.pk, muted=True)
    feeds.add_comment(carol, post_id=post.pk, body="Me too")
    assert Notification.objects.filter(user=alice).count() == 1


def test_a_join_request_tells_the_leaders(alice, carol):
    space = feeds.create_space(alice, name="Leads", visibility="closed")
    feeds.request_to_join(carol, space_id=space.pk)
    notice = Notification.objects.get(user=alice)
    assert notice.kind == "join_request" and notice.url == space.get_absolute_url()
    feeds.decide_request(alice, space_id=space.pk, user_id=carol.pk, approve=False)
    assert "declined" in Notification.objects.get(user=carol).text


def test_the_page_lists_and_marks_read_without_js(alice, bob):
    notices.notify([bob.pk], kind="mention", text="<b>Hi</b>", actor=alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert b"&lt;b&gt;Hi&lt;/b&gt;" in page.content  # text, never HTML
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    assert client.post("/notifications/", {"all": "1"}).status_code == 403  # no CSRF
    answer = client.post("/notifications/", {"all": "1", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    assert notices.unread_count(bob.pk) == 0
    forged = client.post(
        "/notifications/", {"id": "9" * 30, "csrfmiddlewaretoken": token}
    )
    assert forged.status_code == 302


def test_rest_lists_and_marks_some_read(alice, bob):
    first, second = (
        notices.notify([bob.pk], kind="mention", text=t, actor=alice)[0]
        for t in ("one", "two")
    )
    client = Client()
    client.force_login(bob)
    listed = client.get("/api/v1/notifications").json()
    assert [n["text"] for n in listed["notifications"]] == ["two", "one"]
    assert listed["unread"] == 2
    marked = client.post(
        "/api/v1/notifications/read",
        json.dumps({"ids": [first.pk]}),
        content_type="application/json",
    ).json()
    assert marked == {"marked": 1, "unread": 1}
    huge = client.post(
        "/api/v1/notifications/read",
        json.dumps({"ids": [2**70]}),
        content_type="application/json",
    )
    assert huge.status_code == 422
    del second


def test_no_one_reads_anothers_notifications(alice, bob):
    mine = notices.notify([bob.pk], kind="mention", text="one", actor=alice)[0]
    client = Client()
    client.force_login(alice)
    client.post(
        "/api/v1/notifications/read",
        json.dumps({"ids": [mine.pk]}),
        content_type="application/json",
    )
    assert notices.unread_count(bob.pk) == 1
    assert client.get("/api/v1/notifications").json()["notifications"] == []
