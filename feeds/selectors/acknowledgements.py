"""Who an announcement is for, who saw it and (a must-read) who
acknowledged it: a summary by department counted in the database, the
names a page at a time, and the whole list for the CSV.

A company-wide must-read has thousands of readers: the page and the REST
API never load them all (issue 11: 5,000 names took 194 ms a page).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from feeds.models import Announcement, PostView, Reader
from intranet import cursors
from intranet.errors import ServiceError

# Names on one page of the acknowledgements list (page and REST API).
READERS_PAGE = 100
READERS_PAGE_MAX = 500


@dataclass(frozen=True)
class ReaderLine:
    """One person a must-read is for, as the acknowledgement page and the
    CSV list them."""

    user_id: int
    name: str
    email: str
    department: str
    acknowledged_at: Any
    seen: bool


@dataclass(frozen=True)
class DepartmentLine:
    """Reach and acknowledgement of an announcement in one department."""

    name: str
    expected: int
    seen: int
    acknowledged: int
    # None for the readers in no department (`department=0` filters them).
    id: int | None = None

    @property
    def pending(self) -> int:
        return self.expected - self.acknowledged


@dataclass
class AcknowledgementReport:
    readers: list[ReaderLine]

    @property
    def expected(self) -> int:
        return len(self.readers)

    @property
    def acknowledged(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is not None]

    @property
    def pending(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is None]

    @property
    def departments(self) -> list[DepartmentLine]:
        by_name: dict[str, list[ReaderLine]] = {}
        for reader in self.readers:
            by_name.setdefault(reader.department, []).append(reader)
        return [
            DepartmentLine(
                name,
                len(lines),
                sum(r.seen for r in lines),
                sum(r.acknowledged_at is not None for r in lines),
            )
            for name, lines in sorted(by_name.items())
        ]


NO_DEPARTMENT = "No department"


# What a ReaderLine is made of, read with a `saw` annotation (_saw).
READER_COLUMNS = (
    "user_id",
    "user__first_name",
    "user__last_name",
    "user__email",
    "user__department__name",
    "acknowledged_at",
    "saw",
)


def _lines(rows: Iterable[tuple]) -> list[ReaderLine]:
    return [
        ReaderLine(
            pk,
            f"{first} {last}".strip() or email,
            email,
            department or NO_DEPARTMENT,
            acknowledged_at,
            saw,
        )
        for pk, first, last, email, department, acknowledged_at, saw in rows
    ]


def _saw(announcement: Announcement) -> Exists:
    """Whether a reader (the outer row) had the post on screen."""
    return Exists(
        PostView.objects.filter(
            post_id=announcement.post_id or 0, user_id=OuterRef("user_id")
        )
    )


def acknowledgement_report(announcement: Announcement) -> AcknowledgementReport:
    """Everyone an announcement is for, by department then name, with
    whether they saw and acknowledged it: one query, however many. For
    the CSV, which lists them all; pages use acknowledgement_summary and
    reader_page."""
    rows = (
        Reader.objects.filter(announcement=announcement)
        .annotate(saw=_saw(announcement))
        .order_by("user__department__name", "user__first_name", "user__last_name")
        .values_list(*READER_COLUMNS)
    )
    return AcknowledgementReport(_lines(rows))


@dataclass(frozen=True)
class AcknowledgementSummary:
    """An announcement's reach and acknowledgements, by department."""

    departments: list[DepartmentLine]

    @property
    def expected(self) -> int:
        return sum(d.expected for d in self.departments)

    @property
    def seen(self) -> int:
        return sum(d.seen for d in self.departments)

    @property
    def acknowledged(self) -> int:
        return sum(d.acknowledged for d in self.departments)

    @property
    def pending(self) -> int:
        return self.expected - self.acknowledged

    def department(self, department_id: int | None) -> DepartmentLine | None:
        """The line of one department (0: no department), if it has readers."""
        wanted = department_id or None
        return next((d for d in self.departments if d.id == wanted), None)


def acknowledgement_summary(announcement: Announcement) -> AcknowledgementSummary:
    """Readers, those who saw it and those who acknowledged it, per
    department (by name, "No department" among them): one aggregate
    query, whatever the number of readers."""
    rows = (
        Reader.objects.filter(announcement=announcement)
        .values_list("user__department_id", "user__department__name")
        .annotate(
            expected=Count("pk"),
            seen=Count("pk", filter=_saw(announcement)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by()
    )
    lines = [
        DepartmentLine(name or NO_DEPARTMENT, expected, seen, acknowledged, pk)
        for pk, name, expected, seen, acknowledged in rows
    ]
    return AcknowledgementSummary(sorted(lines, key=lambda d: (d.name, d.id or 0)))


@dataclass(frozen=True)
class ReaderPage:
    """A page of readers, and the cursor of the next page (None: the last)."""

    readers: list[ReaderLine]
    next: str | None


# A page ends at a reader's (first name, last name, user id): unique, and
# the order people look for a name in. The cursor is those three, opaque.
ORDER = ("user__first_name", "user__last_name", "user_id")
BAD_CURSOR = "after must be the `next` cursor of a page of this list."


def _name_part(value: object) -> bool:
    """A first or last name the database can compare: text within the
    field's length, no NUL, no lone surrogate (either would be a 500)."""
    if not isinstance(value, str) or len(value) > 150 or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _after(cursor: str) -> Q:
    """The readers after `cursor` in ORDER; ServiceError (400) for a
    cursor no page gave."""
    try:
        first, last, user_id = cursors.decode(cursor, BAD_CURSOR)
    except ValueError:  # not three values
        raise ServiceError("bad_cursor", BAD_CURSOR) from None
    if not (_name_part(first) and _name_part(last)):
        raise ServiceError("bad_cursor", BAD_CURSOR)
    if type(user_id) is not int or not 0 < user_id < 2**63:
        raise ServiceError("bad_cursor", BAD_CURSOR)
    return (
        Q(user__first_name__gt=first)
        | Q(user__first_name=first, user__last_name__gt=last)
        | Q(user__first_name=first, user__last_name=last, user_id__gt=user_id)
    )


def reader_page(
    announcement: Announcement,
    *,
    acknowledged: bool | None = None,
    department_id: int | None = None,
    after: str | None = None,
    limit: int = READERS_PAGE,
) -> ReaderPage:
    """Return `limit` of the people `announcement` is for, by name, after
    the cursor `after` (a page's `next`): those who acknowledged it
    (`acknowledged=True`), who have not (False) or all (None); in one
    department (`department_id`; 0: in none) or all. One query, whatever
    the number of readers (keyset: no OFFSET to count through)."""
    readers: QuerySet[Reader] = Reader.objects.filter(announcement=announcement)
    if acknowledged is not None:
        readers = readers.filter(acknowledged_at__isnull=not acknowledged)
    if department_id == 0:
        readers = readers.filter(user__department__isnull=True)
    elif department_id is not None:
        readers = readers.filter(user__department_id=department_id)
    if after:
        readers = readers.filter(_after(after))
    rows = list(
        readers.annotate(saw=_saw(announcement))
        .order_by(*ORDER)
        .values_list(*READER_COLUMNS)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    lines = _lines(rows)
    next_cursor = (
        cursors.encode(rows[-1][1], rows[-1][2], rows[-1][0]) if more else None
    )
    return ReaderPage(lines, next_cursor)
