"""Presence: derived from socket activity, read through the API."""

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
    assert presence.statuses([alice.pk, bob.pk]) == {
        alice.pk: "online",
        bob.pk: "offline",
    }
    await ws.send_json_to({"type": "ping", "active": False})
    assert await ws.receive_json_from() == {"type": "pong"}
    await ws.disconnect()


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
