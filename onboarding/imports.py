"""Importing a list of new starters from CSV, for the page and
`manage.py import_starters` alike.

Every row is checked before anything is written; each bad row is reported
by its line number with the reason, and the good rows create or update the
person and enroll them once, so importing the same file again changes
nothing. Each row is written in its own transaction: one refused row (a
person already on another journey) leaves the others imported.
"""

import csv
import datetime
import io
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from intranet.errors import ServiceError
from onboarding.access import require_hr
from onboarding.models import Journey
from onboarding.services import enroll
from profiles.models import Department, User

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "department",
    "manager_email",
    "start_date",
    "time_zone",
    "location",
)
OPTIONAL = ("buddy_email",)
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
FIELDS = ("first_name", "last_name", "title", "department", "location", "time_zone")


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    first_name: str
    last_name: str
    title: str
    department: Department | None
    manager: User | None
    start_date: datetime.date
    time_zone: str
    location: str
    buddy: User | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.enrolled} "
            f"enrolled, {self.unchanged} unchanged, {len(self.bad)} bad "
            + ("row" if len(self.bad) == 1 else "rows")
        )


class ImportError_(ServiceError):
    """The file as a whole cannot be read."""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportError_("too_large", f"A file can be at most {MAX_BYTES:,} bytes.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("encoding", "The file is not UTF-8 text.") from None


def _lookup_people(emails: Iterable[str]) -> dict[str, User]:
    wanted = {e for e in emails if e}
    people = User.objects.annotate(lower=Lower("email")).filter(lower__in=wanted)
    return {p.email.lower(): p for p in people}


def parse(text: str) -> tuple[list[Row], list[BadRow]]:
    """Check every row of a CSV of starters; return the good rows and the
    bad ones with their reasons (line 1 is the header)."""
    if "\x00" in text:
        raise ImportError_("invalid", "The file is not CSV text.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportError_(
            "columns",
            "Line 1 must name the columns; missing: " + ", ".join(missing) + ".",
        )
    reader.fieldnames = header
    raw: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            if len(raw) >= MAX_ROWS:
                raise ImportError_(
                    "too_many", f"A file can list at most {MAX_ROWS:,} people."
                )
            values = {
                k: (v or "").strip()
                for k, v in record.items()
                if isinstance(k, str) and isinstance(v, str | None)
            }
            if any(values.values()):
                raw.append((reader.line_num, values))
    except csv.Error as error:
        raise ImportError_(
            "invalid", f"Line {reader.line_num} is not valid CSV: {error}."
        ) from None
    departments = {d.name.lower(): d for d in Department.objects.all()}
    departments.update({d.slug: d for d in departments.values()})
    people = _lookup_people(
        v.get(k, "").lower()
        for _, v in raw
        for k in ("email", "manager_email", "buddy_email")
    )
    rows: list[Row] = []
    bad: list[BadRow] = []
    first_line: dict[str, int] = {}
    for line, values in raw:
        try:
            rows.append(_row(line, values, departments, people, first_line))
        except ValueError as reason:
            bad.append(BadRow(line, str(reason)))
    return rows, bad


def _person(email: str, people: dict[str, User], what: str) -> User | None:
    if not email:
        return None
    found = people.get(email.lower())
    if found is None or not found.is_active:
        raise ValueError(f"no one works here with the {what} email {email}")
    return found


def _row(
    line: int,
    values: dict[str, str],
    departments: dict[str, Department],
    people: dict[str, User],
    first_line: dict[str, int],
) -> Row:
    email = values.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"{email or 'the email'} is not an email address") from None
    if email in first_line:
        raise ValueError(f"{email} is on line {first_line[email]} already")
    first_line[email] = line
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not first or not last:
        raise ValueError("a first and a last name are needed")
    for name, limit in (("first_name", 150), ("last_name", 150), ("title", 120)):
        if len(values.get(name, "")) > limit:
            raise ValueError(f"{name} can be at most {limit} characters")
    if len(values.get("location", "")) > 120:
        raise ValueError("location can be at most 120 characters")
    department = None
    if values.get("department"):
        department = departments.get(values["department"].lower())
        if department is None:
            raise ValueError(f"there is no department called {values['department']}")
    if values.get("manager_email", "").lower() == email:
        raise ValueError("a person cannot be their own manager")
    if values.get("buddy_email", "").lower() == email:
        raise ValueError("a person cannot be their own buddy")
    manager = _person(values.get("manager_email", ""), people, "manager's")
    buddy = _person(values.get("buddy_email", ""), people, "buddy's")
    try:
        start = datetime.date.fromisoformat(values.get("start_date", ""))
    except ValueError:
        raise ValueError(
            f"start_date {values.get('start_date') or '(empty)'} is not a date "
            "like 2026-12-07"
        ) from None
    time_zone = values.get("time_zone", "")
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValueError(f"{time_zone} is not a time zone like Europe/Lisbon")
    return Row(
        line=line,
        email=email,
        first_name=first,
        last_name=last,
        title=values.get("title", ""),
        department=department,
        manager=manager,
        start_date=start,
        time_zone=time_zone,
        location=values.get("location", ""),
        buddy=buddy,
    )


def _save_person(row: Row) -> tuple[User, str]:
    """Create or update the row's person; return them and created, updated
    or unchanged. An empty cell leaves what the directory knows."""
    given = {
        "title": row.title,
        "department": row.department,
        "manager": row.manager,
        "time_zone": row.time_zone,
        "location": row.location,
    }
    wanted = {
        "first_name": row.first_name,
        "last_name": row.last_name,
        **{k: v for k, v in given.items() if v},
    }
    person = User.objects.filter(email__iexact=row.email).first()
    if person is None:
        person = User.objects.create_user(row.email, **wanted)
        return person, "created"
    changed = [k for k, v in wanted.items() if getattr(person, k) != v]
    if not changed:
        return person, "unchanged"
    for name in changed:
        setattr(person, name, wanted[name])
    person.save(update_fields=changed)
    return person, "updated"


def import_starters(
    hr: User,
    *,
    text: str,
    journey: Journey,
    progress: Callable[[int], object] | None = None,
) -> ImportResult:
    """Import a CSV of starters (see COLUMNS) onto `journey`; HR only."""
    require_hr(hr)
    rows, bad = parse(text)
    result = ImportResult(bad=bad)
    for row in rows:
        try:
            with transaction.atomic():
                person, how = _save_person(row)
                _, new = enroll(
                    person,
                    start_date=row.start_date,
                    journey=journey,
                    buddy=row.buddy,
                    by=hr,
                )
        except ServiceError as error:
            result.bad.append(BadRow(row.line, error.message))
        else:
            setattr(result, how, getattr(result, how) + 1)
            result.enrolled += new
        if progress is not None:
            progress(1)
    result.bad.sort(key=lambda b: b.line)
    return result
