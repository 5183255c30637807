"""Writes to people and their tokens."""

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from intranet.errors import ServiceError
from intranet.realtime import publish_on_commit
from intranet.validation import InvalidInput, check_text, is_emoji
from profiles import events, photos
from profiles.matching import fold
from profiles.models import (
    BIO_MAX,
    APIToken,
    Department,
    Skill,
    User,
    validate_time_zone,
)
from profiles.org import management_chain_ids
from profiles.roles import can_verify_sources, is_hr

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


# Who may change what. People say who they are; HR keeps the organisation's
# facts. The identity system (SCIM, the CSV import) owns ORG_FIELDS too, with
# names, email, external_id and whether the account is active.
OWN_FIELDS = frozenset(
    {"pronouns", "phone", "links", "bio", "skills", "location", "time_zone"}
)
ORG_FIELDS = frozenset({"title", "department", "team", "manager", "start_date"})
MAX_LINKS = 5
MAX_SKILLS = 20
SKILL_MAX = 40
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
_SINGLE_LINE_LIMITS = {
    "pronouns": 40,
    "location": 120,
    "title": 120,
    "team": 120,
    "time_zone": 64,
    "phone": 40,
}


def _invalid(message: str) -> ServiceError:
    return ServiceError("invalid", message)


def _line(field: str, value: object) -> str:
    """Return one line of text for `field`, stripped, or refuse it."""
    if not isinstance(value, str):
        raise _invalid(f"{field} must be text.")
    check_text(value)
    value = " ".join(value.split())
    limit = _SINGLE_LINE_LIMITS[field]
    if len(value) > limit:
        raise _invalid(f"{field.capitalize()} can be at most {limit} characters.")
    return value


def clean_links(links: Iterable[str]) -> list[str]:
    """Return the web links as given, or refuse the first that is not one."""
    cleaned = []
    check = URLValidator(schemes=["http", "https"])
    for link in links:
        link = link.strip()
        if not link:
            continue
        try:
            check_text(link)
            check(link)
        except (ValidationError, InvalidInput):
            raise _invalid(f"“{link[:80]}” is not a web address (https://…).") from None
        if len(link) > 200:
            raise _invalid("A link can be at most 200 characters.")
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise _invalid(f"Give at most {MAX_LINKS} links.")
    return list(dict.fromkeys(cleaned))


def clean_skills(names: Iterable[str]) -> list[str]:
    """Return the skills, each once by the matching rule, or refuse them."""
    skills: dict[str, str] = {}
    for name in names:
        check_text(name)
        name = " ".join(name.split()).strip(",")
        if not name:
            continue
        if len(name) > SKILL_MAX:
            raise _invalid(f"A skill can be at most {SKILL_MAX} characters.")
        skills.setdefault(fold(name), name)
    if len(skills) > MAX_SKILLS:
        raise _invalid(f"Give at most {MAX_SKILLS} skills.")
    return list(skills.values())


def _clean(person: User, field: str, value: Any) -> Any:
    """Return `value` as `field` stores it; raise ServiceError if it is not
    one. Ids of departments and managers become rows."""
    if field in _SINGLE_LINE_LIMITS:
        value = _line(field, value)
        if field == "time_zone":
            try:
                validate_time_zone(value)
            except ValidationError:
                raise _invalid(f"“{value}” is not a time zone name.") from None
        if field == "phone" and value and not _PHONE.match(value):
            raise _invalid("A phone number has digits, spaces, + ( ) - . / only.")
        return value
    if field == "bio":
        if not isinstance(value, str):
            raise _invalid("bio must be text.")
        check_text(value)
        value = value.strip().replace("\r\n", "\n")
        if len(value) > BIO_MAX:
            raise _invalid(f"The bio can be at most {BIO_MAX} characters.")
        return value
    if field == "links":
        return clean_links(value)
    if field == "skills":
        return clean_skills(value)
    if field == "department":
        if value is None:
            return None
        department = Department.objects.filter(pk=value).first()
        if department is None:
            raise _invalid("There is no such department.")
        return department
    if field == "manager":
        return _clean_manager(person, value)
    if field == "start_date":
        return value
    raise _invalid(f"{field} cannot be changed here.")


def _clean_manager(person: User, manager_id: int | None) -> User | None:
    if manager_id is None:
        return None
    manager = User.objects.filter(pk=manager_id, is_active=True).first()
    if manager is None:
        raise _invalid("There is no such person to report to.")
    # Nobody may report to themselves, even through others: the org chart
    # walks up from anyone and must reach the top.
    chain = management_chain_ids(manager)
    if manager.pk == person.pk or person.pk in chain:
        raise _invalid(
            f"{person.display_name} cannot report to {manager.display_name}: "
            f"{manager.display_name} already reports to them."
        )
    return manager


def update_profile(actor: User, *, person_id: int, changes: dict[str, Any]) -> User:
    """Change a person's profile fields and return them.

    People change their own OWN_FIELDS; HR (profiles.roles.is_hr) changes
    anyone's ORG_FIELDS, their own too. Anything else is a ServiceError:
    403 for a field the actor may not change, 400 for a bad value.
    Http404 for an unknown or deactivated person.
    """
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404("No such person.")
    unknown = set(changes) - OWN_FIELDS - ORG_FIELDS
    if unknown:
        raise _invalid(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    if set(changes) & OWN_FIELDS and person.pk != actor.pk:
        raise ServiceError(
            "forbidden", "Only they can change their own profile.", status=403
        )
    if set(changes) & ORG_FIELDS and not is_hr(actor):
        raise ServiceError(
            "forbidden",
            "Only HR can change job titles, departments, teams, managers and "
            "start dates.",
            status=403,
        )
    try:
        cleaned = {field: _clean(person, field, v) for field, v in changes.items()}
    except InvalidInput as exc:
        raise _invalid(str(exc)) from None
    skills = cleaned.pop("skills", None)
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(person, field, value)
        if cleaned:
            person.save(update_fields=list(cleaned))
        if skills is not None:
            _set_skills(person, skills)
    return person


def _set_skills(person: User, names: list[str]) -> None:
    keys = {fold(name): name for name in names}
    # ignore_conflicts: two people adding "Rust" at once make one skill.
    Skill.objects.bulk_create(
        [Skill(key=key, name=name) for key, name in keys.items()],
        ignore_conflicts=True,
    )
    skills = list(Skill.objects.filter(key__in=keys))
    person.skills.set(skills)
    person.search_key = person.make_search_key(skills=[s.name for s in skills])
    person.save(update_fields=["search_key"])


MAX_STATUS_DAYS = 366


def set_status(
    user: User, *, emoji: str, text: str, expires_at: datetime | None
) -> User:
    """Set `user`'s custom status; empty emoji and text clear it.

    An expired status is never shown (User.status_now), so nothing has to
    come back to clear it. Publish `status.changed` on commit to the people
    who may have `user` on screen (events.status_audience).
    """
    check_text(text)
    text = " ".join(text.split())
    emoji = emoji.strip()
    if len(text) > 100:
        raise _invalid("A status can be at most 100 characters.")
    if emoji and not is_emoji(emoji):
        raise _invalid("Choose one emoji for the status.")
    now = timezone.now()
    if expires_at is not None:
        if expires_at <= now:
            raise _invalid("The status must end in the future.")
        if expires_at > now + timedelta(days=MAX_STATUS_DAYS):
            raise _invalid("A status can last a year at most.")
    if not (emoji or text):
        emoji, text, expires_at = "", "", None
    with transaction.atomic():
        user.status_emoji, user.status_text = emoji, text
        user.status_expires_at = expires_at
        user.save(update_fields=["status_emoji", "status_text", "status_expires_at"])
        # Shown beside the name everywhere: open pages change it at once.
        publish_on_commit(
            events.status_changed(user), groups=events.status_audience(user.pk)
        )
    return user


def set_photo(
    user: User,
    *,
    file: IO[bytes] | None = None,
    size: int | None = None,
    squares: dict[str, bytes] | None = None,
) -> User:
    """Make the image in `file` `user`'s photo, replacing any other; raise
    ServiceError for anything that is not a photo. `squares` are the
    photo already made by profiles.photos.squares, instead of `file`."""
    if squares is None:
        assert file is not None
        squares = photos.squares(file, size)
    made = squares
    old = [f.name for f in (user.photo, user.photo_small) if f.name]
    user.photo.save("photo.webp", ContentFile(made["large"]), save=False)
    user.photo_small.save("small.webp", ContentFile(made["small"]), save=False)
    user.save(update_fields=["photo", "photo_small"])
    transaction.on_commit(lambda: _delete_files(old))
    return user


def remove_photo(user: User) -> User:
    """Go back to initials; removing no photo is harmless."""
    old = [f.name for f in (user.photo, user.photo_small) if f.name]
    if old:
        user.photo = user.photo_small = ""  # type: ignore[assignment]
        user.save(update_fields=["photo", "photo_small"])
        transaction.on_commit(lambda: _delete_files(old))
    return user


def _delete_files(names: list[str]) -> None:
    # After the commit: a rolled-back change still has its files.
    for name in names:
        default_storage.delete(name)
