"""Numbers past 64 bits, lone surrogates, NUL and deep nesting, on every
path in: a 400/422 (a 404 for a page's URL) or an `error` event, never a
500 or a closed socket. What a probe found (issue 8, item 3), kept."""

import json
from base64 import urlsafe_b64encode

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from intranet.asgi import application
from messaging import services
from tests.base import make_people, session_cookie_for, socket_headers

BIG = "99999999999999999999"  # past 2**64, let alone 2**63 - 1
SURROGATE = "\\ud800"  # a lone surrogate, as JSON writes it
NUL = "\\u0000"


@pytest.fixture
def group(alice, bob):
    return services.create_group(alice, title="Lunch", member_ids=[bob.pk])


@pytest.fixture
def message(alice, group):
    return services.send_message(
        alice, conversation_id=group.pk, body="hi", client_id="m1"
    )[0]


@pytest.fixture
def api(alice):
    # A 500 comes back as a response, as a server would answer it.
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


def send(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def test_rest_refuses_ids_past_64_bits_with_422(api, bob, group, message):
    g, m = group.pk, message.pk
    requests = [
        ("get", f"/api/v1/conversations/{BIG}", None),
        ("patch", f"/api/v1/conversations/{BIG}", '{"name": "x"}'),
        ("post", "/api/v1/conversations", f'{{"kind": "group", "members": [{BIG}]}}'),
        ("post", "/api/v1/conversations", f'{{"kind": "direct", "members": [{BIG}]}}'),
        ("post", f"/api/v1/conversations/{g}/members", f'{{"members": [{BIG}]}}'),
        ("post", f"/api/v1/conversations/{BIG}/leave", None),
        ("get", f"/api/v1/conversations/{g}/messages?before={BIG}", None),
        ("get", f"/api/v1/conversations/{g}/messages?around=-1", None),
        (
            "post",
            f"/api/v1/conversations/{g}/messages",
            f'{{"body": "x", "client_id": "a", "attachments": [{BIG}]}}',
        ),
        (
            "post",
            f"/api/v1/conversations/{g}/messages",
            f'{{"body": "x", "client_id": "b", "thread": {BIG}}}',
        ),
        ("post", f"/api/v1/conversations/{g}/read", f'{{"message": {BIG}}}'),
        ("get", f"/api/v1/attachments/{BIG}", None),
        ("get", f"/api/v1/messages/{BIG}", None),
        ("delete", f"/api/v1/messages/{BIG}/reactions/x", None),
        ("get", f"/api/v1/events?since={BIG}", None),
        ("get", f"/api/v1/search/messages?q=x&from={BIG}", None),
        ("get", f"/api/v1/people/{BIG}", None),
    ]
    for method, url, body in requests:
        response = send(api, method, url, body)
        assert response.status_code == 422, (method, url, response.content)
        assert response.json()["error"] == "The request is not valid."
    # Comma-separated lists and search cursors are parsed by hand: a 400
    # that says why.
    for url in (
        f"/api/v1/events?since=0&seen={BIG}",
        f"/api/v1/presence?users={BIG}",
        f"/api/v1/search/messages?q=x&sort=newest&cursor={BIG}",
    ):
        response = api.get(url)
        assert response.status_code == 400, url
    # The largest id is an id: nothing there, but a fair question.
    assert api.get(f"/api/v1/messages/{2**63 - 1}").status_code == 404
    assert api.get(f"/api/v1/messages/{m}").status_code == 200


def test_rest_refuses_text_that_is_not_unicode_or_holds_nul(api, bob, group, message):
    g, m = group.pk, message.pk
    requests = [
        ("patch", f"/api/v1/conversations/{g}", f'{{"name": "{SURROGATE}"}}'),
        ("patch", f"/api/v1/conversations/{g}", f'{{"name": "a{NUL}"}}'),
        (
            "post",
            "/api/v1/conversations",
            f'{{"kind": "group", "members": [{bob.pk}], "title": "{SURROGATE}"}}',
        ),
        (
            "post",
            f"/api/v1/conversations/{g}/messages",
            f'{{"body": "a{SURROGATE}", "client_id": "s"}}',
        ),
        (
            "post",
            f"/api/v1/conversations/{g}/messages",
            f'{{"body": "a{NUL}", "client_id": "n"}}',
        ),
        ("patch", f"/api/v1/messages/{m}", f'{{"body": "{SURROGATE}"}}'),
        ("post", f"/api/v1/messages/{m}/reactions", f'{{"emoji": "{NUL}"}}'),
        # Even a field nobody reads.
        ("patch", f"/api/v1/messages/{m}", f'{{"body": "ok", "{SURROGATE}": 1}}'),
    ]
    for method, url, body in requests:
        response = send(api, method, url, body)
        assert response.status_code == 400, (method, url, response.content)
        assert response.json()["error"] in {
            "Text must be valid Unicode (no lone surrogates).",
            "Text must not contain NUL characters.",
        }
    # NUL in a query string or a path: the schema's Text refuses it.
    for url in (
        "/api/v1/people?q=a%00",
        "/api/v1/search/messages?q=a%00",
        f"/api/v1/messages/{m}/reactions/%00",
    ):
        method = "delete" if "reactions" in url else "get"
        response = send(api, method, url)
        assert response.status_code == 422, url
        assert "NUL" in response.json()["detail"][0]["msg"]
    # Deep nesting is refused before the decoder recurses.
    response = send(api, "post", f"/api/v1/conversations/{g}/read", "[" * 30_000)
    assert response.status_code == 400
    assert response.json() == {"error": "JSON may nest at most 32 levels deep."}
    # Valid text, astral characters included, still goes through.
    response = send(
        api,
        "post",
        f"/api/v1/conversations/{g}/messages",
        '{"body": "\\ud83c\\udf89 [a] {b}", "client_id": "ok"}',
    )
    assert response.status_code == 201
    assert response.json()["body"] == "🎉 [a] {b}"


def test_pages_answer_404_or_400_to_huge_ids_and_nul(client, alice, bob, group):
    client.raise_request_exception = False
    client.force_login(alice)
    g = group.pk
    for url in (
        f"/messages/{BIG}/",
        f"/messages/{g}/m/{BIG}/",
        f"/people/{BIG}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/messages/with/{BIG}/",
        f"/messages/{BIG}/leave/",
        f"/settings/tokens/{BIG}/revoke/",
    ):
        assert client.post(url).status_code == 404, url
    for url in (
        f"/messages/search/?q=x&from={BIG}",
        f"/messages/search/?q=x&conversation={BIG}",
        f"/messages/search/?q=x&cursor={BIG}",
        "/messages/search/?q=a%00",
        "/messages/new/?q=a%00",
        "/people/?q=a%00",
    ):
        assert client.get(url).status_code == 400, url
    response = client.post("/messages/new/", {"members": [BIG, str(bob.pk)]})
    assert response.status_code == 400
    response = client.post(f"/messages/{g}/people/", {"members": [BIG]}, follow=True)
    assert response.status_code == 200
    assert "Some of those people do not exist." in response.content.decode()
    response = client.post(f"/messages/{g}/rename/", {"name": "a\x00"}, follow=True)
    assert "A name must be text without NUL characters." in response.content.decode()
    group.refresh_from_db()
    assert group.title == "Lunch"


def test_a_directory_cursor_with_a_huge_id_or_nul_is_a_broken_link(client, alice):
    client.force_login(alice)
    for key in (("a", "b", 2**64), ("a\x00", "b", 1), ("\ud800", "b", 1)):
        # As intranet.cursors.encode writes them, with \u escapes for what UTF-8 lacks.
        cursor = urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        response = client.get("/people/", {"after": cursor})
        assert response.status_code == 400, key
        assert "That page link is broken" in response.content.decode()


FRAMES = [
    # (frame, expected error code)
    (
        f'{{"type": "message.send", "conversation": {BIG}, "body": "x", '
        '"client_id": "c1"}',
        "invalid",
    ),
    (
        '{"type": "message.send", "conversation": %(g)s, "body": "x", '
        f'"client_id": "c2", "thread": {BIG}}}',
        "invalid",
    ),
    (
        '{"type": "message.send", "conversation": %(g)s, "body": "x", '
        f'"client_id": "c3", "attachments": [{BIG}]}}',
        "invalid",
    ),
    (f'{{"type": "message.edit", "message": {BIG}, "body": "x"}}', "invalid"),
    (f'{{"type": "read", "conversation": %(g)s, "message": {BIG}}}', "invalid"),
    (f'{{"type": "sync", "since": {BIG}}}', "invalid"),
    (f'{{"type": "sync", "since": 0, "seen": [{BIG}]}}', "invalid"),
    (
        '{"type": "message.send", "conversation": %(g)s, '
        f'"body": "{SURROGATE}", "client_id": "c4"}}',
        "bad_json",
    ),
    (
        f'{{"type": "message.send", "conversation": %(g)s, "body": "a{NUL}", '
        '"client_id": "c5"}',
        "bad_json",
    ),
    (f'{{"type": "{SURROGATE}"}}', "bad_json"),
    (f'{{"type": "nope", "client_id": "{SURROGATE}"}}', "bad_json"),
    ("[" * 30_000, "bad_json"),
    ('{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}", "bad_json"),
]


@pytest.mark.django_db(transaction=True)
async def test_the_socket_answers_bad_frames_with_errors_and_stays_open():
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    group = await database_sync_to_async(services.create_group)(
        alice, title="Lunch", member_ids=[bob.pk]
    )
    key = await database_sync_to_async(session_cookie_for)(alice)
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(key))
    assert (await ws.connect())[0]
    assert (await ws.receive_json_from())["type"] == "hello"
    for frame, code in FRAMES:
        await ws.send_to(text_data=frame.replace("%(g)s", str(group.pk)))
        answer = await ws.receive_json_from()
        assert (answer["type"], answer["code"]) == ("error", code), frame[:80]
    # Still open, and valid events still work, brackets in strings included.
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from() == {"type": "pong"}
    await ws.send_to(
        text_data=json.dumps(
            {
                "type": "message.send",
                "conversation": group.pk,
                "body": "[" * 100 + " 🎉",
                "client_id": "fine",
            }
        )
    )
    answers = {(await ws.receive_json_from())["type"] for _ in range(2)}
    assert answers == {"message.ack", "message.new"}
    await ws.disconnect()
