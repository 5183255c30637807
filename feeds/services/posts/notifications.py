"""Whom a post or comment tells: the people it mentions, the members
following the space closely, and the authors it replies to."""

from feeds.models import Comment, Post, PostMute, SpaceMember
from intranet.notifications import notify
from profiles.models import User


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
