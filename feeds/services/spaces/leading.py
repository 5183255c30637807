"""What a space's leaders decide: requests to join, who is in, and roles."""

from collections.abc import Iterable

from django.db import transaction

from feeds import events
from feeds.models import JoinRequest, Space, SpaceMember
from feeds.selectors.access import SpaceAccess, find_space
from feeds.services.spaces.membership import Role, _add, _record, _remove, lock_space
from intranet.errors import ServiceError
from intranet.notifications import notify
from profiles.models import User


def decide_request(leader: User, *, space_id: int, user_id: int, approve: bool) -> None:
    """Approve or decline someone's request to join; leaders only."""
    access = _led(leader, space_id)
    request = JoinRequest.objects.filter(space=access.space, user_id=user_id).first()
    if request is None:
        raise ServiceError(
            "no_request", "That person has not asked to join.", status=404
        )
    with transaction.atomic():
        space = lock_space(space_id)
        if approve:
            _add(space, [request.user])
        request.delete()
        notify(
            [user_id],
            kind="join_decided",
            text=f"You are now a member of {space.name}"
            if approve
            else f"Your request to join {space.name} was declined",
            url=space.get_absolute_url() if approve else "",
            actor=leader,
        )


def _led(user: User, space_id: int) -> SpaceAccess:
    access = find_space(user, space_id=space_id)
    if not access.is_leader:
        raise ServiceError(
            "forbidden", "Only the space's leaders can do that.", status=403
        )
    return access


def add_members(leader: User, *, space_id: int, user_ids: Iterable[int]) -> list[User]:
    """Add people to a space; leaders only."""
    _led(leader, space_id)
    people = list(User.objects.filter(pk__in=set(user_ids), is_active=True))
    if len(people) != len(set(user_ids)):
        raise ServiceError("unknown_person", "Some of those people do not exist.")
    with transaction.atomic():
        return _add(lock_space(space_id), people)


def remove_member(leader: User, *, space_id: int, user_id: int) -> None:
    """Remove someone from a space; leaders only, and not from a space the
    directory keeps."""
    access = _led(leader, space_id)
    if access.space.kind in (Space.Kind.TEAM, Space.Kind.COMPANY):
        raise ServiceError(
            "managed", "The directory decides who is in this space.", status=409
        )
    if user_id == leader.pk:
        raise ServiceError("self", "Leave the space instead.", status=409)
    with transaction.atomic():
        space = lock_space(space_id)
        if not SpaceMember.objects.filter(space=space, user_id=user_id).exists():
            raise ServiceError("not_member", "That person is not a member.", status=404)
        _remove(space, [user_id])


def set_role(leader: User, *, space_id: int, user_id: int, role: str) -> SpaceMember:
    """Make a member a leader, moderator or member; leaders only, and the
    space keeps a leader."""
    access = _led(leader, space_id)
    if role not in Role.values:
        raise ServiceError("invalid", "A role is leader, moderator or member.")
    with transaction.atomic():
        space = lock_space(space_id)
        member = (
            SpaceMember.objects.filter(space=space, user_id=user_id)
            .select_related("user")
            .first()
        )
        if member is None:
            raise ServiceError("not_member", "That person is not a member.", status=404)
        if (
            member.role == Role.LEADER
            and role != Role.LEADER
            and not (
                SpaceMember.objects.filter(space=space, role=Role.LEADER)
                .exclude(pk=member.pk)
                .exists()
            )
        ):
            raise ServiceError(
                "last_leader", "A space needs at least one leader.", status=409
            )
        if member.role != role:
            member.role = role
            member.save(update_fields=["role"])
            _record(
                space,
                {
                    "type": "space.member_updated",
                    "space": space.pk,
                    "member": events.member_data(member),
                },
            )
    del access
    return member
