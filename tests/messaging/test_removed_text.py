"""Text its author edited away or deleted never comes back, on any path."""

import pytest
from django.test import Client

from intranet.models import Event
from messaging import services
from tests.base import events_since, make_people

SECRET = "hunter2"
# Searched for: a word beside the secret, so the secret itself shows only if
# the message is found (its excerpt), never as the echoed query.
BESIDE = "correctpony"


@pytest.fixture
def chat(db):
    people = make_people()
    alice, bob = people["alice"], people["bob"]
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    root, _ = services.send_message(
        alice, conversation_id=direct.pk, body="Deploy notes", client_id="root"
    )
    return alice, bob, direct, root


def send_secret(alice, direct, root, *, threaded: bool):
    message, _ = services.send_message(
        alice,
        conversation_id=direct.pk,
        body=f"my password is {SECRET} {BESIDE}",
        client_id="secret",
        thread_id=root.pk if threaded else None,
    )
    services.add_reaction(alice, message_id=message.pk, emoji="🙈")
    return message


def every_path(bob, direct, root, message) -> dict[str, str]:
    """What bob can read about the conversation, path by path."""
    client = Client()
    client.force_login(bob)
    pages = {
        "sync": str(events_since(bob, 0).events),
        "rest events": client.get("/api/v1/events?since=0").content.decode(),
        "rest history": client.get(
            f"/api/v1/conversations/{direct.pk}/messages"
        ).content.decode(),
        "rest message": client.get(f"/api/v1/messages/{message.pk}").content.decode(),
        "rest thread": client.get(
            f"/api/v1/messages/{root.pk}/thread"
        ).content.decode(),
        "rest search": client.get(
            f"/api/v1/search/messages?q={BESIDE}"
        ).content.decode(),
        "page": client.get(f"/messages/{direct.pk}/").content.decode(),
        "permalink": client.get(
            f"/messages/{direct.pk}/m/{message.pk}/", follow=True
        ).content.decode(),
        "search page": client.get(f"/messages/search/?q={BESIDE}").content.decode(),
        "stored log": str(list(Event.objects.values_list("payload", flat=True))),
    }
    return pages


@pytest.mark.parametrize("threaded", [False, True], ids=["top-level", "thread"])
def test_an_edited_away_secret_is_on_no_path(chat, threaded):
    alice, bob, direct, root = chat
    message = send_secret(alice, direct, root, threaded=threaded)
    before = every_path(bob, direct, root, message)
    # The secret is there to begin with, so its absence below means something.
    shown_on = {"rest thread"} if threaded else {"rest history", "page", "permalink"}
    shown_on |= {"sync", "rest events", "rest message"}
    shown_on |= {"rest search", "search page", "stored log"}
    assert {path for path, text in before.items() if SECRET in text} == shown_on

    services.edit_message(alice, message_id=message.pk, body="my password is ****")

    after = every_path(bob, direct, root, message)
    assert [path for path, text in after.items() if SECRET in text] == []
    # The catch-up still tells a returning tab about the message: as it is now.
    replayed = [e for e in events_since(bob, 0).events if e["type"] == "message.new"]
    assert "****" in [e["message"]["body"] for e in replayed][-1]


@pytest.mark.parametrize("threaded", [False, True], ids=["top-level", "thread"])
def test_a_deleted_secret_is_on_no_path(chat, threaded):
    alice, bob, direct, root = chat
    message = send_secret(alice, direct, root, threaded=threaded)
    services.edit_message(alice, message_id=message.pk, body=f"{SECRET} (edited)")

    services.delete_message(alice, message_id=message.pk)

    after = every_path(bob, direct, root, message)
    assert [path for path, text in after.items() if SECRET in text] == []
    new = next(
        e
        for e in events_since(bob, 0).events
        if e["type"] == "message.new" and e["message"]["id"] == message.pk
    )
    assert new["message"]["deleted"] is True
    assert new["message"]["body"] == new["message"]["html"] == ""
