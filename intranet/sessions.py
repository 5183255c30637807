"""Who a socket's session cookie signs in, read-only (the kernel's socket).

Generic Django auth: the user model is whatever AUTH_USER_MODEL names.
"""

from collections.abc import Iterable, Iterator, Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare


def session_user(session_key: str | None) -> AbstractBaseUser | None:
    """Return the active user `session_key` signs in, or None.

    The checks of django.contrib.auth.get_user (the session's backend, the
    user, the session auth hash under SECRET_KEY or a fallback), but
    read-only: a socket cannot set a cookie, so the session is never rotated
    or flushed here; the next page load does that. Two queries.
    """
    if not session_key:
        return None
    User = get_user_model()
    session = _session_data(session_key)
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if isinstance(backend, ModelBackend) and (
        type(backend).get_user is ModelBackend.get_user
    ):
        # ModelBackend's own rule, with the row read by one raw statement:
        # Django compiling `get(pk=)` cost twice the query (every connect).
        found = _user_row(user_id)
        allowed = found and backend.user_can_authenticate(found)  # type: ignore[arg-type]
        user = found if allowed else None
    else:
        user = backend.get_user(user_id)
    if not isinstance(user, User):
        return None
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    if not any(constant_time_compare(session_hash, h) for h in hashes):
        return None
    return user


def _user_row(user_id: Any) -> AbstractBaseUser | None:
    """The user with primary key `user_id`, or None: the row every field
    of the model, converted as the ORM converts it (a raw queryset)."""
    User = get_user_model()
    meta = User._meta
    statement = (
        f"SELECT * FROM {connection.ops.quote_name(meta.db_table)}"  # noqa: S608
        f" WHERE {connection.ops.quote_name(str(meta.pk.column))} = %s"
    )
    return next(iter(User._default_manager.raw(statement, [user_id])), None)


DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def _session_data(session_key: str) -> Mapping[str, Any]:
    """The session's data as its engine loads it (empty if there is none
    or it expired). For database sessions, the default, one raw statement:
    every socket's connect reads a session, and the engine's compiled
    queryset cost 0.3 ms of CPU to this 0.05."""
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        return engine.SessionStore(session_key)
    store = engine.SessionStore()
    table = connection.ops.quote_name(store.model._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT session_data FROM {table}"  # noqa: S608 - the table's name
            " WHERE session_key = %s AND expire_date > %s",
            [session_key, now],
        )
        row = cursor.fetchone()
    return store.decode(row[0]) if row else {}


def current_session_keys(sessions: Iterable[tuple[str, int, str]]) -> set[str]:
    """Return the keys of the sessions that still sign their user in.

    `sessions` holds (session key, user id, the user's password hash when
    the session was checked at connect). A session is gone after sign-out or
    expiry; its user may have been deactivated or changed password since
    (which is what Django's session auth hash detects, without the HMAC).
    Two queries per thousand sessions, for the sockets' recheck: bounded
    IN lists, so a process with tens of thousands of sockets still works.
    """
    sessions = [s for s in sessions if s[0]]
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store_class, "get_model_class"):
        # A database-backed session's key never changes hands: signing in as
        # someone else flushes it, so "the row still exists" is enough.
        keys = sorted({key for key, _, _ in sessions})
        now = timezone.now()
        live = set()
        for chunk in _chunks(keys):
            live |= set(
                store_class.get_model_class()
                .objects.filter(session_key__in=chunk, expire_date__gt=now)
                .values_list("session_key", flat=True)
            )
    else:  # pragma: no cover - the project uses database sessions
        live = {
            key
            for key, user_id, _ in sessions
            if str(store_class(key).get(SESSION_KEY)) == str(user_id)
        }
    passwords: dict[int, str] = {}
    for ids in _chunks(sorted({user_id for _, user_id, _ in sessions})):
        passwords.update(
            get_user_model()
            .objects.filter(pk__in=ids, is_active=True)
            .values_list("pk", "password")
        )
    return {
        key
        for key, user_id, password in sessions
        if key in live and passwords.get(user_id) == password
    }


PER_QUERY = 1000


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), PER_QUERY):
        yield values[start : start + PER_QUERY]
