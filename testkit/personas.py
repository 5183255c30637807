"""The people every test and benchmark signs in as.

alice and bob are teammates in Engineering; carol works elsewhere and must
see none of their private things (404, not 403).
"""

import datetime
import importlib
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from profiles import roles
from profiles.factories import DepartmentFactory, UserFactory, hashed
from profiles.models import User

PASSWORD = "correct horse battery staple"


def make_people() -> dict[str, User]:
    """Create alice, bob (her manager) and carol, each with PASSWORD."""
    engineering = DepartmentFactory(name="Engineering", slug="engineering")
    support = DepartmentFactory(name="Customer Support", slug="customer-support")
    alice = UserFactory.create(
        email="alice@canteen.test",
        first_name="Alice",
        last_name="Adams",
        title="Software Engineer",
        department=engineering,
    )
    bob = UserFactory.create(
        email="bob@canteen.test",
        first_name="Bob",
        last_name="Brown",
        title="Engineering Manager",
        department=engineering,
    )
    carol = UserFactory.create(
        email="carol@canteen.test",
        first_name="Carol",
        last_name="Cruz",
        title="Support Specialist",
        department=support,
    )
    for person in (alice, bob, carol):
        person.set_password(PASSWORD)
        person.save()
    alice.manager = bob
    alice.save(update_fields=["manager"])
    return {"alice": alice, "bob": bob, "carol": carol}


def make_hr_person(first_name: str, last_name: str, **fields: Any) -> User:
    """Create someone in HR: the role's group, whose permissions include
    profiles.manage_onboarding. Their email is <first name>@canteen.test and
    their password PASSWORD; `fields` (department, title, …) go to UserFactory.
    """
    person = UserFactory.create(
        email=f"{first_name.lower()}@canteen.test",
        first_name=first_name,
        last_name=last_name,
        password=hashed(PASSWORD),
        **fields,
    )
    ensure_roles()
    roles.grant([person], roles.HR)
    return person


def ensure_roles() -> None:
    """Make the HR and Communicators groups again: migration 0003 makes
    them, and a transactional test's flush removes them."""
    importlib.import_module("profiles.migrations.0003_roles").create_roles(apps, None)


def session_cookie_for(user: User) -> str:
    """Sign `user` in and return the session cookie value."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def cookie_header(session_key: str) -> str:
    """The Cookie header a signed-in browser sends."""
    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def signed_in_cookies(people: Iterable[User]) -> list[str]:
    """Sign each person in at once, without a request per person: one
    bulk insert of sessions as `login()` would write them. Returns a Cookie
    header for each, in order."""
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32, VALID_KEY_CHARS),
            session_data=store.encode(
                {
                    SESSION_KEY: str(person.pk),
                    BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                    HASH_SESSION_KEY: person.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    return [cookie_header(s.session_key) for s in sessions]
