"""Writes to people and their tokens."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from intranet.errors import ServiceError
from profiles.models import APIToken, User
from profiles.roles import can_verify_sources

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


def set_verified(actor: User, *, person_id: int, verified: bool) -> User:
    """Mark a person as a verified source, or not; HR (verify_sources)
    only. The Trusted feed keeps verified people's posts, and their name
    carries a badge."""
    if not can_verify_sources(actor):
        raise ServiceError(
            "forbidden", "Only HR can mark verified sources.", status=403
        )
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404("No such person.")
    if person.is_verified != verified:
        User.objects.filter(pk=person.pk).update(is_verified=verified)
        person.is_verified = verified
    return person
