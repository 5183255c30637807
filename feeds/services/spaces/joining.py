"""Join or leave a space, or ask to join a closed one."""

from django.db import IntegrityError, transaction

from feeds.models import JoinRequest, Space, SpaceMember
from feeds.selectors.access import find_space
from feeds.services.spaces.membership import Role, _add, _remove, lock_space
from intranet.errors import ServiceError
from intranet.notifications import notify
from profiles.models import User


def join_space(user: User, *, space_id: int) -> SpaceMember:
    """Join an open space (again: no change)."""
    access = find_space(user, space_id=space_id)
    if access.member is not None:
        return access.member
    if access.space.visibility != Space.Visibility.OPEN:
        raise ServiceError(
            "closed",
            "This space is closed: ask to join, and a leader decides.",
            status=403,
        )
    with transaction.atomic():
        space = lock_space(space_id)
        _add(space, [user])
    return SpaceMember.objects.get(space_id=space_id, user=user)


def leave_space(user: User, *, space_id: int) -> None:
    """Leave a space and its chat. Team and company-wide spaces follow the
    directory, and a space keeps at least one leader."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        return
    space = access.space
    if space.kind in (Space.Kind.TEAM, Space.Kind.COMPANY):
        raise ServiceError(
            "managed",
            "You belong to this space through the directory: it cannot be left.",
            status=409,
        )
    with transaction.atomic():
        lock_space(space.pk)
        if (
            access.is_leader
            and not SpaceMember.objects.filter(space=space, role=Role.LEADER)
            .exclude(user=user)
            .exists()
        ):
            raise ServiceError(
                "last_leader",
                "You are this space's only leader: make someone else a leader first.",
                status=409,
            )
        _remove(space, [user.pk])


def request_to_join(user: User, *, space_id: int, message: str = "") -> JoinRequest:
    """Ask to join a closed space; its leaders are told."""
    access = find_space(user, space_id=space_id)
    if access.member is not None:
        raise ServiceError("member", "You are already a member.", status=409)
    if access.space.visibility == Space.Visibility.OPEN:
        raise ServiceError("open", "This space is open: join it directly.", status=409)
    message = message.strip()
    if len(message) > 500:
        raise ServiceError(
            "too_long", "A request's note can be at most 500 characters."
        )
    try:
        with transaction.atomic():
            request, created = JoinRequest.objects.get_or_create(
                space=access.space, user=user, defaults={"message": message}
            )
            if created:
                leaders = SpaceMember.objects.filter(
                    space=access.space, role=Role.LEADER
                )
                notify(
                    leaders.values_list("user_id", flat=True),
                    kind="join_request",
                    text=f"{user.display_name} asked to join {access.space.name}",
                    url=access.space.get_absolute_url(),
                    actor=user,
                )
    except IntegrityError:  # asked twice at once
        return JoinRequest.objects.get(space=access.space, user=user)
    return request
