"""How a member reads a space: muted, followed closely, and how far read."""

from feeds.models import Post, SpaceMember
from feeds.selectors.access import find_space
from intranet.errors import ServiceError
from intranet.realtime import publish_on_commit, user_group
from profiles.models import User


def mute_space(user: User, *, space_id: int, muted: bool) -> None:
    """Keep reading a space without its unread mark (and without a
    notification for each post), or hear of it again."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    changes = {"muted": muted, **({"every_post": False} if muted else {})}
    SpaceMember.objects.filter(pk=access.member.pk).update(**changes)


def follow_closely(user: User, *, space_id: int, closely: bool) -> None:
    """Be notified of every new post in a space (which unmutes it), or
    only of mentions and replies again."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    changes = {"every_post": closely, **({"muted": False} if closely else {})}
    SpaceMember.objects.filter(pk=access.member.pk).update(**changes)


def mark_space_read(user: User, *, space_id: int, post_id: int) -> int:
    """Move `user`'s read marker in a space up to its newest post at or
    below `post_id` (never back); return the marker. A number past the
    newest post must not mark posts yet to come as read."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    newest = (
        Post.objects.filter(space_id=space_id, pk__lte=post_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if newest is None:
        raise ServiceError("no_post", "No such post in this space.", status=404)
    updated = SpaceMember.objects.filter(
        pk=access.member.pk, last_read_post_id__lt=newest
    ).update(last_read_post_id=newest)
    if updated:
        publish_on_commit(
            {"type": "space.read", "space": space_id, "last_read_post_id": newest},
            groups=[user_group(user.pk)],
        )
    return max(newest, access.member.last_read_post_id)
