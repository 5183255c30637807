"""The messaging REST API: personas, errors, and the same services."""

import pytest

from intranet.models import Event
from messaging import services
from messaging.models import Message
from profiles.services import create_api_token
from tests.base import capture_published


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_list_send_and_page_through_history(client, alice, bob, carol):
    client.force_login(alice)
    response = post(
        client, "/api/v1/conversations", {"kind": "direct", "members": [bob.pk]}
    )
    assert response.status_code == 200
    conversation = response.json()
    assert conversation["title"] == "Bob Brown"
    assert {m["id"] for m in conversation["members"]} == {alice.pk, bob.pk}

    url = f"/api/v1/conversations/{conversation['id']}/messages"
    ids = []
    for n in range(5):
        response = post(client, url, {"body": f"m{n}", "client_id": f"c{n}"})
        assert response.status_code == 201
        ids.append(response.json()["id"])
    post(client, url, {"body": "in a thread", "client_id": "t1", "thread": ids[-1]})
    page = client.get(url, {"limit": 2}).json()["messages"]
    assert [m["id"] for m in page] == ids[-2:]
    assert [m["reply_count"] for m in page] == [0, 1]
    older = client.get(url, {"limit": 2, "before": ids[-2]}).json()["messages"]
    assert [m["body"] for m in older] == ["m1", "m2"]

    group = post(
        client,
        "/api/v1/conversations",
        {"kind": "group", "members": [bob.pk, carol.pk], "title": "Lunch"},
    )
    assert group.status_code == 201
    listing = client.get("/api/v1/conversations").json()
    assert [c["title"] for c in listing] == ["Lunch", "Bob Brown"]
    # The other person of a direct chat (for presence), and unread mentions.
    assert [c["peer"] for c in listing] == [None, bob.pk]
    assert [c["mentions"] for c in listing] == [0, 0]
    client.force_login(bob)
    post(client, url, {"body": "@**Alice Adams** look", "client_id": "b1"})
    client.force_login(alice)
    listing = client.get("/api/v1/conversations").json()
    assert [(c["unread"], c["mentions"]) for c in listing] == [(1, 1), (0, 0)]


def test_outsiders_get_404_on_every_endpoint(client, alice, carol, direct):
    message, _ = services.send_message(
        alice, conversation_id=direct.pk, body="private", client_id="p"
    )
    client.force_login(carol)
    c, m = direct.pk, message.pk
    checks = [
        client.get(f"/api/v1/conversations/{c}"),
        client.get(f"/api/v1/conversations/{c}/messages"),
        post(
            client,
            f"/api/v1/conversations/{c}/messages",
            {"body": "x", "client_id": "y"},
        ),
        post(client, f"/api/v1/conversations/{c}/read", {"message": m}),
        post(client, f"/api/v1/conversations/{c}/members", {"members": [carol.pk]}),
        client.patch(
            f"/api/v1/conversations/{c}", {"name": "x"}, content_type="application/json"
        ),
        client.get(f"/api/v1/messages/{m}"),
        client.get(f"/api/v1/messages/{m}/thread"),
        client.patch(
            f"/api/v1/messages/{m}", {"body": "x"}, content_type="application/json"
        ),
        client.delete(f"/api/v1/messages/{m}"),
        post(client, f"/api/v1/messages/{m}/reactions", {"emoji": "👍"}),
    ]
    for response in checks:
        assert response.status_code == 404, response.content
        assert "error" in response.json()
    assert client.get("/api/v1/events", {"since": 0}).json()["events"] == []
    assert Message.objects.get().body == "private"


def test_bad_input_is_a_clear_4xx(client, alice, bob, direct):
    client.force_login(alice)
    url = f"/api/v1/conversations/{direct.pk}/messages"
    cases = [
        ({"body": "", "client_id": "a"}, 400, "cannot be empty"),
        ({"body": "x" * 10_001, "client_id": "a"}, 400, "at most 10,000"),
        ({"body": "hi"}, 422, "not valid"),
        ({"body": 5, "client_id": "a"}, 422, "not valid"),
    ]
    for data, status, text in cases:
        response = post(client, url, data)
        assert response.status_code == status, response.content
        assert text in response.json()["error"]
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    response = post(
        client,
        "/api/v1/conversations",
        {"kind": "direct", "members": [bob.pk, alice.pk]},
    )
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_rate_limit_answers_429_with_retry_after(client, alice, direct, settings):
    settings.MESSAGE_SEND_PER_MINUTE = 1  # no refill during the test
    client.force_login(alice)
    url = f"/api/v1/conversations/{direct.pk}/messages"
    statuses = [
        post(client, url, {"body": "x", "client_id": f"r{n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    response = post(client, url, {"body": "x", "client_id": "again"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "rate_limited"


def test_tokens_need_the_write_scope_to_send(client, alice, direct):
    _, read_only = create_api_token(alice, name="Reader", scopes=["read"])
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    url = f"/api/v1/conversations/{direct.pk}/messages"
    data = {"body": "from a bot", "client_id": "bot-1"}
    response = client.post(
        url,
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {read_only}",
    )
    assert response.status_code == 403
    response = client.post(
        url,
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer}",
    )
    assert response.status_code == 201
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {read_only}").status_code == 200


def test_session_writes_need_csrf(alice, direct):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post(
        client,
        f"/api/v1/conversations/{direct.pk}/messages",
        {"body": "x", "client_id": "csrf"},
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_sync_over_rest(client, alice, bob, direct):
    services.send_message(alice, conversation_id=direct.pk, body="one", client_id="1")
    client.force_login(bob)
    body = client.get("/api/v1/events", {"since": 0}).json()
    assert body["type"] == "sync.batch"
    assert [e["message"]["body"] for e in body["events"]] == ["one"]
    assert client.get("/api/v1/events").status_code == 422
    # As over the socket, the events a client names as seen are not replayed.
    cursor = body["cursor"]
    assert client.get("/api/v1/events", {"since": cursor}).json()["events"]
    up_to_date = {"since": cursor, "seen": str(cursor)}
    assert client.get("/api/v1/events", up_to_date).json()["events"] == []
    for bad in ("x", ",".join(["1"] * 201)):
        response = client.get("/api/v1/events", {"since": cursor, "seen": bad})
        assert response.status_code == 400
        assert "error" in response.json()


def test_sync_over_rest_has_the_sockets_budget(client, alice, bob):
    """A script looping `since=0` is told to wait, as over the socket; the
    budget is the person's, so another person is not held up."""
    from intranet.sync import SYNC_BUDGET

    client.force_login(bob)
    for _ in range(SYNC_BUDGET.burst):
        assert client.get("/api/v1/events", {"since": 0}).status_code == 200
    refused = client.get("/api/v1/events", {"since": 0})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "too fast" in refused.json()["error"]
    client.force_login(alice)
    assert client.get("/api/v1/events", {"since": 0}).status_code == 200


def test_a_member_adds_people_to_a_group_and_no_one_else_can(
    client, alice, bob, carol, direct, django_capture_on_commit_callbacks
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    url = f"/api/v1/conversations/{group.pk}/members"

    client.force_login(carol)
    response = post(client, url, {"members": [carol.pk]})
    assert response.status_code == 404
    assert "error" in response.json()

    client.force_login(alice)
    cases = [
        (direct.pk, [carol.pk], 400, "Only group conversations"),
        (group.pk, [999_999], 400, "do not exist"),
        (group.pk, [], 422, "not valid"),
    ]
    for conversation_id, members, status, text in cases:
        response = post(
            client,
            f"/api/v1/conversations/{conversation_id}/members",
            {"members": members},
        )
        assert response.status_code == status, response.content
        assert text in str(response.json())
    assert not Event.objects.exists()

    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, url, {"members": [carol.pk]})
    assert response.status_code == 204
    assert set(group.memberships.values_list("user_id", flat=True)) == {
        alice.pk,
        bob.pk,
        carol.pk,
    }
    updated, joined = published
    assert updated["groups"] == [f"conversation.{group.pk}"]
    assert updated["event"]["type"] == "conversation.updated"
    assert [m["name"] for m in updated["event"]["conversation"]["members"]] == [
        "Alice Adams",
        "Bob Brown",
        "Carol Cruz",
    ]
    assert Event.objects.get().payload["type"] == "conversation.updated"
    assert joined == {
        "event": {"type": "conversation.joined", "conversation": group.pk},
        "groups": [f"user.{carol.pk}"],
        "follow": [f"conversation.{group.pk}"],
    }


def patch(client, url, data, **headers):
    return client.patch(url, data, content_type="application/json", **headers)


def test_a_member_renames_a_group_over_rest(
    client, alice, bob, carol, direct, django_capture_on_commit_callbacks
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    url = f"/api/v1/conversations/{group.pk}"

    assert patch(client, url, {"name": "Brunch"}).status_code == 401
    client.force_login(carol)
    response = patch(client, url, {"name": "Mine"})
    assert response.status_code == 404
    assert "error" in response.json()

    client.force_login(bob)
    cases = [
        (url, {"name": "x" * 101}, 400, "too_long", "at most 100 characters"),
        (
            f"/api/v1/conversations/{direct.pk}",
            {"name": "Us"},
            400,
            "not_a_group",
            "cannot be renamed",
        ),
    ]
    for path, data, status, code, text in cases:
        response = patch(client, path, data)
        assert response.status_code == status, response.content
        assert response.json()["code"] == code
        assert text in response.json()["error"]
    assert patch(client, url, {}).status_code == 422
    assert patch(client, url, {"name": 5}).status_code == 422
    assert not Event.objects.exists()

    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = patch(client, url, {"name": " Brunch "})
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["name"]) == (group.pk, "Brunch", "Brunch")
    assert [m["id"] for m in body["members"]] == [alice.pk, bob.pk]
    (call,) = published
    assert call["groups"] == [f"conversation.{group.pk}"]
    assert call["event"]["conversation"]["title"] == "Brunch"

    # No name: each person sees the group called after the others.
    body = patch(client, url, {"name": ""}).json()
    assert (body["title"], body["name"]) == ("Alice Adams", "")
    assert Event.objects.count() == 2


def test_renaming_over_rest_needs_the_write_scope(client, alice, bob):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    _, read_only = create_api_token(alice, name="Reader", scopes=["read"])
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    url = f"/api/v1/conversations/{group.pk}"
    response = patch(
        client, url, {"name": "Bots"}, HTTP_AUTHORIZATION=f"Bearer {read_only}"
    )
    assert response.status_code == 403
    assert "write" in response.json()["error"]
    group.refresh_from_db()
    assert group.title == "Lunch"
    response = patch(
        client, url, {"name": "Bots"}, HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Bots"


def test_an_empty_direct_conversation_is_listed_for_its_opener_only(
    client, alice, bob, django_capture_on_commit_callbacks
):
    """Opening a chat with someone is not news to them until something is
    said: REST's list, the page's sidebar and the events agree."""
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        direct = services.get_or_create_direct(alice, other_id=bob.pk)
    # Both follow its stream; only alice's tabs list it.
    assert published == [
        {
            "event": {"type": "conversation.joined", "conversation": direct.pk},
            "groups": [f"user.{alice.pk}"],
            "follow": [f"conversation.{direct.pk}"],
        },
        {
            "event": {
                "type": "conversation.joined",
                "conversation": direct.pk,
                "listed": False,
            },
            "groups": [f"user.{bob.pk}"],
            "follow": [f"conversation.{direct.pk}"],
        },
    ]
    client.force_login(alice)
    assert [c["id"] for c in client.get("/api/v1/conversations").json()] == [direct.pk]
    client.force_login(bob)
    assert client.get("/api/v1/conversations").json() == []
    assert f"/messages/{direct.pk}/" not in client.get("/messages/").text
    # bob may still open it (he is a member): it is only not listed.
    assert client.get(f"/api/v1/conversations/{direct.pk}").status_code == 200

    services.send_message(alice, conversation_id=direct.pk, body="Hi", client_id="h")
    listing = client.get("/api/v1/conversations").json()
    assert [(c["id"], c["unread"]) for c in listing] == [(direct.pk, 1)]
    assert f"/messages/{direct.pk}/" in client.get("/messages/").text


def test_a_group_is_listed_for_everyone_at_once(client, alice, bob, carol):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    client.force_login(bob)
    assert [c["id"] for c in client.get("/api/v1/conversations").json()] == [group.pk]
