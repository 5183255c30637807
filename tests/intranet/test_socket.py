"""The /ws/ socket through the real ASGI application."""

import socket

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client

from intranet import realtime
from intranet.asgi import application
from intranet.events import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED
from intranet.hub import CLOSE_LAYER_LOST
from intranet.realtime import apublish, user_group
from testkit.sockets import signed_in_socket
from tests.base import free_port, make_people, session_cookie_for, socket_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def test_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(application, "/ws/", headers=socket_headers())
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    await communicator.disconnect()


async def test_a_session_that_no_longer_signs_in_is_closed_with_4401():
    # Signed out, or signed in before a password change: nobody, at connect.
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    gone = await database_sync_to_async(session_cookie_for)(alice)
    await database_sync_to_async(Session.objects.filter(pk=gone).delete)()
    stale = await database_sync_to_async(session_cookie_for)(bob)
    bob.set_password("a whole new passphrase")
    await database_sync_to_async(bob.save)()
    for key in (gone, stale, "made-up"):
        communicator = WebsocketCommunicator(
            application, "/ws/", headers=socket_headers(key)
        )
        connected, _ = await communicator.connect()
        assert connected
        closed = await communicator.receive_output()
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
        await communicator.disconnect()


async def test_foreign_origin_is_refused():
    people = await database_sync_to_async(make_people)()
    session_key = await database_sync_to_async(session_cookie_for)(people["alice"])
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=socket_headers(session_key, origin="https://evil.example"),
    )
    connected, _ = await communicator.connect()
    assert connected is False


async def test_ping_answers_pong_and_bad_input_gets_error_events():
    people = await database_sync_to_async(make_people)()
    ws = await signed_in_socket(people["alice"])

    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from() == {"type": "pong"}

    await ws.send_to(text_data="{not json")
    error = await ws.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "bad_json")

    await ws.send_json_to(["a", "list"])
    assert (await ws.receive_json_from())["code"] == "invalid"

    await ws.send_json_to({"client_id": "c1"})
    error = await ws.receive_json_from()
    assert (error["code"], error["client_id"]) == ("invalid", "c1")

    await ws.send_json_to({"type": "launch.rockets", "client_id": "c2"})
    error = await ws.receive_json_from()
    assert error == {
        "type": "error",
        "code": "unknown_type",
        "message": "Unknown event type 'launch.rockets'.",
        "client_id": "c2",
    }

    await ws.send_json_to({"type": "ping", "client_id": 12})
    assert (await ws.receive_json_from())["code"] == "invalid"

    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await ws.receive_json_from())["code"] == "invalid"

    await ws.send_json_to({"type": "ping", "padding": "x" * 70_000})
    assert (await ws.receive_json_from())["code"] == "too_large"
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from() == {"type": "pong"}

    # After all that, the socket still works.
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from() == {"type": "pong"}
    await ws.disconnect()


async def test_published_event_reaches_only_the_users_own_sockets():
    people = await database_sync_to_async(make_people)()
    alice_tab_1 = await signed_in_socket(people["alice"])
    alice_tab_2 = await signed_in_socket(people["alice"])
    bob_tab = await signed_in_socket(people["bob"])

    event = {"type": "test.event", "n": 1}
    await apublish(event, groups=[user_group(people["alice"].pk)])

    assert await alice_tab_1.receive_json_from() == event
    assert await alice_tab_2.receive_json_from() == event
    assert await bob_tab.receive_nothing(timeout=0.2)
    for ws in (alice_tab_1, alice_tab_2, bob_tab):
        await ws.disconnect()


async def test_signing_out_closes_open_sockets(settings):
    settings.SOCKET_SESSION_RECHECK_SECONDS = 0.1
    people = await database_sync_to_async(make_people)()
    alice = people["alice"]
    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    session_key = client.cookies["sessionid"].value
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(session_key))
    assert (await ws.connect())[0]
    await ws.receive_json_from()

    await database_sync_to_async(client.post)("/accounts/logout/")

    closed = await ws.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_ENDED}
    await ws.disconnect()


async def test_deactivating_a_user_closes_their_sockets(settings):
    settings.SOCKET_SESSION_RECHECK_SECONDS = 0.1
    people = await database_sync_to_async(make_people)()
    bob = people["bob"]
    ws = await signed_in_socket(bob)

    bob.is_active = False
    await database_sync_to_async(bob.save)(update_fields=["is_active"])

    closed = await ws.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_SESSION_ENDED}
    await ws.disconnect()


async def test_publish_survives_a_dead_channel_layer(settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    await apublish({"type": "test.event"}, groups=["user.1", "user.2"])
    assert [r.message for r in caplog.records] == [
        "publish to user.1 failed",
        "publish to user.2 failed",
    ]


async def test_a_connect_the_server_cannot_serve_is_closed_with_4503(settings):
    """With the channel layer unreachable a socket would get no events: it
    is refused with 4503, so the tab backs off and catches up later,
    instead of being accepted and dying with 1011."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    people = await database_sync_to_async(make_people)()
    session_key = await database_sync_to_async(session_cookie_for)(people["alice"])
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=socket_headers(session_key)
    )
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CLOSE_LAYER_LOST}
    await communicator.disconnect()


async def test_publish_gives_up_on_a_frozen_channel_layer(
    settings, caplog, monkeypatch
):
    """A frozen Redis answers nothing: publish stops waiting, so the send
    that published is not held for the layer's read timeout."""
    monkeypatch.setattr(realtime, "PUBLISH_SECONDS", 0.3)
    with socket.socket() as frozen_redis:
        frozen_redis.bind(("127.0.0.1", 0))
        frozen_redis.listen(10)
        port = frozen_redis.getsockname()[1]
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
            }
        }
        await apublish({"type": "test.event"}, groups=["user.1", "user.2"])
    assert [r.message for r in caplog.records] == [
        "publish to user.1 failed: no answer in time",
        "publish to user.2 failed: no answer in time",
    ]
