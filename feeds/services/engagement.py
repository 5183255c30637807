"""Reactions, reach, follows and mutes."""

from collections.abc import Iterable

from django.db import transaction

from feeds import events
from feeds.models import (
    Comment,
    Follow,
    Post,
    PostMute,
    PostView,
    Reaction,
    SpaceMember,
)
from feeds.selectors.access import (
    get_comment_for_user,
    get_post_for_user,
    readable_posts,
)
from feeds.selectors.reach import reach_of
from feeds.services.posts.log import record_news
from intranet.errors import ServiceError
from intranet.realtime import publish_on_commit, user_group
from intranet.validation import is_emoji
from profiles.models import User


def _check_emoji(emoji: str) -> str:
    emoji = emoji.strip()
    if not is_emoji(emoji):
        raise ServiceError("invalid", "A reaction is one emoji.")
    return emoji


def react(
    user: User, *, post_id: int, emoji: str, add: bool, comment_id: int | None = None
) -> None:
    """Add or take off `user`'s emoji on a post or one of its comments."""
    emoji = _check_emoji(emoji)
    if comment_id is not None:
        comment: Comment | None = get_comment_for_user(user, comment_id)
        post = comment.post  # type: ignore[union-attr]
        if comment.is_deleted:  # type: ignore[union-attr]
            raise ServiceError("deleted", "That comment was deleted.", status=409)
    else:
        comment = None
        post = get_post_for_user(user, post_id)
    if not SpaceMember.objects.filter(space_id=post.space_id, user=user).exists():
        raise ServiceError("not_member", "Join the space to react.", status=403)
    with transaction.atomic():
        # Locked, so the summary recorded below is the newest at its cursor.
        post = (
            Post.objects.select_for_update(no_key=True)
            .select_related("space")
            .get(pk=post.pk)
        )
        if post.is_deleted:
            raise ServiceError("deleted", "That post was deleted.", status=409)
        if add:
            Reaction.objects.get_or_create(
                post=post, comment=comment, user=user, emoji=emoji
            )
        else:
            Reaction.objects.filter(
                post=post, comment=comment, user=user, emoji=emoji
            ).delete()
        subject = f"comment.{comment.pk}" if comment else f"post.{post.pk}"
        record_news(post, events.reactions_changed(post, comment), subject=subject)
        if comment is None:
            _tell_reach(post)


def _tell_reach(post: Post) -> None:
    """Send a post's reach line to the people who may see it: its author
    and its space's leaders (live only: a page load reads it afresh)."""
    leaders = SpaceMember.objects.filter(
        space_id=post.space_id, role=SpaceMember.Role.LEADER
    )
    people = {post.author_id, *leaders.values_list("user_id", flat=True)}
    publish_on_commit(
        events.reach_updated(post.pk, reach_of(post)),
        groups=[user_group(pk) for pk in people],
    )


def mark_seen(user: User, *, post_ids: Iterable[int]) -> int:
    """Count `user` once in the reach of each post they had on screen
    (that they may read, and not their own); return how many were new."""
    posts = list(
        readable_posts(user)
        .filter(pk__in=set(post_ids), deleted_at__isnull=True)
        .exclude(author=user)
        .select_related("space")
    )
    if not posts:
        return 0
    already = set(
        PostView.objects.filter(user=user, post__in=posts).values_list(
            "post_id", flat=True
        )
    )
    new = [p for p in posts if p.pk not in already]
    with transaction.atomic():
        PostView.objects.bulk_create(
            [PostView(post=p, user=user) for p in new], ignore_conflicts=True
        )
        for post in new:
            _tell_reach(post)
    return len(new)


def follow(user: User, *, person_id: int, following: bool) -> None:
    """Follow someone (their posts in open spaces join your home feed), or
    stop."""
    if person_id == user.pk:
        raise ServiceError("self", "You see your own posts already.")
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise ServiceError("unknown_person", "No such person.", status=404)
    stream = events.author_stream(person.pk)
    if following:
        Follow.objects.get_or_create(follower=user, person=person)
    else:
        Follow.objects.filter(follower=user, person=person).delete()
    # The follower's open tabs take the person's new posts from now on
    # (or no more), without waiting for the recheck.
    publish_on_commit(
        events.person_followed(person.pk, following),
        groups=[user_group(user.pk)],
        follow=[stream] if following else [],
        unfollow=[] if following else [stream],
    )


def mute_post(user: User, *, post_id: int, muted: bool) -> None:
    """Hear no more of one post's comments, or again."""
    post = get_post_for_user(user, post_id)
    if muted:
        PostMute.objects.get_or_create(post=post, user=user)
    else:
        PostMute.objects.filter(post=post, user=user).delete()
