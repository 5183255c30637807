"""Reads about people, shared by pages, the API and the socket."""

import hmac
from datetime import date, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.db.models import QuerySet
from django.utils import timezone

from profiles.models import APIToken, User
from profiles.services import TOKEN_PREFIX, hash_token


def session_is_current(session_key: str | None, user_id: int) -> bool:
    """Return whether `session_key` still signs in active user `user_id`.

    False after sign-out, expiry, deactivation or a password change.
    """
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if str(store.get(SESSION_KEY)) != str(user_id):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return hmac.compare_digest(
        str(store.get(HASH_SESSION_KEY, "")), user.get_session_auth_hash()
    )


def get_active_token(plain: str) -> APIToken | None:
    """Return the live token matching `plain`, with its user, or None."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = APIToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(plain)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    return token


def tokens_for(user: User) -> QuerySet[APIToken]:
    return APIToken.objects.filter(user=user)


def new_starters(*, today: date | None = None, days: int = 7) -> QuerySet[User]:
    """Return active people who started in the last `days` days."""
    today = today or timezone.localdate()
    return (
        User.objects.filter(
            is_active=True,
            start_date__gt=today - timedelta(days=days),
            start_date__lte=today,
        )
        .select_related("department", "manager")
        .order_by("-start_date", "first_name")
    )
