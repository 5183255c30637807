"""The API tokens page: create (shown once), list and revoke."""

import pytest
from django.core.exceptions import ValidationError

from profiles.models import APIToken
from profiles.services import create_api_token


def test_creating_a_token_shows_it_once(client, alice):
    client.force_login(alice)
    response = client.post(
        "/settings/tokens/", {"name": "Deploy bot", "scopes": ["read", "write"]}
    )
    assert response.status_code == 200
    plain = response.context["new_token"]
    assert plain.startswith("cnt_")
    assert plain in response.content.decode()
    token = APIToken.objects.get(user=alice)
    assert token.scopes == ["read", "write"]

    listing = client.get("/settings/tokens/").content.decode()
    assert "Deploy bot" in listing
    assert plain not in listing


def test_bad_token_form_is_a_400_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post("/settings/tokens/", {"name": "", "scopes": ["root"]})
    assert response.status_code == 400
    assert APIToken.objects.count() == 0
    response = client.post(
        "/settings/tokens/",
        {"name": "Old", "scopes": ["read"], "expires_at": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()


def test_revoking_a_token_and_someone_elses_is_404(client, alice, carol):
    token, _ = create_api_token(alice, name="Script", scopes=["read"])
    client.force_login(carol)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    client.force_login(alice)
    response = client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405


def test_create_api_token_validates(alice):
    with pytest.raises(ValidationError, match="name"):
        create_api_token(alice, name="  ", scopes=["read"])
    with pytest.raises(ValidationError, match="Scopes"):
        create_api_token(alice, name="x", scopes=[])
