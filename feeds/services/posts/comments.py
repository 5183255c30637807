"""Comment on a post, reply to a comment, edit and delete comments."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from feeds import events
from feeds.models import Comment, Post
from feeds.selectors.access import (
    get_comment_for_user,
    get_post_for_user,
    space_access,
)
from feeds.services.posts.log import _forget_old_comment, _lock_post, record_news
from feeds.services.posts.notifications import _notify_mentions, _notify_reply
from feeds.services.posts.text import _clean, _render
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.ratelimit import take_token
from profiles.models import User


def add_comment(
    author: User, *, post_id: int, body: str, parent_id: int | None = None
) -> Comment:
    """Comment on a post, or reply to one of its comments (replies to a
    reply join its parent: one level)."""
    post = get_post_for_user(author, post_id)
    access = space_access(author, post.space)
    if access.member is None:
        raise ServiceError("not_member", "Join the space to comment.", status=403)
    body = _clean(body, limit=events.MAX_COMMENT_LENGTH, what="comment")
    take_token("comment", author.pk, burst=20, per_minute=40)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(
            pk=parent_id, post=post, deleted_at__isnull=True
        ).first()
        if parent is None:
            raise ServiceError(
                "no_parent", "That comment is not on this post.", status=404
            )
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    html, mentioned, _ = _render(body, access)
    with transaction.atomic():
        locked = _lock_post(post.pk)
        if locked.is_deleted:
            raise ServiceError("deleted", "That post was deleted.", status=409)
        comment = Comment.objects.create(
            post=locked, parent=parent, author=author, body=body, body_html=html
        )
        comment.mentions.set(mentioned)
        Post.objects.filter(pk=locked.pk).update(comment_count=F("comment_count") + 1)
        record_news(
            locked,
            events.comment_new(comment, comment_count=locked.comment_count + 1),
            subject=f"comment.{comment.pk}",
        )
        _notify_mentions(comment, locked, mentioned, author)
        _notify_reply(comment, locked, parent, author, skip=mentioned)
    return comment


def edit_comment(user: User, *, comment_id: int, body: str) -> Comment:
    comment = get_comment_for_user(user, comment_id)
    if comment.author_id != user.pk:
        raise ServiceError(
            "forbidden", "Only its author can edit a comment.", status=403
        )
    if comment.is_deleted:
        raise ServiceError("deleted", "That comment was deleted.", status=409)
    body = _clean(body, limit=events.MAX_COMMENT_LENGTH, what="comment")
    html, mentioned, _ = _render(body, space_access(user, comment.post.space))
    with transaction.atomic():
        post = _lock_post(comment.post_id)
        comment.body, comment.body_html, comment.edited_at = body, html, timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        comment.mentions.set(mentioned)
        _forget_old_comment(comment)
        record_news(
            post,
            events.comment_updated(comment, comment_count=post.comment_count),
            subject=f"comment.{comment.pk}",
        )
    return comment


def delete_comment(user: User, *, comment_id: int, reason: str = "") -> Comment:
    """Delete a comment: its author, or a moderator with a reason."""
    comment = get_comment_for_user(user, comment_id)
    access = space_access(user, comment.post.space)
    moderated = comment.author_id != user.pk
    if moderated and not access.can_moderate:
        raise ServiceError(
            "forbidden", "Only its author can delete a comment.", status=403
        )
    reason = reason.strip()
    if moderated and not reason:
        raise ServiceError("reason", "Say why you remove someone else's comment.")
    with transaction.atomic():
        post = _lock_post(comment.post_id)
        comment = Comment.objects.select_related("author", "post").get(pk=comment.pk)
        if comment.is_deleted:
            return comment
        comment.deleted_at = timezone.now()
        fields = ["deleted_at"]
        if moderated:
            comment.removed_by, comment.removed_reason = (
                user,
                reason[: events.MAX_REASON_LENGTH],
            )
            fields += ["removed_by", "removed_reason"]
        comment.save(update_fields=fields)
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") - 1)
        _forget_old_comment(comment)
        record_news(
            post,
            events.comment_updated(comment, comment_count=post.comment_count - 1),
            subject=f"comment.{comment.pk}",
        )
        if moderated:
            notify(
                [comment.author_id],
                kind="removed",
                text=f"A moderator removed your comment in {post.space.name}: "
                f"{comment.removed_reason}",
                url=post.get_absolute_url(),
            )
    return comment
