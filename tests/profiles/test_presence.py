"""Presence: derived from socket activity, read through the API."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from intranet.asgi import application
from profiles import presence
from tests.base import make_people, session_cookie_for, socket_headers


def test_statuses_follow_seen_and_active_times(settings):
    now = time.time()
    presence.mark_seen(1, active=True, now=now)
    presence.mark_seen(2, active=True, now=now - settings.PRESENCE_AWAY_AFTER - 1)
    presence.mark_seen(2, active=False, now=now)
    presence.mark_seen(3, active=True, now=now - settings.PRESENCE_SEEN_WINDOW - 1)
    assert presence.statuses([1, 2, 3, 4], now=now) == {
        1: "online",
        2: "away",
        3: "offline",
        4: "offline",
    }


def test_the_presence_windows_are_settings(settings):
    """Shorter windows (as the browser tests use) change what counts as
    online, on the next read."""
    now = time.time()
    presence.mark_seen(1, active=True, now=now - 5)
    presence.mark_seen(2, active=True, now=now - 5)
    presence.mark_seen(2, active=False, now=now)
    assert presence.statuses([1, 2], now=now) == {1: "online", 2: "online"}
    settings.PRESENCE_SEEN_WINDOW = 4
    settings.PRESENCE_AWAY_AFTER = 3
    assert presence.statuses([1, 2], now=now) == {1: "offline", 2: "away"}


@pytest.mark.django_db(transaction=True)
async def test_an_open_socket_makes_its_user_online_and_pings_keep_it():
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    session = await database_sync_to_async(session_cookie_for)(alice)
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(session))
    assert (await ws.connect())[0]
    await ws.receive_json_from()
    # The process writes its sockets' marks in batches, a moment later.
    assert await _eventually(
        lambda: (
            presence.statuses([alice.pk, bob.pk])
            == {alice.pk: "online", bob.pk: "offline"}
        )
    )
    await ws.send_json_to({"type": "ping", "active": False})
    assert await ws.receive_json_from() == {"type": "pong"}
    await ws.disconnect()


async def _eventually(check, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def test_mark_seen_many_keeps_each_users_last_activity(settings):
    now = time.time()
    presence.mark_seen(2, active=True, now=now - settings.PRESENCE_AWAY_AFTER - 1)
    presence.mark_seen(3, active=True, now=now - 10)
    presence.mark_seen_many({1: True, 2: False, 3: False, 4: False}, now=now)
    assert presence.statuses([1, 2, 3, 4, 5], now=now) == {
        1: "online",
        2: "away",  # its last activity is kept, not reset
        3: "online",
        4: "away",  # seen, never active
        5: "offline",
    }


async def test_the_writer_batches_marks_and_an_active_mark_wins():
    """Marks that arrive while a write is under way go together in the next
    one (one cache round trip for a storm of connects); a user with an active
    and an idle tab in one batch counts as active."""
    writes: list[dict[int, bool]] = []
    real = presence.mark_seen_many

    def recording(marks, **kwargs):
        writes.append(dict(marks))
        time.sleep(0.05)  # a slow cache: later marks pile up meanwhile
        real(marks, **kwargs)

    writer = presence.PresenceWriter(write=recording)
    writer.note(1, active=True)
    await asyncio.sleep(0.01)  # the first write is under way
    for user_id in range(2, 102):
        writer.note(user_id, active=False)
    writer.note(50, active=True)
    writer.note(50, active=False)
    await writer.idle()
    assert writes[0] == {1: True}
    assert len(writes) == 2, "the 100 later marks went in one write"
    assert writes[1][50] is True and writes[1][2] is False
    assert presence.statuses([1, 50, 2]) == {1: "online", 50: "online", 2: "away"}


async def test_a_failed_write_is_logged_and_the_writer_carries_on(caplog):
    calls = 0

    def flaky(marks, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("cache down")
        presence.mark_seen_many(marks, **kwargs)

    writer = presence.PresenceWriter(write=flaky)
    writer.note(7, active=True)
    await writer.idle()
    assert "presence" in caplog.text
    writer.note(8, active=True)
    await writer.idle()
    assert presence.statuses([7, 8]) == {7: "offline", 8: "online"}


def test_presence_api(client, alice, bob):
    presence.mark_seen(bob.pk, active=True)
    client.force_login(alice)
    response = client.get("/api/v1/presence", {"users": f"{bob.pk},{alice.pk}"})
    assert response.status_code == 200
    assert response.json() == {str(bob.pk): "online", str(alice.pk): "offline"}
    for bad in ("x,y", "", ",".join(str(n) for n in range(201))):
        response = client.get("/api/v1/presence", {"users": bad})
        assert response.status_code == 400, bad
        assert "error" in response.json()
    client.logout()
    assert client.get("/api/v1/presence", {"users": "1"}).status_code == 401
