"""Signing in and out, and the pages of the shell."""

import datetime

from django.utils import timezone

from tests.base import PASSWORD


def test_every_page_but_sign_in_needs_a_signed_in_user(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/settings/tokens/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200


def test_sign_in_with_email_and_password_then_sign_out(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "ALICE@canteen.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Good to see you, Alice" in home.content.decode()

    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice@canteen.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_open_sign_up_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()


def test_home_lists_new_starters_in_few_queries(
    client, alice, bob, carol, django_assert_max_num_queries
):
    today = timezone.localdate()
    for person in (bob, carol):
        person.start_date = today - datetime.timedelta(days=1)
        person.save()
    client.force_login(alice)
    # Session, user, new starters, unread messages; the sidebar's spaces and
    # the feed's cursor and posts (tests/feeds/test_pages.py pins them).
    with django_assert_max_num_queries(8):
        response = client.get("/")
    html = response.content.decode()
    assert "Bob Brown" in html and "Carol Cruz" in html
    assert "Alice Adams" not in html.split("New this week")[1]


def test_admin_is_for_staff(client, alice):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302
    alice.is_staff = alice.is_superuser = True
    alice.save()
    assert client.get("/admin/profiles/user/").status_code == 200
    assert client.get("/admin/profiles/department/").status_code == 200


def test_favicon_ico_is_served_without_signing_in(client):
    """Browsers ask for /favicon.ico by themselves on pages that name no
    icon (the admin, /healthz): never a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("/frontend/favicon.svg")
    # The browser tests fetch the icon itself from the live server.
