"""Shared by every write to a space: its row lock, its catch-up log, and
adding and removing members (with the space's chat, telling their tabs)."""

from collections.abc import Iterable

from feeds import events
from feeds.models import JoinRequest, Space, SpaceMember
from intranet.realtime import publish_on_commit, record, user_group
from messaging import services as chat
from profiles.models import User

Role = SpaceMember.Role


def _record(space: Space, payload: dict, *, subject: str = "") -> dict:
    return record(events.space_stream(space.pk), payload, subject=subject)


def lock_space(space_id: int) -> Space:
    """Take the space's row lock (inside transaction.atomic()): changes to
    its members and settings commit one after another, so the chat's
    members and the events describe the same picture."""
    return Space.objects.select_for_update(no_key=True).get(pk=space_id)


def _add(space: Space, people: Iterable[User], role: str = Role.MEMBER) -> list[User]:
    """Add people (not yet members) to a locked space and its chat."""
    current = set(
        SpaceMember.objects.filter(space=space).values_list("user_id", flat=True)
    )
    joining = [
        p
        for p in {p.pk: p for p in people}.values()
        if p.pk not in current and p.is_active
    ]
    if not joining:
        return []
    SpaceMember.objects.bulk_create(
        SpaceMember(space=space, user=p, role=role) for p in joining
    )
    JoinRequest.objects.filter(space=space, user__in=joining).delete()
    if space.chat_id:
        chat.set_space_chat_members(space.chat_id, add=[p.pk for p in joining])
    stream = events.space_stream(space.pk)
    for person in joining:
        publish_on_commit(
            events.space_joined(space, role),
            groups=[user_group(person.pk)],
            follow=[stream],
        )
    return joining


def _remove(space: Space, user_ids: Iterable[int]) -> None:
    ids = set(user_ids)
    SpaceMember.objects.filter(space=space, user_id__in=ids).delete()
    if space.chat_id:
        chat.set_space_chat_members(space.chat_id, remove=ids)
    stream = events.space_stream(space.pk)
    for user_id in ids:
        publish_on_commit(
            events.space_left(space.pk), groups=[user_group(user_id)], unfollow=[stream]
        )
