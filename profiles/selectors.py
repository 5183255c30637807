"""Reads about people, shared by pages, the API and the socket."""

import functools
import hmac
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from intranet import cursors
from intranet.errors import ServiceError
from intranet.validation import check_text, is_id
from profiles.matching import fold, query_words
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


# Where a page of the directory starts or ends: a person's sort key. By
# name: (first name, last name, id); by start date, the date (ISO, or ""
# for none) comes first.
NameKey = tuple[str, str, int]
StartKey = tuple[str, str, str, int]
DirectoryKey = NameKey | StartKey
SORTS = ("name", "start")
# Who has no start date sorts after everyone, as the earliest date.
NO_START = date(1, 1, 1)


def name_key(person: User) -> NameKey:
    return (person.first_name, person.last_name, person.pk)


def sort_key(person: User, sort: str) -> DirectoryKey:
    if sort == "start":
        joined = person.start_date.isoformat() if person.start_date else ""
        return (joined, *name_key(person))
    return name_key(person)


def decode_cursor(cursor: str) -> DirectoryKey:
    """Return the key `cursor` (intranet.cursors.encode of a sort_key)
    holds; raise ValueError if it is not one."""
    try:
        key = cursors.decode(cursor, "not a directory cursor")
    except ServiceError as exc:
        raise ValueError(exc.message) from None
    if len(key) not in (3, 4):
        raise ValueError("not a directory cursor")
    *texts, pk = key
    if not all(isinstance(t, str) for t in texts) or not is_id(pk):
        raise ValueError("not a directory cursor")
    for text in texts:
        check_text(text)  # InvalidInput is a ValueError
    if len(texts) == 3:
        if texts[0]:
            date.fromisoformat(texts[0])  # ValueError if it is not a date
        return (texts[0], texts[1], texts[2], pk)
    return (texts[0], texts[1], pk)


def _past(key: DirectoryKey, lookup: str) -> Q:
    """Rows after `key` in the listing's order (`lookup` "gt"), or before
    ("lt"). By start date, later dates come first."""
    if len(key) == 4:
        joined = date.fromisoformat(key[0]) if key[0] else NO_START
        first, last, pk = key[1], key[2], key[3]
        earlier = "lt" if lookup == "gt" else "gt"
        return Q(**{f"joined__{earlier}": joined}) | (
            Q(joined=joined) & _past((first, last, pk), lookup)
        )
    first, last, pk = key[0], key[1], key[2]
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
    location: str | None = None,
    skill: str | None = None,
    new_starters: bool = False,
    sort: str = "name",
    after: DirectoryKey | None = None,
    before: DirectoryKey | None = None,
    limit: int,
) -> DirectoryPage:
    """Return one page of the directory, paged by keyset.

    `sort` is "name" (first name, last name) or "start" (latest start date
    first, people without one last, then by name). `skill` is matched by
    the one rule (profiles.matching); `new_starters` keeps who started in
    the last NEW_STARTER_DAYS. A page starts after the `after` key, or
    ends before the `before` key, or is the first page; a key of another
    sort raises ValueError. Keys are compared in the database, with the
    same collation that orders the rows, so a page never skips or repeats
    anyone. Two queries whatever the page size or filters: the count and
    the page.
    """
    if sort not in SORTS:
        raise ValueError(f"sort is one of {SORTS}")
    width = 4 if sort == "start" else 3
    for key in (after, before):
        if key is not None and len(key) != width:
            raise ValueError("a cursor of another sort")
    matching = people_matching(query, department_id=department_id)
    if location:
        matching = matching.filter(location=location)
    if skill:
        matching = matching.filter(skills__key=fold(" ".join(skill.split())))
    if new_starters:
        today = timezone.localdate()
        matching = matching.filter(
            start_date__gt=today - timedelta(days=NEW_STARTER_DAYS),
            start_date__lte=today,
        )
    order: tuple[str, ...] = BY_NAME
    if sort == "start":
        matching = matching.annotate(joined=Coalesce("start_date", Value(NO_START)))
        order = ("-joined", *BY_NAME)
    total = matching.count()
    if before is not None:
        # Walk backwards from the key, then put the page the right way up.
        backwards = [f[1:] if f.startswith("-") else f"-{f}" for f in order]
        rows = list(
            matching.filter(_past(before, "lt")).order_by(*backwards)[: limit + 1]
        )
        has_previous, has_next = len(rows) > limit, True
        people = rows[:limit][::-1]
    else:
        if after is not None:
            matching = matching.filter(_past(after, "gt"))
        rows = list(matching.order_by(*order)[: limit + 1])
        has_previous, has_next = after is not None, len(rows) > limit
        people = rows[:limit]
    return DirectoryPage(
        people=people,
        total=total,
        next_cursor=cursors.encode(*sort_key(people[-1], sort))
        if people and has_next
        else None,
        previous_cursor=cursors.encode(*sort_key(people[0], sort))
        if people and has_previous
        else None,
    )


def directory_locations() -> list[str]:
    """Return the places active people are at, for the directory's filter."""
    return list(
        User.objects.filter(is_active=True)
        .exclude(location="")
        .order_by("location")
        .values_list("location", flat=True)
        .distinct()
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

    Http404 as get_profile. Four queries, whatever the depth.
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
        .select_related("department")
        .order_by("-start_date", "first_name")
    )
