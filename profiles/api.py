from datetime import date

from ninja import Router, Schema

from intranet.api import Error, require_scope

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
