"""Spaces: the directory, starting one, its settings, joining and leaving."""

from ninja import Query, Router, Status

from feeds import selectors, services
from feeds.api.schemas import (
    SpaceDetailOut,
    SpaceIn,
    SpacePage,
    SpacePatch,
    SpaceQuery,
    _space_detail,
    _space_out,
)
from feeds.models import Space
from intranet.api import ERRORS, require_scope
from intranet.ratelimit import take_token
from intranet.validation import Id
from profiles.types import AuthedRequest

router = Router()


@router.get("/spaces", response={200: SpacePage, **ERRORS})
def list_spaces(request: AuthedRequest, query: Query[SpaceQuery]):
    """Spaces you may find (open and closed ones, and your secret ones), by
    name. `q`: words in the name or description; `mine`: yours only."""
    require_scope(request, "read")
    after = None
    if query.after is not None:
        after = selectors.findable_spaces(request.user).filter(pk=query.after).first()
        if after is None:
            return Status(400, {"error": "after must be a space from a page."})
    spaces = selectors.space_directory(
        request.user,
        q=query.q,
        kind=query.kind,
        mine=query.mine,
        after=after,
        limit=query.limit,
    )
    items = [
        _space_out(
            s,
            role=s.my_role,  # type: ignore[attr-defined]
            members=s.member_count  # type: ignore[attr-defined]
            if s.my_role or s.visibility == Space.Visibility.OPEN  # type: ignore[attr-defined]
            else None,
        )
        for s in spaces
    ]
    return {
        "items": items,
        "next": spaces[-1].pk if len(spaces) == query.limit else None,
    }


@router.post("/spaces", response={201: SpaceDetailOut, **ERRORS})
def create_space(request: AuthedRequest, data: SpaceIn):
    """Start a community you lead. Team, onboarding and company-wide spaces
    are the company's own: staff only."""
    require_scope(request, "write")
    if data.kind != Space.Kind.COMMUNITY and not request.user.is_staff:
        return Status(403, {"error": "People start communities; ask staff for others."})
    if data.kind == Space.Kind.COMPANY:
        if data.visibility != Space.Visibility.OPEN:
            return Status(400, {"error": "The company-wide space is open to everyone."})
        if services.company_space() is not None:
            return Status(409, {"error": "There is a company-wide space already."})
    # Each space is a chat and a row in everyone's directory.
    take_token("space", request.user.pk, burst=10, per_minute=5)
    space = services.create_space(
        request.user,
        name=data.name,
        kind=data.kind,
        visibility=data.visibility,
        description=data.description,
        who_may_post=data.who_may_post,
    )
    if data.who_may_mention_all != space.who_may_mention_all:
        space = services.update_space(
            request.user,
            space_id=space.pk,
            who_may_mention_all=data.who_may_mention_all,
        )
    access = selectors.find_space(request.user, space_id=space.pk)
    return Status(201, _space_detail(access, request.user))


@router.get("/spaces/{space_id}", response={200: SpaceDetailOut, **ERRORS})
def get_space(request: AuthedRequest, space_id: Id):
    require_scope(request, "read")
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.patch("/spaces/{space_id}", response={200: SpaceDetailOut, **ERRORS})
def update_space(request: AuthedRequest, space_id: Id, data: SpacePatch):
    """Change a space's settings; its leaders only. Fields left out stay."""
    require_scope(request, "write")
    services.update_space(
        request.user,
        space_id=space_id,
        name=data.name,
        description=data.description,
        visibility=data.visibility,
        who_may_post=data.who_may_post,
        who_may_mention_all=data.who_may_mention_all,
    )
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.post("/spaces/{space_id}/join", response={200: SpaceDetailOut, **ERRORS})
def join_space(request: AuthedRequest, space_id: Id):
    """Join an open space (a member already: no change). A closed space
    answers 403: ask to join instead."""
    require_scope(request, "write")
    services.join_space(request.user, space_id=space_id)
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.post("/spaces/{space_id}/leave", response={204: None, **ERRORS})
def leave_space(request: AuthedRequest, space_id: Id):
    """Leave a space and its chat; team and company-wide spaces follow the
    directory (409), and the only leader stays (409)."""
    require_scope(request, "write")
    services.leave_space(request.user, space_id=space_id)
    return Status(204, None)
