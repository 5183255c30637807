"""Who the REST API lets write: scripts with a token, browsers with CSRF.

Django's default test client skips CSRF, so every test here goes through a
client that enforces it, or over real HTTP.
"""

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from messaging import services
from messaging.models import Message
from profiles.services import create_api_token
from tests.base import session_cookie_for


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def send(client, conversation, client_id, **extra):
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "from a script", "client_id": client_id},
        content_type="application/json",
        **extra,
    )


def test_a_write_token_posts_patches_and_deletes_without_csrf(
    strict, alice, bob, direct
):
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    response = send(strict, direct, "bot-1", **bearer(writer))
    assert response.status_code == 201, response.content
    message_id = response.json()["id"]

    response = strict.patch(
        f"/api/v1/messages/{message_id}",
        {"body": "edited by a script"},
        content_type="application/json",
        **bearer(writer),
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"] == "edited by a script"

    response = strict.delete(f"/api/v1/messages/{message_id}", **bearer(writer))
    assert response.status_code == 204, response.content
    assert Message.objects.get(pk=message_id).deleted_at is not None


def test_a_read_only_token_still_cannot_write(strict, alice, direct):
    _, reader = create_api_token(alice, name="Reader", scopes=["read"])
    response = send(strict, direct, "r-1", **bearer(reader))
    assert response.status_code == 403
    assert response.json() == {"error": "This token lacks the 'write' scope."}
    assert Message.objects.count() == 0


def test_a_request_with_the_session_cookie_is_always_csrf_checked(
    strict, alice, bob, direct
):
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    strict.force_login(alice)
    # A browser request without the CSRF token is refused, token or not:
    # a forging page can make a browser send the cookie, never the token,
    # but an attacker can add their own token to a forged request.
    assert send(strict, direct, "c-1").status_code == 403
    response = send(strict, direct, "c-2", **bearer(writer))
    assert response.status_code == 403
    assert response.json() == {"error": "CSRF check Failed"}
    assert Message.objects.count() == 0

    # With the CSRF token the session writes, as the signed-in person.
    strict.get("/")  # sets the CSRF cookie
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    response = send(strict, direct, "c-3", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert response.json()["sender"]["id"] == alice.pk


def test_with_both_the_session_and_a_token_the_session_decides(
    strict, alice, bob, direct
):
    _, bobs = create_api_token(bob, name="Bob's bot", scopes=["read"])
    strict.force_login(alice)
    strict.get("/")
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    response = send(strict, direct, "both", HTTP_X_CSRFTOKEN=token, **bearer(bobs))
    assert response.status_code == 201, response.content
    assert response.json()["sender"]["id"] == alice.pk


@pytest.mark.django_db(transaction=True)
def test_tokens_write_and_cookies_need_csrf_over_real_http(live_server):
    from tests.base import make_people

    people = make_people()
    alice, bob = people["alice"], people["bob"]
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    _, reader = create_api_token(alice, name="Reader", scopes=["read"])

    def call(method, path, data=None, headers=()):
        request = urllib.request.Request(  # noqa: S310 (http only)
            live_server.url + path,
            data=None if data is None else json.dumps(data).encode(),
            method=method,
            headers={"Content-Type": "application/json", **dict(headers)},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    auth = {"Authorization": f"Bearer {writer}"}
    url = f"/api/v1/conversations/{direct.pk}/messages"
    status, sent = call("POST", url, {"body": "hi", "client_id": "h1"}, auth)
    assert status == 201, sent
    status, edited = call(
        "PATCH", f"/api/v1/messages/{sent['id']}", {"body": "hello"}, auth
    )
    assert (status, edited["body"]) == (200, "hello")
    status, _ = call("DELETE", f"/api/v1/messages/{sent['id']}", None, auth)
    assert status == 204

    status, body = call(
        "POST",
        url,
        {"body": "no", "client_id": "h2"},
        {"Authorization": f"Bearer {reader}"},
    )
    assert (status, body) == (403, {"error": "This token lacks the 'write' scope."})

    cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie_for(alice)}"
    for headers in ({"Cookie": cookie}, {"Cookie": cookie, **auth}):
        status, body = call("POST", url, {"body": "no", "client_id": "h3"}, headers)
        assert (status, body) == (403, {"error": "CSRF check Failed"})
    assert Message.objects.filter(deleted_at__isnull=True).count() == 0
