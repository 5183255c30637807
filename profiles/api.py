from datetime import date, datetime
from typing import Any

from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from intranet.api import ERRORS, Error, Invalid, require_scope
from intranet.errors import ServiceError
from intranet.validation import Id, InvalidInput, Text, parse_id_list
from profiles import presence, services
from profiles.models import User
from profiles.selectors import (
    get_profile,
    org_chart,
    people_matching,
    photo_url,
)
from profiles.types import AuthedRequest

router = Router(tags=["people"])


class DepartmentOut(Schema):
    id: int
    name: str
    slug: str


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    display_name: str
    title: str
    department: DepartmentOut | None
    manager_id: int | None
    location: str
    time_zone: str
    start_date: date | None


@router.get("/me", response={200: MeOut, 401: Error, 403: Error})
def me(request):
    """Return the signed-in person (or the owner of the token)."""
    require_scope(request, "read")
    return request.user


class StatusOut(Schema):
    emoji: str
    text: str
    expires_at: datetime | None


class PersonOut(Schema):
    id: int
    display_name: str
    initials: str
    title: str
    department: str | None
    # The small photo's address, or None: show the initials.
    photo: str | None
    # The custom status while it lasts, else None.
    status: StatusOut | None

    @staticmethod
    def resolve_department(person) -> str | None:
        return person.department.name if person.department else None

    @staticmethod
    def resolve_photo(person) -> str | None:
        return photo_url(person, "small")

    @staticmethod
    def resolve_status(person) -> dict[str, Any] | None:
        return _status(person)


def _status(person: User) -> dict[str, Any] | None:
    if person.status_now is None:
        return None
    return {
        "emoji": person.status_emoji,
        "text": person.status_text,
        "expires_at": person.status_expires_at,
    }


PEOPLE_FOUND = 20
MAX_QUERY_LENGTH = 100


@router.get(
    "/people",
    response={200: list[PersonOut], 400: Error, 401: Error, 403: Error, 422: Invalid},
)
def find_people(request, q: Text = Query(..., max_length=MAX_QUERY_LENGTH)):  # type: ignore[type-arg]
    """Up to 20 active people with every word of `q` in their name, email or
    job title (the pickers' search)."""
    require_scope(request, "read")
    if not q.strip():
        return Status(400, {"error": "Say whom to look for: q is empty."})
    return list(people_matching(q)[:PEOPLE_FOUND])


class ProfileOut(Schema):
    """PersonOut's fields and the rest of the profile page's."""

    id: int
    display_name: str
    initials: str
    title: str
    department: str | None
    email: str
    first_name: str
    last_name: str
    location: str
    time_zone: str
    local_time: datetime
    start_date: date | None
    new_starter: bool
    presence: presence.Status
    manager: PersonOut | None
    reports: list[PersonOut]
    pronouns: str
    phone: str
    bio: str
    links: list[str]
    skills: list[str]
    team: str
    photo: str | None
    photo_large: str | None
    status: StatusOut | None


@router.get(
    "/people/{int:person_id}",
    response={200: ProfileOut, 401: Error, 403: Error, 404: Error, 422: Invalid},
)
def get_person(request, person_id: Id):
    """An active person's profile: who they are, where and when they are,
    whom they report to and who reports to them. 404 for anyone unknown or
    deactivated."""
    require_scope(request, "read")
    return _profile_data(person_id)


def _profile_data(person_id: int) -> dict[str, Any]:
    profile = get_profile(person_id)
    person = profile.person
    return {
        "id": person.pk,
        "display_name": person.display_name,
        "initials": person.initials,
        "title": person.title,
        "department": PersonOut.resolve_department(person),
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "location": person.location,
        "time_zone": person.time_zone,
        "local_time": person.local_time(),
        "start_date": person.start_date,
        "new_starter": person.is_new_starter(),
        "presence": presence.statuses([person.pk])[person.pk],
        "manager": profile.manager,
        "reports": profile.reports,
        "pronouns": person.pronouns,
        "phone": person.phone,
        "bio": person.bio,
        "links": person.links,
        "skills": [skill.name for skill in profile.skills],
        "team": person.team,
        "photo": photo_url(person, "small"),
        "photo_large": photo_url(person, "large"),
        "status": _status(person),
    }


class ProfilePatch(Schema):
    """The fields to change; those left out stay as they are.

    A person changes their own pronouns, phone, links, bio, skills,
    location and time zone; HR changes anyone's title, department (id),
    team, manager (id) and start date.
    """

    model_config = ConfigDict(extra="forbid")

    pronouns: Text | None = None
    phone: Text | None = None
    links: list[Text] | None = None
    bio: Text | None = None
    skills: list[Text] | None = None
    location: Text | None = None
    time_zone: Text | None = None
    title: Text | None = None
    department: Id | None = None
    team: Text | None = None
    manager: Id | None = None
    start_date: date | None = None


# Fields that may be set to null: "none" (no department, no manager, no
# start date). Text fields take "" for none instead.
NULLABLE = frozenset({"department", "manager", "start_date"})


def _changes(patch: ProfilePatch) -> dict[str, Any]:
    changes = patch.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in NULLABLE:
            raise ServiceError(
                "invalid", f'{field} cannot be null: send "" or [] for none.'
            )
    return changes


@router.patch("/people/me", response={200: ProfileOut, **ERRORS})
def update_me(request: AuthedRequest, patch: ProfilePatch):
    """Change your own profile (and, for HR, your own organisational
    fields). 403 names a field you may not change, 400 a bad value."""
    require_scope(request, "write")
    services.update_profile(
        request.user, person_id=request.user.pk, changes=_changes(patch)
    )
    return _profile_data(request.user.pk)


@router.patch("/people/{int:person_id}", response={200: ProfileOut, **ERRORS})
def update_person(request: AuthedRequest, person_id: Id, patch: ProfilePatch):
    """Change a person's profile: HR changes anyone's title, department,
    team, manager and start date; the rest is only the person's own. 403
    for a field you may not change."""
    require_scope(request, "write")
    services.update_profile(request.user, person_id=person_id, changes=_changes(patch))
    return _profile_data(person_id)


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    emoji: Text = ""
    text: Text = ""
    expires_at: datetime | None = None


@router.put("/people/me/status", response={200: ProfileOut, **ERRORS})
def set_my_status(request: AuthedRequest, status: StatusIn):
    """Set your custom status: an emoji, up to 100 characters and when it
    ends (none: until you change it). Empty emoji and text clear it."""
    require_scope(request, "write")
    services.set_status(
        request.user,
        emoji=status.emoji,
        text=status.text,
        expires_at=status.expires_at,
    )
    return _profile_data(request.user.pk)


@router.delete("/people/me/status", response={204: None, **ERRORS})
def clear_my_status(request: AuthedRequest):
    """Clear your custom status."""
    require_scope(request, "write")
    services.set_status(request.user, emoji="", text="", expires_at=None)
    return Status(204, None)


@router.post(
    "/people/me/photo",
    response={200: ProfileOut, **ERRORS, 413: Error, 415: Error},
)
def upload_my_photo(request: AuthedRequest, file: File[UploadedFile]):
    """Upload your photo (multipart, field `file`): PNG, JPEG, GIF or WebP,
    up to MAX_PHOTO_BYTES, cropped to a square; its metadata is dropped."""
    require_scope(request, "write")
    services.set_photo(request.user, file=file, size=file.size)
    return _profile_data(request.user.pk)


@router.delete("/people/me/photo", response={204: None, **ERRORS})
def remove_my_photo(request: AuthedRequest):
    """Go back to your initials."""
    require_scope(request, "write")
    services.remove_photo(request.user)
    return Status(204, None)


class OrgChartOut(Schema):
    person: PersonOut
    # From the top of the company down to the person's manager.
    chain: list[PersonOut]
    reports: list[PersonOut]


@router.get("/people/{int:person_id}/org", response={200: OrgChartOut, **ERRORS})
def get_org_chart(request: AuthedRequest, person_id: Id):
    """A person's management chain up to the top and their direct reports."""
    require_scope(request, "read")
    return org_chart(person_id)


MAX_PRESENCE_ASKED = 200


@router.get(
    "/presence",
    response={
        200: dict[str, presence.Status],
        400: Error,
        401: Error,
        403: Error,
        422: Invalid,
    },
)
def get_presence(
    request,
    users: Text = Query(..., description="Comma-separated ids"),  # type: ignore[type-arg]
):
    """Presence of up to 200 people: online, away or offline, by id."""
    require_scope(request, "read")
    try:
        ids = parse_id_list(users)
    except InvalidInput:
        return Status(400, {"error": "users must be comma-separated numeric ids."})
    if not 0 < len(ids) <= MAX_PRESENCE_ASKED:
        return Status(
            400, {"error": f"Ask for between 1 and {MAX_PRESENCE_ASKED} people."}
        )
    return {str(k): v for k, v in presence.statuses(ids).items()}
