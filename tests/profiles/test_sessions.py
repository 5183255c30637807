"""session_user: who a session cookie signs in, for the socket's connect."""

import datetime

from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from intranet.sessions import session_user
from tests.base import session_cookie_for


def test_a_live_session_signs_its_user_in(alice):
    key = session_cookie_for(alice)
    assert session_user(key) == alice


def test_no_cookie_an_unknown_key_or_an_expired_session_is_nobody(alice):
    assert session_user(None) is None
    assert session_user("") is None
    assert session_user("not-a-session-key") is None
    key = session_cookie_for(alice)
    # Expiry is compared in SQL (a raw statement): either side of now.
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert session_user(key) == alice
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert session_user(key) is None


def test_a_deactivated_user_or_a_changed_password_is_nobody(alice, bob):
    alice_key, bob_key = session_cookie_for(alice), session_cookie_for(bob)
    alice.is_active = False
    alice.save()
    bob.set_password("a whole new passphrase")
    bob.save()
    assert session_user(alice_key) is None
    assert session_user(bob_key) is None


def test_a_tampered_session_is_nobody(alice):
    key = session_cookie_for(alice)
    Session.objects.filter(pk=key).update(session_data="garbage:not-signed")
    assert session_user(key) is None


def test_a_session_from_before_a_key_rotation_still_signs_in_untouched(alice):
    # SECRET_KEY rotated with the old key kept in SECRET_KEY_FALLBACKS: as on
    # a page, the session still holds. A socket cannot set a cookie, so the
    # session is left as it is (the next page load rotates it).
    with override_settings(SECRET_KEY="the-old-key-" + "o" * 40):
        key = session_cookie_for(alice)
    before = Session.objects.get(pk=key).session_data
    with override_settings(
        SECRET_KEY="the-new-key-" + "n" * 40,
        SECRET_KEY_FALLBACKS=["the-old-key-" + "o" * 40],
    ):
        assert session_user(key) == alice
    assert Session.objects.get(pk=key).session_data == before
    with override_settings(SECRET_KEY="the-new-key-" + "n" * 40):
        assert session_user(key) is None


def test_a_session_without_an_auth_hash_is_nobody(alice):
    key = session_cookie_for(alice)
    session = Session.objects.get(pk=key)
    data = session.get_decoded()
    del data[HASH_SESSION_KEY]
    Session.objects.filter(pk=key).update(
        session_data=Session.objects.encode(data)  # type: ignore[attr-defined]
    )
    assert session_user(key) is None


def test_the_user_is_read_as_the_orm_reads_it(alice):
    # The row comes from a raw statement (every connect): every field must
    # come back converted exactly as `get(pk=)` converts it.
    alice.last_login = timezone.now()
    alice.save()
    key = session_cookie_for(alice)
    found = session_user(key)
    expected = type(alice).objects.get(pk=alice.pk)
    assert found is not None
    for field in type(alice)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), (
            field.name
        )


def test_a_session_of_a_deleted_user_is_nobody(alice):
    key = session_cookie_for(alice)
    alice.delete()
    assert session_user(key) is None


class OnlyAlice(ModelBackend):
    """A backend with its own get_user: the socket asks it, not the row."""

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.first_name == "Alice" else None


@override_settings(AUTHENTICATION_BACKENDS=["tests.profiles.test_sessions.OnlyAlice"])
def test_a_backend_with_its_own_get_user_decides(alice, bob):
    alice_key, bob_key = session_cookie_for(alice), session_cookie_for(bob)
    assert session_user(alice_key) == alice
    assert session_user(bob_key) is None
