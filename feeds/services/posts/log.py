"""Shared by every write to a post or its comments: the row lock and the
catch-up log, which an edit or delete rewrites so no catch-up hands back
removed text."""

from typing import Any

from feeds import events
from feeds.models import Comment, Post, Space
from intranet.realtime import record, rewrite


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


def _forget_old_comment(comment: Comment) -> None:
    current = events.comment_data(comment)
    rewrite(
        f"comment.{comment.pk}",
        lambda e: (
            {**e, "comment": current} if isinstance(e.get("comment"), dict) else e
        ),
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
