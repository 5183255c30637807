"""Shared test setup: personas and helpers (healthchecks' hc/test.py style).

alice and bob are teammates in Engineering; carol works elsewhere and must
see none of their private things (404, not 403).
"""

import contextlib
import os
import socket
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.test import Client

from intranet import plugins, sync
from intranet.sync import SyncResult
from profiles.factories import DepartmentFactory, UserFactory
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


def session_cookie_for(user: User) -> str:
    """Sign `user` in and return the session cookie value."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket_headers(
    session_key: str | None = None, origin: str = "http://localhost"
) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if session_key:
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        headers.append((b"cookie", cookie.encode()))
    return headers


@contextlib.contextmanager
def capture_published() -> Iterator[list[dict[str, Any]]]:
    """Record every publish() call made inside the block (event + groups)."""
    from intranet import realtime

    calls: list[dict[str, Any]] = []
    original = realtime.apublish

    async def recording(event, *, groups, skip_user=None, follow=(), unfollow=()):
        groups = list(groups)
        call = {"event": event, "groups": groups}
        if skip_user is not None:
            call["skip_user"] = skip_user
        if follow:
            call["follow"] = list(follow)
        if unfollow:
            call["unfollow"] = list(unfollow)
        calls.append(call)
        await original(
            event,
            groups=groups,
            skip_user=skip_user,
            follow=follow,
            unfollow=unfollow,
        )

    realtime.apublish = recording  # type: ignore[assignment]
    try:
        yield calls
    finally:
        realtime.apublish = original  # type: ignore[assignment]


def services_required() -> bool:
    """True in CI's second run: missing PostgreSQL or Redis is a failure."""
    return os.environ.get("REQUIRE_SERVICES", "") == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def events_since(user: User, since: int, *, seen: Iterable[int] = ()) -> SyncResult:
    """What `user`'s socket gets from `sync`: the stored events of every
    stream they follow now."""
    return sync.events_since(plugins.streams_of(user.pk), since, seen=seen)
