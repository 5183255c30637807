"""Failed sign-ins are throttled per account and address, and per address,
so that nobody can lock a colleague, or a whole office, out.

The defaults are the ones tested: 5 failures for one account from one
address, 100 from one address, within 5 minutes (README, Configuration).
"""

import pytest
from django.test import Client

from tests.base import PASSWORD

TOO_MANY = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def _fast_hashing(settings, people):
    # A hundred sign-ins with the real hasher take a minute; the throttle
    # does not care how a password is checked.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for person in people.values():
        person.set_password(PASSWORD)
        person.save()


def sign_in(address: str, email: str, password: str):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"login": email, "password": password}
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_failures_lock_one_address_out_of_one_account_not_the_owner(alice):
    for _ in range(5):
        response = sign_in("203.0.113.7", "alice@canteen.test", "guess")
        assert "not correct" in response.content.decode()
    # That address is out of alice's account, even with the right password...
    response = sign_in("203.0.113.7", "alice@canteen.test", PASSWORD)
    assert not signed_in(response)
    assert TOO_MANY in response.content.decode()
    # ...but alice, from her own desk, signs in.
    assert signed_in(sign_in("198.51.100.20", "alice@canteen.test", PASSWORD))
    # And the address may still sign in to other accounts.
    assert signed_in(sign_in("203.0.113.7", "bob@canteen.test", PASSWORD))


def test_a_right_password_does_not_count_as_a_failure(alice):
    for _ in range(4):
        sign_in("203.0.113.7", "alice@canteen.test", "guess")
    for _ in range(3):
        assert signed_in(sign_in("203.0.113.7", "alice@canteen.test", PASSWORD))


def test_an_office_behind_one_address_is_not_locked_by_a_few_typos(alice):
    # Thirty wrong passwords from an office's one NAT address, across
    # several people (the old limit locked everyone behind it at this)...
    for n in range(30):
        sign_in("192.0.2.1", f"person{n % 10}@canteen.test", "typo")
    # ...and the next person in the office signs in.
    assert signed_in(sign_in("192.0.2.1", "alice@canteen.test", PASSWORD))


def test_an_address_that_guesses_at_many_accounts_is_stopped(alice):
    # Password spraying: 4 guesses at each of 25 accounts stays under the
    # per-account limit, and reaches the per-address one.
    for n in range(100):
        response = sign_in("192.0.2.66", f"person{n // 4}@canteen.test", "Summer2026")
        assert "not correct" in response.content.decode(), n
    response = sign_in("192.0.2.66", "alice@canteen.test", PASSWORD)
    assert not signed_in(response)
    assert TOO_MANY in response.content.decode()
    # Other addresses are not affected.
    assert signed_in(sign_in("192.0.2.67", "alice@canteen.test", PASSWORD))
