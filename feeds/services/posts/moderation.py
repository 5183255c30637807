"""Leaders and moderators pin a post or mark it an announcement."""

from django.db import transaction
from django.utils import timezone

from feeds import events
from feeds.models import Post
from feeds.selectors.access import get_post_for_user, space_access
from feeds.services.posts.log import _lock_post, _record_post
from intranet.errors import ServiceError
from profiles.models import User


def pin_post(user: User, *, post_id: int, pinned: bool) -> Post:
    """Pin a post to the top of its space (at most MAX_PINNED), or unpin
    it; leaders and moderators only."""
    post = get_post_for_user(user, post_id)
    access = space_access(user, post.space)
    if not access.can_moderate:
        raise ServiceError(
            "forbidden", "Only leaders and moderators can pin posts.", status=403
        )
    with transaction.atomic():
        from feeds.services.spaces.membership import lock_space

        lock_space(post.space_id)  # two pins at once must not pass the limit
        post = _lock_post(post.pk)
        if post.is_deleted:
            raise ServiceError("deleted", "That post was deleted.", status=409)
        if (post.pinned_at is not None) == pinned:
            return post
        if pinned:
            count = Post.objects.filter(
                space=post.space, pinned_at__isnull=False, deleted_at__isnull=True
            ).count()
            if count >= events.MAX_PINNED:
                raise ServiceError(
                    "too_many",
                    f"A space can pin at most {events.MAX_PINNED} posts: "
                    "unpin one first.",
                    status=409,
                )
        post.pinned_at = timezone.now() if pinned else None
        post.save(update_fields=["pinned_at"])
        _record_post(post, events.post_updated(post))
    return post


def set_announcement(user: User, *, post_id: int, announcement: bool) -> Post:
    post = get_post_for_user(user, post_id)
    if not space_access(user, post.space).can_moderate:
        raise ServiceError(
            "forbidden",
            "Only leaders and moderators can mark announcements.",
            status=403,
        )
    with transaction.atomic():
        post = _lock_post(post.pk)
        if post.is_deleted or post.is_announcement == announcement:
            return post
        post.is_announcement = announcement
        post.save(update_fields=["is_announcement"])
        _record_post(post, events.post_updated(post))
    return post
