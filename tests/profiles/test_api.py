"""GET /api/v1/me with a session and with personal tokens."""

import datetime
import re

from django.utils import timezone

from profiles.models import APIToken
from profiles.services import create_api_token, revoke_api_token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_me_needs_authentication(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "error" in response.json()


def test_me_with_a_session(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@canteen.test"
    assert body["display_name"] == "Alice Adams"
    assert body["department"]["name"] == "Engineering"
    assert body["manager_id"] == alice.manager_id


def test_me_with_a_token_and_what_stops_a_token(client, alice, bob):
    token, plain = create_api_token(alice, name="Script", scopes=["read"])
    assert plain.startswith(f"cnt_{token.prefix}_")
    assert plain not in (token.key_hash, token.prefix)

    response = client.get("/api/v1/me", **bearer(plain))
    assert response.status_code == 200
    assert response.json()["id"] == alice.pk
    token.refresh_from_db()
    assert token.last_used_at is not None

    # A wrong secret with a real prefix, garbage, and another scheme fail.
    assert client.get("/api/v1/me", **bearer(plain[:-2] + "xx")).status_code == 401
    assert client.get("/api/v1/me", **bearer("nonsense")).status_code == 401
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {plain}").status_code == 401
    )

    revoke_api_token(alice, token=token)
    response = client.get("/api/v1/me", **bearer(plain))
    assert response.status_code == 401
    assert response.json() == {
        "error": "Sign in or send a valid API token (Authorization: Bearer …)."
    }


def test_expired_token_and_token_of_a_deactivated_user_fail(client, alice):
    _, plain = create_api_token(
        alice,
        name="Short",
        scopes=["read"],
        expires_at=timezone.now() + datetime.timedelta(seconds=60),
    )
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 200
    APIToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 401

    _, plain = create_api_token(alice, name="Long", scopes=["read"])
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 401


def test_a_write_only_token_cannot_read(client, alice):
    _, plain = create_api_token(alice, name="Poster", scopes=["write"])
    response = client.get("/api/v1/me", **bearer(plain))
    assert response.status_code == 403
    assert response.json() == {"error": "This token lacks the 'read' scope."}


def test_openapi_schema_and_docs_need_no_cdn(client, alice):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/me" in schema.json()["paths"]
    client.force_login(alice)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "ninja/redoc.standalone" in html
    assert "cdn" not in html.lower()
    # Every script is a file of this site or inert JSON: nothing inline for
    # a `script-src 'self'` policy to refuse.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert 'src="/static/' in attributes or (
            'type="application/json"' in attributes
        ), attributes
        assert not body.strip() or 'type="application/json"' in attributes


def test_people_search_finds_active_people_by_every_word(client, alice, bob, carol):
    client.force_login(alice)
    carol.title = "Support Lead"
    carol.save()
    response = client.get("/api/v1/people", {"q": "carol lead"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": carol.pk,
            "display_name": "Carol Cruz",
            "initials": carol.initials,
            "title": "Support Lead",
            "department": "Customer Support",
            "photo": None,
            "status": None,
        }
    ]
    assert [p["id"] for p in client.get("/api/v1/people?q=BROWN").json()] == [bob.pk]
    bob.is_active = False
    bob.save()
    assert client.get("/api/v1/people?q=brown").json() == []


def test_people_search_needs_a_query_and_a_signed_in_person(client, alice):
    assert client.get("/api/v1/people?q=alice").status_code == 401
    client.force_login(alice)
    response = client.get("/api/v1/people?q=%20")
    assert response.status_code == 400
    assert "error" in response.json()
    assert client.get("/api/v1/people?q=" + "x" * 101).status_code == 422
