"""Importing the organisation's facts about people from CSV.

What the company's identity or HR system owns (profiles.services.ORG_FIELDS
and external_id) comes from it; what people say about themselves never
does. A row finds its person by `external_id` first, then by email, and
changes only the columns the file has and the cells that are not empty
(an empty cell keeps what the directory knows). Each row is written in its
own transaction through update_profile, HR's own path, so a file checks
and refuses exactly what the page and the API would, and each bad row is
reported by its line number with the reason. The same file twice changes
nothing. SCIM will write through the same service.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction

from intranet.errors import ServiceError
from profiles.models import Department, User
from profiles.roles import is_hr
from profiles.services import update_profile

KEYS = ("external_id", "email")
COLUMNS = ("title", "department", "team", "manager_email", "start_date")
MAX_ROWS = 10_000


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def import_org_fields(actor: User, text: str) -> ImportResult:
    """Apply a CSV of organisational fields; HR only (ServiceError 403).

    The header names the columns: `email` or `external_id` (or both), and
    any of title, department (name or slug), team, manager_email and
    start_date (YYYY-MM-DD). A row with both keys gives an emailed person
    their external_id.
    """
    if not is_hr(actor):
        raise ServiceError("forbidden", "Only HR can import people.", status=403)
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or [])
    unknown = header - set(KEYS) - set(COLUMNS)
    if not header & set(KEYS) or unknown:
        raise ServiceError(
            "invalid",
            "The header must name email or external_id, and only these: "
            + ", ".join((*KEYS, *COLUMNS))
            + (f" (not {', '.join(sorted(unknown))})" if unknown else "")
            + ".",
        )
    departments = {
        key: d for d in Department.objects.all() for key in (d.name.lower(), d.slug)
    }
    result = ImportResult()
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            result.problems.append(f"line {line}: at most {MAX_ROWS} rows a file.")
            break
        try:
            changed = _apply(actor, row, departments)
        except ServiceError as exc:
            result.problems.append(f"line {line}: {exc.message}")
        else:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _apply(actor: User, row: dict[str, str], departments: dict) -> bool:
    cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
    external_id, email = cells.get("external_id", ""), cells.get("email", "")
    if not (external_id or email):
        raise ServiceError("invalid", "give an email or an external_id.")
    person = None
    if external_id:
        person = User.objects.filter(external_id=external_id).first()
    if person is None and email:
        person = User.objects.filter(email__iexact=email).first()
    if person is None or not person.is_active:
        raise ServiceError("invalid", f"nobody active is {email or external_id}.")
    changes: dict[str, object] = {}
    if cells.get("title"):
        changes["title"] = cells["title"]
    if cells.get("team"):
        changes["team"] = cells["team"]
    if cells.get("department"):
        department = departments.get(cells["department"].lower())
        if department is None:
            raise ServiceError("invalid", f"no department {cells['department']!r}.")
        changes["department"] = department.pk
    if cells.get("manager_email"):
        manager = User.objects.filter(
            email__iexact=cells["manager_email"], is_active=True
        ).first()
        if manager is None:
            raise ServiceError("invalid", f"nobody active is {cells['manager_email']}.")
        changes["manager"] = manager.pk
    if cells.get("start_date"):
        try:
            changes["start_date"] = datetime.date.fromisoformat(cells["start_date"])
        except ValueError:
            raise ServiceError(
                "invalid", f"{cells['start_date']!r} is not a date (YYYY-MM-DD)."
            ) from None
    current = {
        "title": person.title,
        "team": person.team,
        "department": person.department_id,
        "manager": person.manager_id,
        "start_date": person.start_date,
    }
    changes = {k: v for k, v in changes.items() if current[k] != v}
    new_id = external_id and person.external_id != external_id
    if not changes and not new_id:
        return False
    with transaction.atomic():
        if changes:
            update_profile(actor, person_id=person.pk, changes=changes)
        if new_id:
            taken = User.objects.filter(external_id=external_id)
            if taken.exclude(pk=person.pk).exists():
                raise ServiceError(
                    "invalid", f"external_id {external_id} is someone else's."
                )
            User.objects.filter(pk=person.pk).update(external_id=external_id)
    return True
