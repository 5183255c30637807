"""Posts and comments: write, edit, delete, pin, announce, moderate.

Each change is stored with its event in the space's catch-up log in one
transaction (durable before live). An edit or delete rewrites the stored
events about the post or comment, so no catch-up hands back removed text.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from feeds import events
from feeds.models import Comment, Post, PostMute, Space, SpaceMember
from feeds.selectors.access import (
    SpaceAccess,
    get_comment_for_user,
    get_post_for_user,
    readable_space,
    space_access,
)
from feeds.services.attachments import attach_to_post, delete_post_files
from intranet.errors import ServiceError
from intranet.markdown import mentioned_names, render
from intranet.notifications import notify
from intranet.ratelimit import take_token
from intranet.realtime import record, rewrite
from profiles.models import User

# @**all** mentions everyone in the space, if the author may.
EVERYONE = "all"


def _clean(body: str, *, limit: int, what: str) -> str:
    body = body.strip()
    if not body:
        raise ServiceError("empty", f"A {what} cannot be empty.")
    if len(body) > limit:
        raise ServiceError(
            "too_long",
            f"A {what} can be at most {limit:,} characters "
            f"(this one has {len(body):,}).",
        )
    return body


def _render(body: str, access: SpaceAccess) -> tuple[str, set[int], bool]:
    """Render `body`; return its HTML, the people it @mentions (who may
    read the space) and whether it mentions the whole space."""
    names = mentioned_names(body)
    people: dict[str, tuple[int, str]] = {}
    if names:
        candidates = User.objects.filter(is_active=True)
        if access.space.visibility != Space.Visibility.OPEN:
            candidates = candidates.filter(space_memberships__space=access.space)
        found = candidates.annotate(
            full=Lower(Concat("first_name", Value(" "), "last_name"))
        ).filter(full__in=names)
        people = {p.display_name.lower(): (p.pk, p.display_name) for p in found}
        if EVERYONE in names and access.can_mention_all:
            people[EVERYONE] = (0, EVERYONE)
    html, mentioned = render(body, people=people)
    return html, {pk for pk in mentioned if pk}, 0 in mentioned


def _url_of(item: Post | Comment, post: Post) -> str:
    url = post.get_absolute_url()
    return f"{url}#comment-{item.pk}" if isinstance(item, Comment) else url


def _notify_mentions(
    item: Post | Comment, post: Post, mentioned: set[int], author: User
) -> None:
    where = "a comment in " if isinstance(item, Comment) else ""
    notify(
        mentioned,
        kind="mention",
        text=f"{author.display_name} mentioned you in {where}{post.space.name}",
        url=_url_of(item, post),
        actor=author,
    )


def _notify_close_followers(post: Post, author: User, *, skip: set[int]) -> None:
    """Tell the members following the space closely (a mention told the
    mentioned already)."""
    followers = SpaceMember.objects.filter(
        space_id=post.space_id, every_post=True, muted=False
    ).exclude(user_id__in=skip)
    notify(
        followers.values_list("user_id", flat=True),
        kind="post",
        text=f"{author.display_name} posted in {post.space.name}",
        url=post.get_absolute_url(),
        actor=author,
    )


def _notify_reply(
    comment: Comment, post: Post, parent: Comment | None, author: User, skip: set[int]
) -> None:
    """Tell a comment's author of a reply, and the post's author of a
    comment, unless they muted the post's comments or were mentioned."""
    skip = skip | set(
        PostMute.objects.filter(post=post).values_list("user_id", flat=True)
    )
    where = post.space.name
    if parent is not None and parent.author_id not in skip:
        notify(
            [parent.author_id],
            kind="reply",
            text=f"{author.display_name} replied to your comment in {where}",
            url=_url_of(comment, post),
            actor=author,
        )
        skip.add(parent.author_id)
    if post.author_id not in skip:
        notify(
            [post.author_id],
            kind="comment",
            text=f"{author.display_name} commented on your post in {where}",
            url=_url_of(comment, post),
            actor=author,
        )


def _lock_post(post_id: int) -> Post:
    return (
        Post.objects.select_for_update(no_key=True)
        .select_related("space", "author")
        .get(pk=post_id)
    )


def _forget_old_text(post: Post) -> None:
    current = events.post_data(post)
    rewrite(
        f"post.{post.pk}",
        lambda e: {**e, "post": current} if isinstance(e.get("post"), dict) else e,
    )


def record_news(post: Post, payload: dict[str, Any], *, subject: str) -> dict[str, Any]:
    """Log news of a post (or of its comments and reactions) in its space,
    and where anyone may read the space in its author's stream too: their
    followers' home feeds show the post. Not for the company-wide space:
    everyone is in it, so its stream reaches every follower already."""
    space = post.space
    if space.visibility == Space.Visibility.OPEN and space.kind != Space.Kind.COMPANY:
        record(events.author_stream(post.author_id), payload, subject=subject)
    return record(events.space_stream(post.space_id), payload, subject=subject)


def _record_post(post: Post, payload: dict[str, Any]) -> dict[str, Any]:
    return record_news(post, payload, subject=f"post.{post.pk}")


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
        from feeds.services.spaces import lock_space

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


# Comments ----------------------------------------------------------------


def _forget_old_comment(comment: Comment) -> None:
    current = events.comment_data(comment)
    rewrite(
        f"comment.{comment.pk}",
        lambda e: (
            {**e, "comment": current} if isinstance(e.get("comment"), dict) else e
        ),
    )


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
