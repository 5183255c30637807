"""Event and data shapes for spaces and their feeds (docs/realtime.md).

Builders return plain dicts, the same for REST and the socket; every one
stored in a space's catch-up log also carries a `cursor`. Inbound schemas
validate what a client sends, once for REST and the socket alike.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from feeds.models import Comment, Post, Space, SpaceMember
from intranet.events import MAX_CLIENT_ID_LENGTH
from intranet.validation import Id, Text
from messaging.events import attachment_data
from messaging.services import MAX_ATTACHMENTS_PER_MESSAGE
from profiles import roles

MAX_POST_LENGTH = 20_000
MAX_COMMENT_LENGTH = 5_000
MAX_REASON_LENGTH = 500
MAX_PINNED = 3
# As many files as a message may carry.
MAX_ATTACHMENTS_PER_POST = MAX_ATTACHMENTS_PER_MESSAGE


SPACE_STREAMS = "space."


def space_stream(space_id: int) -> str:
    return f"{SPACE_STREAMS}{space_id}"


AUTHOR_STREAMS = "author."


# Every must-read's acknowledgement count, for HR's sockets: HR's one
# stream (profiles.realtime) instead of a copy to every HR person's own.
ACKNOWLEDGEMENTS_STREAM = roles.HR_STREAM


def author_stream(user_id: int) -> str:
    """A person's posts in open spaces, for the people who follow them
    (their home feed takes those posts from spaces they are not in)."""
    return f"{AUTHOR_STREAMS}{user_id}"


def person(user) -> dict[str, Any]:
    return {
        "id": user.pk,
        "name": user.display_name,
        "initials": user.initials,
        # A source HR vouches for: a badge, and kept by the Trusted view.
        "verified": user.is_verified,
        # Their team, for the Trusted view's rule (feeds.selectors.feeds.TrustRule).
        "department": user.department_id,
    }


def space_data(space: Space) -> dict[str, Any]:
    return {
        "id": space.pk,
        "slug": space.slug,
        "name": space.name,
        "description": space.description,
        "kind": space.kind,
        "visibility": space.visibility,
        "who_may_post": space.who_may_post,
        "who_may_mention_all": space.who_may_mention_all,
        "chat": space.chat_id,
        "url": space.get_absolute_url(),
    }


def reaction_summary(reactions) -> list[dict[str, Any]]:
    """[{emoji, users}] in the order each emoji was first used."""
    counts: dict[str, list[int]] = {}
    for reaction in sorted(reactions, key=lambda r: r.pk):
        counts.setdefault(reaction.emoji, []).append(reaction.user_id)
    return [{"emoji": emoji, "users": users} for emoji, users in counts.items()]


def _removal(item: Post | Comment) -> dict[str, Any] | None:
    if item.removed_by_id is None:
        return None
    return {"reason": item.removed_reason}


def comment_data(comment: Comment, *, reactions: list | None = None) -> dict[str, Any]:
    """A comment's public shape; a deleted or removed one keeps no text."""
    gone = comment.is_deleted
    return {
        "id": comment.pk,
        "post": comment.post_id,
        "parent": comment.parent_id,
        "author": person(comment.author),
        "body": "" if gone else comment.body,
        "html": "" if gone else comment.body_html,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "deleted": gone,
        "removed": _removal(comment),
        "reactions": []
        if gone
        else reaction_summary(
            reactions if reactions is not None else comment.reactions.all()
        ),
    }


def post_data(
    post: Post, *, reactions: list | None = None, attachments: list | None = None
) -> dict[str, Any]:
    """A post's public shape. Call with `author` and `space` selected and
    the post's own reactions and attachments given or prefetched
    (feeds.selectors)."""
    gone = post.is_deleted
    if reactions is None:
        reactions = [r for r in post.reactions.all() if r.comment_id is None]
    if gone:
        attachments = []
    elif attachments is None:
        attachments = list(post.attachments.all())
    return {
        "id": post.pk,
        "space": {
            "id": post.space_id,
            "name": post.space.name,
            "slug": post.space.slug,
        },
        "author": person(post.author),
        "client_id": post.client_id,
        "body": "" if gone else post.body,
        "html": "" if gone else post.body_html,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "deleted": gone,
        "removed": _removal(post),
        "announcement": post.is_announcement,
        "must_read": post.must_read,
        "targeted": post.targeted,
        "pinned": post.pinned_at is not None,
        "comment_count": post.comment_count,
        "reactions": [] if gone else reaction_summary(reactions),
        "attachments": [attachment_data(a) for a in attachments],
        "url": post.get_absolute_url(),
    }


def post_new(post: Post, *, attachments: list) -> dict[str, Any]:
    return {
        "type": "post.new",
        "post": post_data(post, reactions=[], attachments=attachments),
    }


def post_updated(post: Post) -> dict[str, Any]:
    """An edit, a delete, a removal, a pin or an announcement mark."""
    return {"type": "post.updated", "post": post_data(post)}


def comment_new(comment: Comment, *, comment_count: int) -> dict[str, Any]:
    return {
        "type": "comment.new",
        "comment": comment_data(comment, reactions=[]),
        "comment_count": comment_count,
    }


def comment_updated(comment: Comment, *, comment_count: int) -> dict[str, Any]:
    """An edit, a delete or a removal, with the post's count after it (a
    delete lowers it)."""
    return {
        "type": "comment.updated",
        "comment": comment_data(comment),
        "comment_count": comment_count,
    }


def reactions_changed(post: Post, comment: Comment | None) -> dict[str, Any]:
    target = comment if comment is not None else post
    reactions = (
        target.reactions.all()
        if comment is not None
        else post.reactions.filter(comment__isnull=True)
    )
    return {
        "type": "feed.reactions",
        "space": post.space_id,
        "post": post.pk,
        "comment": comment.pk if comment is not None else None,
        "reactions": reaction_summary(reactions),
    }


def space_updated(space: Space) -> dict[str, Any]:
    return {"type": "space.updated", "space": space_data(space)}


def space_joined(space: Space, role: str) -> dict[str, Any]:
    return {"type": "space.joined", "space": space_data(space), "role": role}


def space_left(space_id: int) -> dict[str, Any]:
    return {"type": "space.left", "space": space_id}


def person_followed(person_id: int, following: bool) -> dict[str, Any]:
    return {"type": "person.followed", "person": person_id, "following": following}


def member_data(member: SpaceMember) -> dict[str, Any]:
    return {
        **person(member.user),
        "title": member.user.title,
        "role": member.role,
        "joined_at": member.joined_at.isoformat(),
    }


def reach_updated(post_id: int, reach: dict[str, int]) -> dict[str, Any]:
    return {"type": "post.reach", "post": post_id, **reach}


def acknowledgements_changed(
    post_id: int, acknowledged: int, expected: int
) -> dict[str, Any]:
    """A must-read's count moved: to its author and HR, counts only."""
    return {
        "type": "announcement.acknowledged",
        "post": post_id,
        "acknowledged": acknowledged,
        "expected": expected,
    }


# Inbound: what a client may send, over REST or the socket.

ClientId = Annotated[Text, Field(min_length=1, max_length=MAX_CLIENT_ID_LENGTH)]
Emoji = Annotated[Text, Field(min_length=1, max_length=32)]


class Inbound(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class PostIn(Inbound):
    body: Text
    client_id: ClientId
    announcement: bool = False
    # Ids of your uploads to this space (POST /spaces/{id}/attachments).
    attachments: list[Id] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS_PER_POST
    )


class PostEdit(Inbound):
    body: Text


class CommentIn(Inbound):
    body: Text
    parent: Id | None = None


class ReactionIn(Inbound):
    emoji: Emoji


class RemovalIn(Inbound):
    reason: Annotated[Text, Field(min_length=1, max_length=MAX_REASON_LENGTH)]


class SeenIn(Inbound):
    """Posts that were on screen, batched by the browser."""

    posts: list[Id] = Field(..., min_length=1, max_length=100)


class SeenEvent(SeenIn):
    """`posts.seen` over the socket."""
