"""Write, edit and delete a post."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from feeds import events
from feeds.models import Post, Space, SpaceMember
from feeds.selectors.access import (
    SpaceAccess,
    get_post_for_user,
    readable_space,
    space_access,
)
from feeds.services.attachments import attach_to_post, delete_post_files
from feeds.services.posts.log import _forget_old_text, _lock_post, _record_post
from feeds.services.posts.notifications import (
    _notify_close_followers,
    _notify_mentions,
)
from feeds.services.posts.text import _clean, _render
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.ratelimit import take_token
from profiles.models import User


def create_post(
    author: User,
    *,
    space_id: int,
    body: str,
    client_id: str,
    announcement: bool = False,
    attachment_ids: list[int] | None = None,
) -> tuple[Post, bool]:
    """Post in a space, with the author's uploads `attachment_ids` to it;
    return the post and whether it is new (a retried client_id returns the
    stored one)."""
    access = readable_space(author, space_id)
    existing = (
        Post.objects.filter(author=author, client_id=client_id)
        .select_related("space", "author")
        .first()
    )
    if existing is not None:
        return existing, False
    if not access.can_post:
        if access.member is None:
            raise ServiceError(
                "not_member", "Join the space to post in it.", status=403
            )
        raise ServiceError(
            "forbidden",
            "Only this space's leaders and moderators can post here.",
            status=403,
        )
    if announcement and not access.can_moderate:
        raise ServiceError(
            "forbidden",
            "Only leaders and moderators can post announcements.",
            status=403,
        )
    body = _clean(body, limit=events.MAX_POST_LENGTH, what="post")
    take_token("post", author.pk, burst=10, per_minute=20)
    html, mentioned, everyone = _render(body, access)
    try:
        with transaction.atomic():
            post = Post.objects.create(
                space=access.space,
                author=author,
                client_id=client_id,
                body=body,
                body_html=html,
                mentions_space=everyone,
                is_announcement=announcement,
            )
            post.mentions.set(mentioned)
            attachments = attach_to_post(author, post, attachment_ids or [])
            Space.objects.filter(pk=access.space.pk).update(
                last_post_at=post.created_at
            )
            SpaceMember.objects.filter(
                space=access.space, user=author, last_read_post_id__lt=post.pk
            ).update(last_read_post_id=post.pk)
            _record_post(post, events.post_new(post, attachments=attachments))
            _notify_mentions(post, post, mentioned, author)
            _notify_close_followers(post, author, skip=mentioned)
    except IntegrityError:  # the same client_id twice at once: one row won
        return Post.objects.select_related("space", "author").get(
            author=author, client_id=client_id
        ), False
    return post, True


def _own_or_moderated(user: User, post: Post) -> SpaceAccess:
    access = space_access(user, post.space)
    if post.author_id != user.pk and not access.can_moderate:
        raise ServiceError(
            "forbidden", "Only its author can change this post.", status=403
        )
    return access


def edit_post(user: User, *, post_id: int, body: str) -> Post:
    """Change a post's text; its author only."""
    post = get_post_for_user(user, post_id)
    if post.author_id != user.pk:
        raise ServiceError("forbidden", "Only its author can edit a post.", status=403)
    body = _clean(body, limit=events.MAX_POST_LENGTH, what="post")
    access = space_access(user, post.space)
    html, mentioned, everyone = _render(body, access)
    with transaction.atomic():
        post = _lock_post(post.pk)
        if post.is_deleted:
            raise ServiceError("deleted", "That post was deleted.", status=409)
        if post.body == body:
            return post
        post.body, post.body_html, post.mentions_space = body, html, everyone
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "body_html", "mentions_space", "edited_at"])
        post.mentions.set(mentioned)
        _forget_old_text(post)
        _record_post(post, events.post_updated(post))
    return post


def delete_post(user: User, *, post_id: int, reason: str = "") -> Post:
    """Delete a post: its author, or a leader or moderator (who gives a
    reason, recorded and told to the author)."""
    post = get_post_for_user(user, post_id)
    access = _own_or_moderated(user, post)
    moderated = post.author_id != user.pk
    reason = reason.strip()
    if moderated and not reason:
        raise ServiceError("reason", "Say why you remove someone else's post.")
    if len(reason) > events.MAX_REASON_LENGTH:
        raise ServiceError(
            "too_long",
            f"A reason can be at most {events.MAX_REASON_LENGTH} characters.",
        )
    with transaction.atomic():
        post = _lock_post(post.pk)
        if post.is_deleted:
            return post
        post.deleted_at = timezone.now()
        post.pinned_at = None
        fields = ["deleted_at", "pinned_at"]
        if moderated:
            post.removed_by, post.removed_reason = user, reason
            fields += ["removed_by", "removed_reason"]
        post.save(update_fields=fields)
        # No path serves a deleted post's files: they go with it.
        delete_post_files(post)
        _forget_old_text(post)
        _record_post(post, events.post_updated(post))
        if moderated:
            notify(
                [post.author_id],
                kind="removed",
                text=f"A moderator removed your post in {post.space.name}: {reason}",
                url=post.space.get_absolute_url(),
            )
    del access
    return post
