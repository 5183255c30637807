"""Who is in a space and how you follow it: members and their roles,
join requests, mute, following it closely and the read marker.
"""

from ninja import Router, Status

from feeds import selectors, services
from feeds.api.schemas import (
    JoinRequestIn,
    JoinRequestOut,
    MarkerOut,
    MemberOut,
    MembersIn,
    ReadIn,
    RoleIn,
    _member_out,
    _request_out,
)
from feeds.models import SpaceMember
from intranet.api import ERRORS, require_scope
from intranet.errors import ServiceError
from intranet.validation import Id
from profiles.types import AuthedRequest

router = Router()


def _leaders_only(access: selectors.SpaceAccess) -> None:
    if not access.is_leader:
        raise ServiceError(
            "forbidden", "Only the space's leaders can do that.", status=403
        )


@router.get("/spaces/{space_id}/members", response={200: list[MemberOut], **ERRORS})
def list_members(request: AuthedRequest, space_id: Id):
    """A space's members by role; 404 where you may not read the space."""
    require_scope(request, "read")
    access = selectors.readable_space(request.user, space_id)
    return [_member_out(m) for m in selectors.space_members(access)]


@router.post("/spaces/{space_id}/members", response={200: list[MemberOut], **ERRORS})
def add_members(request: AuthedRequest, space_id: Id, data: MembersIn):
    """Add people; leaders only. Answers those who were not members yet."""
    require_scope(request, "write")
    added = services.add_members(request.user, space_id=space_id, user_ids=data.members)
    members = SpaceMember.objects.filter(
        space_id=space_id, user__in=added
    ).select_related("user")
    return [_member_out(m) for m in members]


@router.patch(
    "/spaces/{space_id}/members/{user_id}", response={200: MemberOut, **ERRORS}
)
def set_role(request: AuthedRequest, space_id: Id, user_id: Id, data: RoleIn):
    """Make a member a leader, moderator or member; leaders only, and a
    space keeps a leader (409)."""
    require_scope(request, "write")
    member = services.set_role(
        request.user, space_id=space_id, user_id=user_id, role=data.role
    )
    return _member_out(member)


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None, **ERRORS})
def remove_member(request: AuthedRequest, space_id: Id, user_id: Id):
    """Remove someone; leaders only (yourself: leave instead)."""
    require_scope(request, "write")
    services.remove_member(request.user, space_id=space_id, user_id=user_id)
    return Status(204, None)


@router.post(
    "/spaces/{space_id}/join-requests",
    response={200: JoinRequestOut, 201: JoinRequestOut, **ERRORS},
)
def request_to_join(request: AuthedRequest, space_id: Id, data: JoinRequestIn):
    """Ask to join a closed space, with a note for its leaders (201; asked
    already: 200 with the first request)."""
    require_scope(request, "write")
    access = selectors.find_space(request.user, space_id=space_id)
    asked = selectors.has_asked_to_join(request.user, access.space)
    join_request = services.request_to_join(
        request.user, space_id=space_id, message=data.message
    )
    return Status(200 if asked else 201, _request_out(join_request))


@router.get(
    "/spaces/{space_id}/join-requests", response={200: list[JoinRequestOut], **ERRORS}
)
def list_join_requests(request: AuthedRequest, space_id: Id):
    """Who asks to join, oldest first; leaders only."""
    require_scope(request, "read")
    access = selectors.find_space(request.user, space_id=space_id)
    _leaders_only(access)
    return [_request_out(r) for r in selectors.join_requests(access)]


@router.post(
    "/spaces/{space_id}/join-requests/{user_id}/approve",
    response={204: None, **ERRORS},
)
def approve_request(request: AuthedRequest, space_id: Id, user_id: Id):
    require_scope(request, "write")
    services.decide_request(
        request.user, space_id=space_id, user_id=user_id, approve=True
    )
    return Status(204, None)


@router.post(
    "/spaces/{space_id}/join-requests/{user_id}/decline",
    response={204: None, **ERRORS},
)
def decline_request(request: AuthedRequest, space_id: Id, user_id: Id):
    require_scope(request, "write")
    services.decide_request(
        request.user, space_id=space_id, user_id=user_id, approve=False
    )
    return Status(204, None)


@router.put("/spaces/{space_id}/mute", response={204: None, **ERRORS})
def mute_space(request: AuthedRequest, space_id: Id):
    """Keep reading a space without its unread mark."""
    require_scope(request, "write")
    services.mute_space(request.user, space_id=space_id, muted=True)
    return Status(204, None)


@router.delete("/spaces/{space_id}/mute", response={204: None, **ERRORS})
def unmute_space(request: AuthedRequest, space_id: Id):
    require_scope(request, "write")
    services.mute_space(request.user, space_id=space_id, muted=False)
    return Status(204, None)


@router.put("/spaces/{space_id}/closely", response={204: None, **ERRORS})
def follow_space_closely(request: AuthedRequest, space_id: Id):
    """Be notified of every new post in a space (this unmutes it)."""
    require_scope(request, "write")
    services.follow_closely(request.user, space_id=space_id, closely=True)
    return Status(204, None)


@router.delete("/spaces/{space_id}/closely", response={204: None, **ERRORS})
def stop_following_space_closely(request: AuthedRequest, space_id: Id):
    """Back to notifications for mentions and replies only."""
    require_scope(request, "write")
    services.follow_closely(request.user, space_id=space_id, closely=False)
    return Status(204, None)


@router.post("/spaces/{space_id}/read", response={200: MarkerOut, **ERRORS})
def mark_space_read(request: AuthedRequest, space_id: Id, data: ReadIn):
    """Mark the space read up to a post (never back); your tabs hear
    `space.read`."""
    require_scope(request, "write")
    marker = services.mark_space_read(
        request.user, space_id=space_id, post_id=data.post
    )
    return {"last_read_post_id": marker}
