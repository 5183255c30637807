from datetime import date, datetime

from ninja import Query, Router, Schema, Status

from intranet.api import Error, Invalid, require_scope
from intranet.validation import Id, InvalidInput, Text, parse_id_list
from profiles import presence
from profiles.selectors import get_profile, people_matching

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


class PersonOut(Schema):
    id: int
    display_name: str
    initials: str
    title: str
    department: str | None

    @staticmethod
    def resolve_department(person) -> str | None:
        return person.department.name if person.department else None


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


@router.get(
    "/people/{person_id}",
    response={200: ProfileOut, 401: Error, 403: Error, 404: Error, 422: Invalid},
)
def get_person(request, person_id: Id):
    """An active person's profile: who they are, where and when they are,
    whom they report to and who reports to them. 404 for anyone unknown or
    deactivated."""
    require_scope(request, "read")
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
    }


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
