"""Writes to people and their tokens."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from profiles.models import APIToken, User

TOKEN_PREFIX = "cnt"  # noqa: S105 - a label, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    user: User,
    *,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
) -> tuple[APIToken, str]:
    """Create a token for `user` and return it with its plain text.

    The plain text exists only in this return value: show it once.
    """
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name, e.g. the script that uses it.")
    scopes = sorted(set(scopes))
    valid = set(APIToken.Scope.values)
    if not scopes or not set(scopes) <= valid:
        raise ValidationError(f"Scopes must be some of: {', '.join(sorted(valid))}.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry date must be in the future.")
    prefix = secrets.token_hex(6)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = APIToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_token(plain),
        scopes=scopes,
        expires_at=expires_at,
    )
    return token, plain


def revoke_api_token(user: User, *, token: APIToken) -> None:
    """Revoke one of `user`'s tokens; revoking twice is harmless."""
    if token.user_id != user.pk:
        raise PermissionError("That token belongs to someone else.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def record_token_use(token: APIToken) -> None:
    # One write a minute at most: a busy bot should not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
