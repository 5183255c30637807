"""Shared test setup: personas and helpers (healthchecks' hc/test.py style).

The personas (alice, bob, carol), sockets and processes live in testkit/,
which bench/ uses too.
"""

import contextlib
import os
from collections.abc import Iterable, Iterator
from typing import Any

from intranet import plugins, sync
from intranet.sync import SyncResult
from profiles.models import User
from testkit.personas import PASSWORD, ensure_roles, make_people, session_cookie_for
from testkit.processes import free_port
from testkit.sockets import socket_headers

# Shared with bench/ through testkit; named here too for brevity.
__all__ = [
    "PASSWORD",
    "capture_published",
    "ensure_roles",
    "events_since",
    "free_port",
    "make_people",
    "services_required",
    "session_cookie_for",
    "socket_headers",
]


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


def events_since(user: User, since: int, *, seen: Iterable[int] = ()) -> SyncResult:
    """What `user`'s socket gets from `sync`: the stored events of every
    stream they follow now."""
    return sync.events_since(plugins.streams_of(user.pk), since, seen=seen)
