"""Editing and cancelling a scheduled announcement before its time (its
author and HR; 409 once published), over the service, REST and the pages;
and an announcement whose author lost the role by its time is held, not
published, and its author and HR are told."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from feeds import selectors, services
from feeds.models import Announcement, Post
from intranet.errors import ServiceError
from intranet.models import Notification
from profiles.roles import COMMUNICATORS
from tests.feeds.test_api import Browser

pytestmark = pytest.mark.django_db


def later(clock, **delta) -> datetime.datetime:
    return clock.now + datetime.timedelta(**delta)


@pytest.fixture
def scheduled(chris, company, clock):
    """chris (a communicator) schedules a must-read for an hour from now."""
    return services.announce(
        chris,
        space_id=company.pk,
        body="Office closed Friday",
        must_read=True,
        publish_at=later(clock, hours=1),
    )


def test_the_author_edits_a_scheduled_announcement_and_it_publishes_the_new_text(
    chris, alice, company, clock, scheduled
):
    edited = services.edit_scheduled(
        chris,
        announcement_id=scheduled.pk,
        body="Office closed Friday and Monday",
        publish_at=later(clock, hours=2),
        department_ids=[alice.department_id],
    )
    assert edited.body == "Office closed Friday and Monday"
    assert edited.publish_at == later(clock, hours=2)
    assert edited.targeted is True
    clock.advance(hours=1)
    assert services.publish_due() == 0  # moved an hour later
    clock.advance(hours=1)
    assert services.publish_due() == 1
    post = Post.objects.get()
    assert post.body == "Office closed Friday and Monday" and post.targeted


def test_only_the_author_and_hr_change_it_others_get_404(
    hanna, chris, alice, company, clock, scheduled
):
    with pytest.raises(ServiceError, match="No such announcement") as refused:
        services.edit_scheduled(alice, announcement_id=scheduled.pk, body="x")
    assert refused.value.status == 404
    with pytest.raises(ServiceError, match="No such announcement"):
        services.cancel_scheduled(alice, announcement_id=scheduled.pk)
    edited = services.edit_scheduled(hanna, announcement_id=scheduled.pk, body="HR")
    assert edited.body == "HR"
    with pytest.raises(ServiceError, match="cannot be empty"):
        services.edit_scheduled(chris, announcement_id=scheduled.pk, body="  ")
    with pytest.raises(ServiceError, match="after it is published"):
        services.edit_scheduled(
            chris, announcement_id=scheduled.pk, pinned_until=later(clock, minutes=5)
        )
    services.cancel_scheduled(chris, announcement_id=scheduled.pk)
    assert not Announcement.objects.exists()
    clock.advance(hours=2)
    assert services.publish_due() == 0
    assert not Post.objects.exists()


def test_after_publishing_edit_and_cancel_are_409_with_a_sentence(
    chris, company, clock, scheduled
):
    clock.advance(hours=1)
    assert services.publish_due() == 1
    for change in (
        lambda: services.edit_scheduled(chris, announcement_id=scheduled.pk, body="x"),
        lambda: services.cancel_scheduled(chris, announcement_id=scheduled.pk),
    ):
        with pytest.raises(ServiceError, match="edit or delete the post") as refused:
            change()
        assert refused.value.status == 409
    assert Post.objects.get().body == "Office closed Friday"


def test_a_past_time_publishes_it_now(chris, company, clock, scheduled):
    edited = services.edit_scheduled(
        chris, announcement_id=scheduled.pk, publish_at=later(clock, hours=-1)
    )
    assert edited.post is not None
    assert edited.post.created_at == clock.now


def test_an_author_who_lost_the_role_is_held_and_told_with_hr(
    hanna, chris, alice, company, clock, scheduled
):
    Group.objects.get(name=COMMUNICATORS).user_set.remove(chris)
    clock.advance(hours=1)
    out = io.StringIO()
    call_command("publish_announcements", stdout=out)  # the scheduler's sweep
    assert "Published 0" in out.getvalue()
    assert not Post.objects.exists()
    held = Announcement.objects.get()
    assert held.is_held and not held.is_published
    told = Notification.objects.filter(kind="announcement_held")
    assert sorted(told.values_list("user_id", flat=True)) == [hanna.pk, chris.pk]
    assert "no longer post announcements" in told.get(user=chris).text
    # Told once: later sweeps find nothing due.
    clock.advance(minutes=5)
    call_command("publish_announcements", stdout=io.StringIO())
    assert told.count() == 2
    assert selectors.scheduled_announcements(hanna) == [held]
    # Its author may not bring it back; HR may, and it is held again
    # unless the role is back by then.
    chris = type(chris).objects.get(pk=chris.pk)  # no cached permissions
    with pytest.raises(ServiceError, match="Only HR and communicators") as refused:
        services.edit_scheduled(chris, announcement_id=held.pk, body="Again")
    assert refused.value.status == 403
    services.edit_scheduled(
        hanna, announcement_id=held.pk, publish_at=later(clock, hours=1)
    )
    Group.objects.get(name=COMMUNICATORS).user_set.add(chris)
    clock.advance(hours=1)
    assert services.publish_due() == 1
    assert Post.objects.get().author == chris


def test_edit_and_cancel_over_rest(hanna, chris, alice, company, clock, scheduled):
    path = f"/announcements/{scheduled.pk}"
    assert Browser(alice).call("PATCH", path, {"body": "x"}).status_code == 404
    assert Browser(alice).call("DELETE", path).status_code == 404
    answer = Browser(chris).call(
        "PATCH", path, {"body": "New text", "publish_at": "2030-01-01T10:00:00"}
    )
    assert answer.status_code == 400 and "time zone" in answer.json()["error"]
    answer = Browser(chris).call("PATCH", path, {"body": "New text"})
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["body"] == "New text" and data["post"] is None
    assert data["held"] is False and data["must_read"] is True
    clock.advance(hours=1)
    services.publish_due()
    refused = Browser(hanna).call("PATCH", path, {"body": "Too late"})
    assert refused.status_code == 409
    assert "edit or delete the post" in refused.json()["error"]
    assert Browser(hanna).call("DELETE", path).status_code == 409


def test_cancel_over_rest_before_publishing(hanna, chris, company, scheduled):
    answer = Browser(hanna).call("DELETE", f"/announcements/{scheduled.pk}")
    assert answer.status_code == 204
    assert not Announcement.objects.exists()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_edit_page_saves_cancels_and_says_409_after(
    hanna, chris, alice, company, clock, scheduled
):
    url = f"/announcements/{scheduled.pk}/edit/"
    assert client_for(alice).get(url).status_code == 404
    composer = client_for(chris).get("/announcements/new/")
    assert url in composer.content.decode()
    page = client_for(chris).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'for="announce-body"' in html and "Office closed Friday" in html
    saved = client_for(chris).post(
        url,
        {
            "body": "Office closed Friday (edited)",
            "must_read": "on",
            "publish_at": page.context["publish_at"],
        },
        follow=True,
    )
    assert "Saved: it will be published" in saved.content.decode()
    assert Announcement.objects.get().body == "Office closed Friday (edited)"
    clock.advance(hours=1)
    services.publish_due()
    late = client_for(chris).get(url)
    assert late.status_code == 409
    assert "Open the post" in late.content.decode()
    refused = client_for(chris).post(url, {"body": "x", "publish_at": ""})
    assert refused.status_code == 409


def test_the_cancel_button_withdraws_it(hanna, chris, alice, company, scheduled):
    url = f"/announcements/{scheduled.pk}/cancel/"
    assert client_for(alice).post(url).status_code == 404
    assert client_for(hanna).post(url).status_code == 302
    assert not Announcement.objects.exists()


def test_a_pin_is_kept_when_left_out_and_cleared_when_emptied(
    chris, company, clock, scheduled
):
    pin = later(clock, days=3)
    path = f"/announcements/{scheduled.pk}"
    answer = Browser(chris).call("PATCH", path, {"pinned_until": pin.isoformat()})
    assert answer.status_code == 200, answer.json()
    assert Announcement.objects.get().pinned_until == pin
    # Over REST, leaving the field out keeps the pin; null takes it off.
    Browser(chris).call("PATCH", path, {"body": "Still pinned"})
    assert Announcement.objects.get().pinned_until == pin
    answer = Browser(chris).call("PATCH", path, {"pinned_until": None})
    assert answer.status_code == 200 and answer.json()["pinned_until"] is None
    assert Announcement.objects.get().pinned_until is None
    # The page's form always shows the pin: emptying the field unpins.
    services.edit_scheduled(chris, announcement_id=scheduled.pk, pinned_until=pin)
    url = f"/announcements/{scheduled.pk}/edit/"
    page = client_for(chris).get(url)
    assert page.context["pinned_until"]
    form = {"body": "Unpinned", "publish_at": page.context["publish_at"]}
    assert client_for(chris).post(url, form).status_code == 302
    assert Announcement.objects.get().pinned_until is None
    # And the service keeps it unless told.
    services.edit_scheduled(chris, announcement_id=scheduled.pk, pinned_until=pin)
    services.edit_scheduled(chris, announcement_id=scheduled.pk, body="Kept")
    assert Announcement.objects.get().pinned_until == pin


def test_the_schedulers_command_publishes_on_the_one_kept_loop(
    scheduled, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """A management command is a plain thread: its publishes share the
    kept loop (intranet.realtime._PublishLoop), not a loop each."""
    import asyncio

    from intranet import realtime

    heard: list[tuple[asyncio.AbstractEventLoop, str]] = []
    original = realtime.apublish

    async def recording(event, **options):
        heard.append((asyncio.get_running_loop(), event["type"]))
        await original(event, **options)

    def per_call_loop(*args, **kwargs):
        raise AssertionError("a plain thread went through async_to_sync")

    monkeypatch.setattr(realtime, "apublish", recording)
    monkeypatch.setattr(realtime, "async_to_sync", per_call_loop)
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_announcements", stdout=io.StringIO())
    assert "post.new" in {kind for _, kind in heard}
    assert {loop for loop, _ in heard} == {realtime._publish_loop.loop}
