"""Reads about people, shared by pages, the API and the socket."""

import binascii
import functools
import hmac
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from intranet.validation import check_text, is_id
from profiles.matching import query_words
from profiles.models import NEW_STARTER_DAYS, APIToken, Skill, User
from profiles.org import management_chain
from profiles.services import TOKEN_PREFIX, hash_token

# Alphabetical by first name, as the pickers list people; the id makes the
# order total, which keyset paging needs (two people can share a name).
BY_NAME = ("first_name", "last_name", "id")


def people_matching(query: str, *, department_id: int | None = None) -> QuerySet[User]:
    """Active people with every word of `query` in their name, email, job
    title or skills, in `department_id` if given, by name (the pickers, the
    directory, GET /api/v1/people and search).

    Words match by the one rule (profiles.matching): regardless of case
    and accents, ß as ss, anywhere in a word.
    """
    people = User.objects.filter(is_active=True)
    for word in query_words(query):
        people = people.filter(search_key__contains=word)
    if department_id is not None:
        people = people.filter(department_id=department_id)
    return people.select_related("department").order_by(*BY_NAME)


# Where a page of the directory starts or ends: a person's sort key.
NameKey = tuple[str, str, int]


def name_key(person: User) -> NameKey:
    return (person.first_name, person.last_name, person.pk)


def encode_cursor(key: NameKey) -> str:
    """Return `key` as an opaque, URL-safe cursor for the directory."""
    raw = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> NameKey:
    """Return the key `cursor` holds; raise ValueError if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        first, last, pk = json.loads(urlsafe_b64decode(padded.encode()))
    except (binascii.Error, RecursionError, TypeError, ValueError) as exc:
        raise ValueError("not a directory cursor") from exc
    if not (isinstance(first, str) and isinstance(last, str)):
        raise ValueError("not a directory cursor")
    if not is_id(pk):
        raise ValueError("not a directory cursor")
    check_text(first)  # InvalidInput is a ValueError
    check_text(last)
    return (first, last, pk)


def _past(key: NameKey, lookup: str) -> Q:
    """Rows after `key` in BY_NAME order (`lookup` "gt"), or before ("lt")."""
    first, last, pk = key
    return (
        Q(**{f"first_name__{lookup}": first})
        | Q(first_name=first, **{f"last_name__{lookup}": last})
        | Q(first_name=first, last_name=last, **{f"id__{lookup}": pk})
    )


@dataclass(frozen=True)
class DirectoryPage:
    people: list[User]
    # How many people match, on every page.
    total: int
    # Pass as `after` (next page) or `before` (previous page); None when
    # there is no such page.
    next_cursor: str | None
    previous_cursor: str | None


def directory_page(
    query: str = "",
    *,
    department_id: int | None = None,
    after: NameKey | None = None,
    before: NameKey | None = None,
    limit: int,
) -> DirectoryPage:
    """Return one page of the directory, by name, paged by keyset.

    A page starts after the `after` key, or ends before the `before` key, or
    is the first page. Keys are compared in the database, with the same
    collation that orders the rows, so a page never skips or repeats
    anyone. Two queries whatever the page size: the count and the page.
    """
    matching = people_matching(query, department_id=department_id)
    total = matching.count()
    if before is not None:
        # Walk backwards from the key, then put the page the right way up.
        rows = list(
            matching.filter(_past(before, "lt")).order_by(
                *(f"-{field}" for field in BY_NAME)
            )[: limit + 1]
        )
        has_previous, has_next = len(rows) > limit, True
        people = rows[:limit][::-1]
    else:
        if after is not None:
            matching = matching.filter(_past(after, "gt"))
        rows = list(matching[: limit + 1])
        has_previous, has_next = after is not None, len(rows) > limit
        people = rows[:limit]
    return DirectoryPage(
        people=people,
        total=total,
        next_cursor=encode_cursor(name_key(people[-1]))
        if people and has_next
        else None,
        previous_cursor=encode_cursor(name_key(people[0]))
        if people and has_previous
        else None,
    )


@dataclass(frozen=True)
class Profile:
    """A person's page, as anyone signed in may see it."""

    person: User
    # Their manager; None when they have none or the manager was deactivated.
    manager: User | None
    # The active people who report to them, by name.
    reports: list[User]
    # Their skills, by name.
    skills: list[Skill]


def get_profile(person_id: int) -> Profile:
    """Return the profile of the active person `person_id`.

    Raise Http404 for an unknown or deactivated person: a deactivated
    person has no page, and is never shown as anyone's manager or report.
    Three queries.
    """
    person = get_object_or_404(
        User.objects.filter(is_active=True).select_related(
            "department", "manager__department"
        ),
        pk=person_id,
    )
    manager = person.manager
    if manager is not None and not manager.is_active:
        manager = None
    reports = list(
        User.objects.filter(manager=person, is_active=True)
        .select_related("department")
        .order_by(*BY_NAME)
    )
    skills = list(person.skills.order_by("name"))
    return Profile(person=person, manager=manager, reports=reports, skills=skills)


@functools.cache
def _photo_path() -> str:
    return reverse("profiles:photo", args=[1, "small"])


def photo_url(person: User, size: str) -> str | None:
    """Return the address of `person`'s photo in `size` ("small", "large"),
    or None when they have none. The address changes with the photo, so
    browsers may keep it for good (profiles.views.photo)."""
    field = person.photo if size == "large" else person.photo_small
    if not field:
        return None
    version = PurePath(field.name or "").stem
    path = _photo_path().replace("/1/", f"/{person.pk}/", 1)
    return f"{path.replace('/small/', f'/{size}/')}?v={version}"


@dataclass(frozen=True)
class OrgChart:
    person: User
    # From the top of the company down to the person's own manager.
    chain: list[User]
    reports: list[User]


def org_chart(person_id: int) -> OrgChart:
    """Return the active person's management chain and direct reports.

    Http404 as get_profile. Two queries and one per level above them.
    """
    profile = get_profile(person_id)
    chain = management_chain(profile.person)
    return OrgChart(person=profile.person, chain=chain[::-1], reports=profile.reports)


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


def new_starters(
    *, today: date | None = None, days: int = NEW_STARTER_DAYS
) -> QuerySet[User]:
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
