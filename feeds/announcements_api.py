"""REST endpoints for announcements, acknowledgements and verified
sources: parse, check access, call one service, answer a schema.

A scheduled announcement is not a post yet: only its author (and HR) see
it, here under /announcements/scheduled; every post path ignores it.
"""

import csv
import datetime
import io
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from feeds import selectors, services
from feeds.models import Announcement
from feeds.services.announcements.acknowledgements import managed_announcement
from feeds.services.announcements.publishing import (
    MAX_LOCATION_LENGTH,
    MAX_LOCATIONS,
)
from feeds.services.scheduling import KEEP
from intranet.api import ERRORS, require_scope
from intranet.errors import ServiceError
from intranet.validation import Id, Text
from profiles import services as people
from profiles.roles import can_announce, is_hr
from profiles.types import AuthedRequest

router = Router(tags=["announcements"])


class AnnouncementIn(Schema):
    """`publish_at` (ISO 8601 with a time zone) in the future schedules
    it; `departments` and `locations` target the space's members in them
    (none: everyone in the space)."""

    space: Id
    body: Text
    must_read: bool = False
    pinned_until: datetime.datetime | None = None
    publish_at: datetime.datetime | None = None
    departments: list[Id] = Field(default_factory=list, max_length=100)
    locations: list[Text] = Field(default_factory=list, max_length=MAX_LOCATIONS)


class AnnouncementPatch(Schema):
    """Change a scheduled announcement; what is left out stays. A
    `publish_at` already past publishes it now; `pinned_until: null`
    unpins it."""

    body: Text | None = None
    must_read: bool | None = None
    pinned_until: datetime.datetime | None = None
    publish_at: datetime.datetime | None = None
    departments: list[Id] | None = Field(None, max_length=100)
    locations: list[Text] | None = Field(None, max_length=MAX_LOCATIONS)


class AnnouncementOut(Schema):
    """An announcement; `post` is null until it is published, `held` when
    its time came but its author had lost the role (HR edits or cancels
    it)."""

    id: int
    space: int
    author: int
    body: str
    must_read: bool
    pinned_until: str | None
    publish_at: str
    published_at: str | None
    departments: list[int]
    locations: list[str]
    post: int | None
    url: str | None
    held: bool


class AcknowledgedOut(Schema):
    post: int
    acknowledged_at: str


class ReaderOut(Schema):
    id: int
    name: str
    email: str
    department: str
    acknowledged_at: str | None
    seen: bool


class DepartmentOut(Schema):
    """Reach (`seen`) and acknowledgement in one department; `id` is null
    for the readers in no department (filter them with `department=0`)."""

    id: int | None
    name: str
    expected: int
    seen: int
    acknowledged: int


class AcknowledgementsQuery(Schema):
    """Which readers to list: `status` (all when left out), `department`
    (its id; 0: in none), and `after`, the `next` of the page before."""

    status: Literal["pending", "acknowledged"] | None = None
    department: int | None = Field(default=None, ge=0, le=2**63 - 1)
    after: str = Field(default="", max_length=1000)
    limit: int = Field(
        default=selectors.READERS_PAGE, ge=1, le=selectors.READERS_PAGE_MAX
    )


class AcknowledgementsOut(Schema):
    """Who an announcement is for, who saw it and (a must-read) who
    acknowledged it: the totals and each department counted over everyone,
    `readers` one page of them by name (`next`: the cursor of the next
    page, null on the last); for its author and HR."""

    post: int
    acknowledged: int
    expected: int
    seen: int
    nudged_at: str | None
    departments: list[DepartmentOut]
    readers: list[ReaderOut]
    next: str | None


class NudgedOut(Schema):
    nudged: int


class VerifiedOut(Schema):
    id: int
    verified: bool


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def announcement_data(announcement: Announcement) -> dict[str, Any]:
    return {
        "id": announcement.pk,
        "space": announcement.space_id,
        "author": announcement.author_id,
        "body": announcement.body,
        "must_read": announcement.must_read,
        "pinned_until": _iso(announcement.pinned_until),
        "publish_at": announcement.publish_at.isoformat(),
        "published_at": _iso(announcement.published_at),
        "departments": sorted(d.pk for d in announcement.departments.all()),
        "locations": announcement.locations,
        "post": announcement.post_id,
        "url": announcement.post.get_absolute_url() if announcement.post else None,
        "held": announcement.is_held,
    }


@router.post("/announcements", response={201: AnnouncementOut, **ERRORS})
def create_announcement(request: AuthedRequest, data: AnnouncementIn):
    """Announce in the company-wide space or an onboarding space (HR and
    communicators), now or at `publish_at`."""
    require_scope(request, "write")
    if any(len(loc) > MAX_LOCATION_LENGTH for loc in data.locations):
        raise ServiceError(
            "too_long", f"A location is at most {MAX_LOCATION_LENGTH} characters."
        )
    announcement = services.announce(
        request.user,
        space_id=data.space,
        body=data.body,
        must_read=data.must_read,
        pinned_until=data.pinned_until,
        publish_at=data.publish_at,
        department_ids=data.departments,
        locations=data.locations,
    )
    return Status(201, announcement_data(announcement))


@router.get("/announcements/scheduled", response={200: list[AnnouncementOut], **ERRORS})
def scheduled_announcements(request: AuthedRequest):
    """Announcements waiting for their time: your own; HR sees all."""
    require_scope(request, "read")
    if not (can_announce(request.user) or is_hr(request.user)):
        raise ServiceError(
            "forbidden", "Only HR and communicators schedule announcements.", status=403
        )
    return [
        announcement_data(a) for a in selectors.scheduled_announcements(request.user)
    ]


@router.patch(
    "/announcements/{announcement_id}", response={200: AnnouncementOut, **ERRORS}
)
def edit_announcement(
    request: AuthedRequest, announcement_id: Id, data: AnnouncementPatch
):
    """Change a scheduled announcement: its author or HR (404 for anyone
    else); 409 once it is published."""
    require_scope(request, "write")
    if data.locations and any(len(x) > MAX_LOCATION_LENGTH for x in data.locations):
        raise ServiceError(
            "too_long", f"A location is at most {MAX_LOCATION_LENGTH} characters."
        )
    announcement = services.edit_scheduled(
        request.user,
        announcement_id=announcement_id,
        body=data.body,
        must_read=data.must_read,
        # `"pinned_until": null` unpins; leaving it out keeps the pin.
        pinned_until=(
            data.pinned_until if "pinned_until" in data.model_fields_set else KEEP
        ),
        publish_at=data.publish_at,
        department_ids=data.departments,
        locations=data.locations,
    )
    return announcement_data(announcement)


@router.delete("/announcements/{announcement_id}", response={204: None, **ERRORS})
def cancel_announcement(request: AuthedRequest, announcement_id: Id):
    """Cancel a scheduled (or held) announcement: its author or HR; 409
    once it is published."""
    require_scope(request, "write")
    services.cancel_scheduled(request.user, announcement_id=announcement_id)
    return Status(204, None)


@router.post("/posts/{post_id}/acknowledge", response={200: AcknowledgedOut, **ERRORS})
def acknowledge(request: AuthedRequest, post_id: Id):
    """Say "I've read this" to a must-read you are asked to read (again:
    the first time stays)."""
    require_scope(request, "write")
    reader = services.acknowledge(request.user, post_id=post_id)
    assert reader.acknowledged_at is not None
    return {"post": post_id, "acknowledged_at": reader.acknowledged_at.isoformat()}


@router.get(
    "/posts/{post_id}/acknowledgements", response={200: AcknowledgementsOut, **ERRORS}
)
def acknowledgements(
    request: AuthedRequest, post_id: Id, query: Query[AcknowledgementsQuery]
):
    """Counts by department, and a page of the readers by name (filter by
    `status` and `department`; follow `next` with `after`). Its author and
    HR; 404 for anyone else; 400 for a cursor no page gave."""
    require_scope(request, "read")
    post, announcement = managed_announcement(request.user, post_id)
    summary = selectors.acknowledgement_summary(announcement)
    page = selectors.reader_page(
        announcement,
        acknowledged=None if query.status is None else query.status == "acknowledged",
        department_id=query.department,
        after=query.after,
        limit=query.limit,
    )
    return {
        "post": post.pk,
        "acknowledged": summary.acknowledged,
        "expected": summary.expected,
        "seen": summary.seen,
        "nudged_at": _iso(announcement.nudged_at),
        "departments": [vars(line) for line in summary.departments],
        "readers": [
            {
                "id": r.user_id,
                "name": r.name,
                "email": r.email,
                "department": r.department,
                "acknowledged_at": _iso(r.acknowledged_at),
                "seen": r.seen,
            }
            for r in page.readers
        ],
        "next": page.next,
    }


CSV_FILE = {
    "responses": {
        200: {
            "description": "name, email, department, acknowledged_at (empty: not yet)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def acknowledgements_csv(post_id: int, report: selectors.AcknowledgementReport):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "department", "acknowledged_at"])
    for r in report.readers:
        writer.writerow(
            [
                _neutral(r.name),
                _neutral(r.email),
                _neutral(r.department),
                _iso(r.acknowledged_at) or "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="acknowledgements-post-{post_id}.csv"'
    )
    return response


def _neutral(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get(
    "/posts/{post_id}/acknowledgements.csv",
    response={200: None, **ERRORS},
    openapi_extra=CSV_FILE,
)
def acknowledgements_csv_file(request: AuthedRequest, post_id: Id):
    """The acknowledgement list as CSV, for its author and HR."""
    require_scope(request, "read")
    post, announcement = managed_announcement(request.user, post_id)
    return acknowledgements_csv(post.pk, selectors.acknowledgement_report(announcement))


@router.post("/posts/{post_id}/nudge", response={200: NudgedOut, **ERRORS})
def nudge(request: AuthedRequest, post_id: Id):
    """Remind everyone who has not acknowledged yet; once (409 after)."""
    require_scope(request, "write")
    return {"nudged": services.nudge(request.user, post_id=post_id)}


@router.put("/people/{person_id}/verified", response={200: VerifiedOut, **ERRORS})
def mark_verified(request: AuthedRequest, person_id: Id):
    """Mark a person as a verified source (HR)."""
    require_scope(request, "write")
    person = people.set_verified(request.user, person_id=person_id, verified=True)
    return {"id": person.pk, "verified": person.is_verified}


@router.delete("/people/{person_id}/verified", response={200: VerifiedOut, **ERRORS})
def unmark_verified(request: AuthedRequest, person_id: Id):
    require_scope(request, "write")
    person = people.set_verified(request.user, person_id=person_id, verified=False)
    return {"id": person.pk, "verified": person.is_verified}
