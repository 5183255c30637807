"""The per-process hub: one channel-layer membership per group per process,
and one batched recheck for all of a process's sockets."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intranet import hub
from intranet.asgi import application
from intranet.consumers import _recheck
from intranet.realtime import apublish
from messaging import services
from messaging.events import conversation_group
from profiles.factories import UserFactory
from tests.base import make_people, session_cookie_for, socket_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    return get_channel_layer()


async def open_socket(user) -> WebsocketCommunicator:
    session_key = await database_sync_to_async(session_cookie_for)(user)
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(session_key))
    assert (await ws.connect())[0]
    assert (await ws.receive_json_from())["type"] == "hello"
    return ws


async def test_a_process_joins_each_group_once_and_fans_out_locally(in_memory_layer):
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    group_chat = await database_sync_to_async(services.create_group)(
        alice, title="Lunch", member_ids=[bob.pk]
    )
    group = conversation_group(group_chat.pk)
    sockets = [await open_socket(p) for p in (alice, alice, bob)]

    # Three sockets, one process: the layer knows a single member, the hub.
    assert len(in_memory_layer.groups[group]) == 1
    event = {"type": "test.hub", "n": 1}
    await apublish(event, groups=[group], skip_user=bob.pk)
    assert await sockets[0].receive_json_from() == event
    assert await sockets[1].receive_json_from() == event
    assert await sockets[2].receive_nothing(timeout=0.2)  # skip_user

    for ws in sockets:
        await ws.disconnect()
    # The last socket out leaves the layer's groups and stops the hub.
    assert not in_memory_layer.groups.get(group)
    assert not hub._hubs


async def test_leaving_a_conversation_stops_its_events_at_once(in_memory_layer):
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    group_chat = await database_sync_to_async(services.create_group)(
        alice, title="Lunch", member_ids=[bob.pk]
    )
    bob_ws = await open_socket(bob)
    await database_sync_to_async(services.leave_conversation)(
        bob, conversation_id=group_chat.pk
    )
    updated = await bob_ws.receive_json_from()  # the member list changed
    assert updated["type"] == "conversation.updated"
    left = await bob_ws.receive_json_from()
    assert left == {"type": "conversation.left", "conversation": group_chat.pk}
    await apublish({"type": "test.hub"}, groups=[conversation_group(group_chat.pk)])
    assert await bob_ws.receive_nothing(timeout=0.2)
    await bob_ws.disconnect()


def test_the_recheck_costs_the_same_queries_for_3_or_30_sockets():
    people = list(make_people().values())
    people += [UserFactory.create() for _ in range(27)]
    sessions = [(session_cookie_for(p), p.pk, p.password) for p in people]

    with CaptureQueriesContext(connection) as few:
        _recheck(sessions[:3])
    with CaptureQueriesContext(connection) as many:
        current, groups = _recheck(sessions)
    assert len(many) == len(few) == 3
    assert current == {key for key, _, _ in sessions}
    assert set(groups) == {p.pk for p in people}


def test_the_recheck_drops_ended_sessions_and_changed_users():
    people = make_people()
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    sessions = {
        p.email: (session_cookie_for(p), p.pk, p.password) for p in (alice, bob, carol)
    }
    alice_again = (session_cookie_for(alice), alice.pk, alice.password)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    carol.set_password("a new password for carol")
    carol.save(update_fields=["password"])
    Session.objects.filter(session_key=alice_again[0]).delete()  # signed out

    current, _ = _recheck([*sessions.values(), alice_again])
    assert current == {sessions[alice.email][0]}
