"""Messaging over the real ASGI socket: every inbound event, its errors and
its audience."""

import asyncio
import io

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from intranet import consumers
from intranet.asgi import application
from messaging import services
from messaging.models import Message
from testkit.sockets import next_event, next_events, signed_in_socket, socket_headers
from tests.base import make_people, session_cookie_for
from tests.messaging.files import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def chat():
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    direct = await database_sync_to_async(services.get_or_create_direct)(
        alice, other_id=bob.pk
    )
    sockets = {
        name: await signed_in_socket(people[name]) for name in ("alice", "bob", "carol")
    }
    yield people, direct, sockets
    for ws in sockets.values():
        await ws.disconnect()


async def test_a_sent_message_reaches_members_live_and_acks_the_sender(chat):
    people, direct, ws = chat
    await ws["alice"].send_json_to(
        {
            "type": "message.send",
            "conversation": direct.pk,
            "body": "Hi **Bob**",
            "client_id": "uuid-1",
        }
    )
    # The sender's tab gets both the ack and (to replace its local echo)
    # message.new, in either order.
    ack, own = await next_events(ws["alice"], "message.ack", "message.new")
    assert ack["client_id"] == own["message"]["client_id"] == "uuid-1"
    new = await next_event(ws["bob"], "message.new")
    assert new["message"]["html"] == "<p>Hi <strong>Bob</strong></p>"
    assert new["message"]["sender"]["id"] == people["alice"].pk
    assert new["message"]["id"] == ack["message"]["id"]
    assert isinstance(new["cursor"], int)
    assert isinstance(new["accepted_at"], float)
    assert await ws["carol"].receive_nothing(timeout=0.3)


async def test_the_same_client_id_five_times_over_socket_and_rest_stores_one(chat):
    people, direct, ws = chat
    send = {
        "type": "message.send",
        "conversation": direct.pk,
        "body": "once",
        "client_id": "retry-me",
    }
    for _ in range(3):
        await ws["alice"].send_json_to(send)
        await next_event(ws["alice"], "message.ack")
    session_key = await database_sync_to_async(session_cookie_for)(people["alice"])

    def post_twice():
        from django.test import Client

        client = Client()
        client.cookies["sessionid"] = session_key
        statuses = [
            client.post(
                f"/api/v1/conversations/{direct.pk}/messages",
                {"body": "once", "client_id": "retry-me"},
                content_type="application/json",
            ).status_code
            for _ in range(2)
        ]
        return statuses, Message.objects.count()

    statuses, count = await database_sync_to_async(post_twice)()
    assert statuses == [200, 200]
    assert count == 1


async def test_outsiders_events_are_refused_and_nothing_is_stored(chat):
    _, direct, ws = chat
    await ws["carol"].send_json_to(
        {
            "type": "message.send",
            "conversation": direct.pk,
            "body": "let me in",
            "client_id": "sneaky",
        }
    )
    error = await ws["carol"].receive_json_from()
    assert error == {
        "type": "error",
        "code": "not_found",
        "message": "No such conversation.",
        "client_id": "sneaky",
    }
    for event in (
        {"type": "typing.start", "conversation": direct.pk},
        {"type": "read", "conversation": direct.pk, "message": 1},
    ):
        await ws["carol"].send_json_to(event)
        assert (await ws["carol"].receive_json_from())["code"] == "not_found"
    assert await database_sync_to_async(Message.objects.count)() == 0
    # The socket is still open and useful.
    await ws["carol"].send_json_to({"type": "ping"})
    assert await ws["carol"].receive_json_from() == {"type": "pong"}
    assert await ws["alice"].receive_nothing(timeout=0.2)


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (
            {
                "type": "message.send",
                "conversation": "1",
                "body": "x",
                "client_id": "a",
            },
            "invalid",
        ),
        ({"type": "message.send", "body": "x", "client_id": "a"}, "invalid"),
        ({"type": "message.send", "conversation": 1, "body": "x"}, "invalid"),
        # 0 is no id (ids are 1 to 2**63 - 1): refused before any lookup.
        (
            {"type": "message.send", "conversation": 0, "body": "", "client_id": "a"},
            "invalid",
        ),
        (
            {"type": "message.send", "conversation": 999, "body": "", "client_id": "a"},
            "not_found",
        ),
        ({"type": "message.edit", "message": 1}, "invalid"),
        ({"type": "reaction.add", "message": 1, "emoji": ""}, "invalid"),
        ({"type": "sync", "since": -1}, "invalid"),
        ({"type": "sync", "since": 1, "seen": ["1"]}, "invalid"),
        ({"type": "sync", "since": 500, "seen": list(range(201))}, "invalid"),
    ],
)
async def test_malformed_events_get_error_events(chat, event, code):
    _, _, ws = chat
    await ws["alice"].send_json_to(event)
    error = await ws["alice"].receive_json_from()
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]


async def test_empty_and_oversized_bodies_get_errors_with_the_client_id(chat):
    _, direct, ws = chat
    for body, code in (("  ", "empty"), ("x" * 10_001, "too_long")):
        await ws["alice"].send_json_to(
            {
                "type": "message.send",
                "conversation": direct.pk,
                "body": body,
                "client_id": code,
            }
        )
        error = await ws["alice"].receive_json_from()
        assert (error["code"], error["client_id"]) == (code, code)


async def test_attachments_go_out_with_a_socket_send_and_strangers_get_404(chat):
    people, direct, ws = chat
    alice, bob = people["alice"], people["bob"]

    def upload(user, name, content):
        return services.upload_attachment(
            user,
            conversation_id=direct.pk,
            upload=io.BytesIO(content),
            name=name,
            size=len(content),
        ).pk

    photo = await database_sync_to_async(upload)(alice, "photo.png", image_bytes())
    bobs = await database_sync_to_async(upload)(bob, "bobs.txt", b"bob's")
    send = {
        "type": "message.send",
        "conversation": direct.pk,
        "body": "",
        "client_id": "with-photo",
        "attachments": [photo],
    }
    # Someone else's upload, or ids that are not lists of ints: refused with
    # the client_id, nothing stored.
    for attachments, code in (
        ([bobs], "not_found"),
        ([photo, bobs], "not_found"),
        (["1"], "invalid"),
        (photo, "invalid"),
    ):
        await ws["alice"].send_json_to({**send, "attachments": attachments})
        error = await next_event(ws["alice"], "error")
        assert (error["code"], error["client_id"]) == (code, "with-photo")
    assert await database_sync_to_async(Message.objects.count)() == 0

    # Sent twice (a retry after a reconnect): one message, one event.
    for _ in range(2):
        await ws["alice"].send_json_to(send)
        ack = await next_event(ws["alice"], "message.ack")
        assert [a["id"] for a in ack["message"]["attachments"]] == [photo]
    new = await next_event(ws["bob"], "message.new")
    (shape,) = new["message"]["attachments"]
    assert (shape["name"], shape["is_image"]) == ("photo.png", True)
    assert shape["thumbnail_url"] == f"/api/v1/attachments/{photo}/thumbnail"
    assert await ws["bob"].receive_nothing(timeout=0.3)
    assert await database_sync_to_async(Message.objects.count)() == 1

    # carol cannot send it into a conversation of her own either.
    own = await database_sync_to_async(services.get_or_create_direct)(
        people["carol"], other_id=bob.pk
    )
    await ws["carol"].send_json_to(
        {**send, "conversation": own.pk, "client_id": "carol", "body": "mine now"}
    )
    error = await next_event(ws["carol"], "error")
    assert error["client_id"] == "carol"
    assert error["message"] == "No such attachment."
    assert await database_sync_to_async(Message.objects.count)() == 1


async def test_typing_reaches_others_but_not_the_typist(chat):
    people, direct, ws = chat
    await ws["alice"].send_json_to({"type": "typing.start", "conversation": direct.pk})
    typing = await next_event(ws["bob"], "typing")
    assert typing == {
        "type": "typing",
        "conversation": direct.pk,
        "user": {"id": people["alice"].pk, "name": "Alice Adams", "initials": "AA"},
        "active": True,
    }
    assert await ws["alice"].receive_nothing(timeout=0.2)
    assert await ws["carol"].receive_nothing(timeout=0.1)


async def test_typing_stays_quiet_in_a_conversation_past_the_line(chat, settings):
    people, _, ws = chat
    group = await database_sync_to_async(services.create_group)(
        people["alice"],
        title="Trio",
        member_ids=[people["bob"].pk, people["carol"].pk],
    )
    settings.TYPING_MAX_MEMBERS = 3
    await ws["alice"].send_json_to({"type": "typing.start", "conversation": group.pk})
    assert (await next_event(ws["bob"], "typing"))["conversation"] == group.pk
    settings.TYPING_MAX_MEMBERS = 2
    await ws["alice"].send_json_to({"type": "typing.start", "conversation": group.pk})
    assert await ws["bob"].receive_nothing(timeout=0.3)
    # And no error for alice: what she hears before the pong of her next ping.
    await ws["alice"].send_json_to({"type": "ping"})
    heard = [(await ws["alice"].receive_json_from())["type"]]
    while heard[-1] != "pong":
        heard.append((await ws["alice"].receive_json_from())["type"])
    assert "error" not in heard


async def test_edit_delete_reaction_and_read_flow_to_the_right_sockets(chat):
    people, direct, ws = chat
    await ws["alice"].send_json_to(
        {
            "type": "message.send",
            "conversation": direct.pk,
            "body": "typo",
            "client_id": "e1",
        }
    )
    message_id = (await next_event(ws["bob"], "message.new"))["message"]["id"]

    await ws["alice"].send_json_to(
        {"type": "message.edit", "message": message_id, "body": "fixed"}
    )
    edited = await next_event(ws["bob"], "message.edited")
    assert edited["message"]["html"] == "<p>fixed</p>"
    assert edited["message"]["edited_at"]

    await ws["bob"].send_json_to(
        {"type": "reaction.add", "message": message_id, "emoji": "👍"}
    )
    reaction = await next_event(ws["alice"], "reaction.changed")
    assert reaction["reactions"] == [{"emoji": "👍", "users": [people["bob"].pk]}]

    bob_second_tab = await signed_in_socket(people["bob"])
    await ws["bob"].send_json_to(
        {"type": "read", "conversation": direct.pk, "message": message_id}
    )
    read = await next_event(bob_second_tab, "read.updated")
    assert read["last_read_id"] == message_id
    await bob_second_tab.disconnect()

    await ws["bob"].send_json_to({"type": "message.delete", "message": message_id})
    error = await next_event(ws["bob"], "error")
    assert error["code"] == "forbidden"
    await ws["alice"].send_json_to({"type": "message.delete", "message": message_id})
    deleted = await next_event(ws["bob"], "message.deleted")
    assert deleted["message"]["deleted"] is True
    assert deleted["message"]["body"] == ""
    assert await ws["carol"].receive_nothing(timeout=0.1)


async def test_reconnecting_tab_catches_up_on_everything_it_missed_in_order(
    chat, settings
):
    settings.MESSAGE_SEND_BURST = 100
    people, direct, ws = chat
    await ws["alice"].send_json_to(
        {
            "type": "message.send",
            "conversation": direct.pk,
            "body": "before",
            "client_id": "b0",
        }
    )
    cursor = (await next_event(ws["bob"], "message.new"))["cursor"]
    await ws["bob"].disconnect()

    def send_fifty():
        for n in range(50):
            services.send_message(
                people["alice"],
                conversation_id=direct.pk,
                body=f"missed {n}",
                client_id=f"m{n}",
            )

    await database_sync_to_async(send_fifty)()
    bob = await signed_in_socket(people["bob"])
    await bob.send_json_to({"type": "sync", "since": cursor})
    batch = await next_event(bob, "sync.batch")
    bodies = [
        e["message"]["body"]
        for e in batch["events"]
        if e["type"] == "message.new" and e["cursor"] > cursor
    ]
    assert bodies == [f"missed {n}" for n in range(50)]
    assert batch["more"] is False
    ws["bob"] = bob


async def test_leaving_a_group_stops_its_events_at_once(chat):
    people, _, ws = chat
    group = await database_sync_to_async(services.create_group)(
        people["alice"], title="Lunch", member_ids=[people["carol"].pk]
    )
    joined = await next_event(ws["carol"], "conversation.joined")
    assert joined["conversation"] == group.pk
    await asyncio.sleep(0.05)
    await database_sync_to_async(services.leave_conversation)(
        people["carol"], conversation_id=group.pk
    )
    await next_event(ws["carol"], "conversation.left")
    await database_sync_to_async(services.send_message)(
        people["alice"], conversation_id=group.pk, body="secret", client_id="s1"
    )
    await next_event(ws["alice"], "message.new")
    assert await ws["carol"].receive_nothing(timeout=0.3)


async def test_a_rename_reaches_members_live_and_a_returning_tab_by_sync(chat):
    people, _, ws = chat
    group = await database_sync_to_async(services.create_group)(
        people["alice"], title="Lunch", member_ids=[people["bob"].pk]
    )
    await next_event(ws["bob"], "conversation.joined")
    await asyncio.sleep(0.05)  # the hub moves bob's socket into the group
    await database_sync_to_async(services.rename_conversation)(
        people["alice"], conversation_id=group.pk, name="Brunch"
    )
    for name in ("alice", "bob"):
        event = await next_event(ws[name], "conversation.updated")
        assert event["conversation"]["title"] == "Brunch"
    assert await ws["carol"].receive_nothing(timeout=0.1)
    cursor = event["cursor"]

    await ws["bob"].disconnect()
    await database_sync_to_async(services.rename_conversation)(
        people["alice"], conversation_id=group.pk, name="Friday brunch"
    )
    bob = await signed_in_socket(people["bob"])
    ws["bob"] = bob
    await bob.send_json_to({"type": "sync", "since": cursor})
    batch = await next_event(bob, "sync.batch")
    renames = [
        (e["cursor"], e["conversation"]["title"])
        for e in batch["events"]
        if e["type"] == "conversation.updated"
    ]
    # The lookback replays the rename bob saw; the one he missed comes last.
    assert renames == [(cursor, "Brunch"), (batch["cursor"], "Friday brunch")]


async def test_a_socket_flooding_typing_is_refused_past_its_budget(chat):
    _, direct, sockets = chat
    flooder, watcher = sockets["alice"], sockets["bob"]
    for _ in range(50):
        await flooder.send_json_to({"type": "typing.start", "conversation": direct.pk})
    refused = 0
    while not await flooder.receive_nothing(timeout=0.5):
        event = await flooder.receive_json_from()
        if event["type"] == "error":
            assert event["code"] == "rate_limited"
            refused += 1
    heard = 0
    while not await watcher.receive_nothing(timeout=0.3):
        heard += (await watcher.receive_json_from())["type"] == "typing"
    # The burst (10) and what refilled meanwhile go out; the rest do not.
    assert 10 <= heard < 20
    assert heard + refused == 50


async def test_a_socket_writing_frames_faster_than_any_browser_is_closed(chat):
    _, _, sockets = chat
    flooder = sockets["alice"]
    frames = consumers.FRAME_BUDGET.burst + 50
    for _ in range(frames):
        await flooder.send_json_to({"type": "ping"})
    closed = None
    for _ in range(frames + 1):
        output = await flooder.output_queue.get()
        if output["type"] == "websocket.close":
            closed = output["code"]
            break
    assert closed == 4429
    # bob's socket is untouched.
    await sockets["bob"].send_json_to({"type": "ping"})
    assert (await sockets["bob"].receive_json_from())["type"] == "pong"


async def _socket_of(session_key: str) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(session_key))
    assert (await ws.connect())[0]
    return ws


async def test_reconnecting_does_not_refill_a_spent_budget(chat):
    people, direct, _ = chat
    session_key = await database_sync_to_async(session_cookie_for)(people["alice"])
    typing = {"type": "typing.start", "conversation": direct.pk}
    first = await _socket_of(session_key)
    assert (await first.receive_json_from())["type"] == "hello"
    for _ in range(20):
        await first.send_json_to(typing)
    while not await first.receive_nothing(timeout=0.3):
        await first.receive_json_from()
    await first.disconnect()
    again = await _socket_of(session_key)
    assert (await again.receive_json_from())["type"] == "hello"
    await again.send_json_to(typing)
    refused = await next_event(again, "error")
    assert refused["code"] == "rate_limited"
    await again.disconnect()


async def test_a_session_closed_for_flooding_is_refused_at_once_when_it_comes_back(
    chat,
):
    people, _, _ = chat
    session_key = await database_sync_to_async(session_cookie_for)(people["alice"])
    flooder = await _socket_of(session_key)
    for _ in range(consumers.FRAME_BUDGET.burst + 10):
        await flooder.send_json_to({"type": "ping"})
    while (output := await flooder.output_queue.get())["type"] != "websocket.close":
        pass
    assert output["code"] == 4429
    back = await _socket_of(session_key)
    # Closed before the session is even looked up: no hello.
    assert (await back.output_queue.get()) == {"type": "websocket.close", "code": 4429}
    for ws in (flooder, back):
        await ws.disconnect()  # the consumers end, and their hub with them
