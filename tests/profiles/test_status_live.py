"""A custom status reaches the people who share a conversation, space or
journey with its owner at once, over the real socket, and nobody else.

Presence is polled, not pushed, so it has no audience to borrow: the
status goes to the streams its owner follows (docs/realtime.md,
`status.changed`).
"""

import datetime
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from feeds import services as feeds
from messaging import services as messaging
from profiles.services import set_status
from testkit.sockets import next_event, signed_in_socket
from tests.base import capture_published

DOCS = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"


@pytest.mark.django_db(transaction=True)
async def test_a_contact_sees_a_status_change_live_and_an_outsider_does_not(
    alice, bob, carol
):
    await database_sync_to_async(messaging.get_or_create_direct)(alice, other_id=bob.pk)
    sockets = {p: await signed_in_socket(p) for p in (alice, bob, carol)}
    try:
        until = timezone.now() + datetime.timedelta(hours=4)
        await database_sync_to_async(set_status)(
            alice, emoji="🌴", text="On holiday", expires_at=until
        )
        expected = {
            "type": "status.changed",
            "user": alice.pk,
            "emoji": "🌴",
            "text": "On holiday",
            "expires_at": until.isoformat(),
        }
        assert await next_event(sockets[bob], "status.changed") == expected
        # Her own other tabs too.
        assert await next_event(sockets[alice], "status.changed") == expected
        assert await sockets[carol].receive_nothing(timeout=0.5)

        await database_sync_to_async(set_status)(
            alice, emoji="", text="", expires_at=None
        )
        cleared = await next_event(sockets[bob], "status.changed")
        assert cleared == {
            "type": "status.changed",
            "user": alice.pk,
            "emoji": "",
            "text": "",
            "expires_at": None,
        }
        assert await sockets[carol].receive_nothing(timeout=0.5)
    finally:
        for ws in sockets.values():
            await ws.disconnect()


def test_the_page_and_rest_publish_to_the_owners_streams_after_the_commit(
    client, alice, bob, carol, django_capture_on_commit_callbacks
):
    direct = messaging.get_or_create_direct(alice, other_id=bob.pk)
    space = feeds.create_space(alice, name="Garden", members=[bob])
    client.force_login(alice)
    with capture_published() as published:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.put(
                "/api/v1/people/me/status",
                {"emoji": "🤒", "text": "Out sick"},
                content_type="application/json",
            )
        assert response.status_code == 200
    changes = [c for c in published if c["event"]["type"] == "status.changed"]
    (change,) = changes
    assert change["event"] == {
        "type": "status.changed",
        "user": alice.pk,
        "emoji": "🤒",
        "text": "Out sick",
        "expires_at": None,
    }
    assert {
        f"user.{alice.pk}",
        f"conversation.{direct.pk}",
        f"space.{space.pk}",
    } <= set(change["groups"])
    assert f"user.{bob.pk}" not in change["groups"]
    assert f"user.{carol.pk}" not in change["groups"]

    for send in (
        lambda: client.delete("/api/v1/people/me/status"),
        lambda: client.post("/settings/status/", {"clear": "1"}),
    ):
        with (
            capture_published() as published,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert send().status_code in (204, 302)
        (change,) = [c for c in published if c["event"]["type"] == "status.changed"]
        assert change["event"]["text"] == "" and change["event"]["expires_at"] is None

    # A refused status changes nothing and tells nobody.
    with capture_published() as published:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.put(
                "/api/v1/people/me/status",
                {"emoji": "🤒", "text": "x" * 101},
                content_type="application/json",
            )
        assert response.status_code in (400, 422)
    assert published == []


def test_the_event_is_documented():
    assert "### `status.changed`" in DOCS.read_text()
