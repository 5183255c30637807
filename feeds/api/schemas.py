"""The feeds API's shapes: the schemas it answers and accepts, and
the helpers that build its answers.

The shapes are the socket's (feeds.events), so a client reads a post the
same way from a page of the feed and from a `post.new` event.
"""

from typing import Any, Literal

from ninja import Field, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import ValidationError as PydanticError

from feeds import events, selectors
from feeds.models import Comment, JoinRequest, Post, Space, SpaceMember
from intranet.validation import Id, InvalidInput, Text, decode_json
from messaging.events import AttachmentOut
from profiles.models import User
from profiles.types import AuthedRequest

Kind = Literal["team", "community", "onboarding", "company"]
Visibility = Literal["open", "closed", "secret"]
Who = Literal["members", "leaders"]
Role = Literal["leader", "moderator", "member"]


# Out ---------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    initials: str
    verified: bool


class SpaceRef(Schema):
    id: int
    name: str
    slug: str


class ReactionOut(Schema):
    """One emoji and who used it, in the order it was first used."""

    emoji: str
    users: list[int]


class RemovalOut(Schema):
    """Set when a moderator removed it: why."""

    reason: str


class CommentOut(Schema):
    """A comment; a deleted one keeps no text. Times are ISO 8601."""

    id: int
    post: int
    parent: int | None
    author: PersonOut
    body: str
    html: str
    created_at: str
    edited_at: str | None
    deleted: bool
    removed: RemovalOut | None
    reactions: list[ReactionOut]


class LinkPreviewOut(Schema):
    """A card for a link to one of Canteen's pages: a space, a post or a
    person."""

    url: str
    title: str
    context: str


class PreviewsOut(Schema):
    """The cards under a post, at most three, only for what you may see."""

    post: int
    cards: list[LinkPreviewOut]


class ViewerOut(PersonOut):
    seen_at: str


class ReachOut(Schema):
    """How far a post went: who saw it out of its space's members, who
    reacted, how many comments. `seen_by` names who saw it, newest first
    (at most 500), for the space's leaders only."""

    seen: int
    audience: int
    reacted: int
    comments: int
    seen_by: list[ViewerOut] | None = None


class PostOut(Schema):
    """A post as the socket's `post.new` carries it, with its latest
    comments in a feed (all of them: GET /posts/{id}/comments) and its
    reach when you may see it (your own, and in spaces you lead)."""

    id: int
    space: SpaceRef
    author: PersonOut
    client_id: str
    body: str
    html: str
    created_at: str
    edited_at: str | None
    deleted: bool
    removed: RemovalOut | None
    announcement: bool
    must_read: bool
    targeted: bool
    pinned: bool
    comment_count: int
    reactions: list[ReactionOut]
    attachments: list[AttachmentOut] = []
    url: str
    latest_comments: list[CommentOut] = []
    reach: ReachOut | None = None
    # A must-read you are asked to acknowledge: whether you have (null when
    # you are not asked).
    acknowledged: bool | None = None
    # A targeted announcement: whether it is for you (its home feeds are
    # its readers'); null for every other post.
    addressed: bool | None = None


class PostPage(Schema):
    """Posts newest first; pass `next` as `before` for older ones (null:
    no more)."""

    items: list[PostOut]
    next: int | None


class SpaceOut(Schema):
    """A space you may find. `role` is yours (null: not a member);
    `member_count` is null where you may not read the space."""

    id: int
    slug: str
    name: str
    description: str
    kind: Kind
    visibility: Visibility
    who_may_post: Who
    who_may_mention_all: Who
    url: str
    role: Role | None
    member_count: int | None


class SpacePage(Schema):
    """Spaces by name; pass `next` as `after` for more (null: no more)."""

    items: list[SpaceOut]
    next: int | None


class SpaceDetailOut(SpaceOut):
    """A space and what you may do in it. `chat` is its conversation's id
    (members only); `requested`: you asked to join."""

    chat: int | None
    muted: bool
    follows_closely: bool
    can_read: bool
    can_post: bool
    can_moderate: bool
    is_leader: bool
    requested: bool


class MemberOut(PersonOut):
    title: str
    role: Role
    joined_at: str


class JoinRequestOut(Schema):
    space: int
    person: PersonOut
    message: str
    created_at: str


class ReactionsOut(Schema):
    """The reactions on a post (`comment` null) or on one of its comments."""

    post: int
    comment: int | None
    reactions: list[ReactionOut]


class MarkerOut(Schema):
    last_read_post_id: int


class SeenOut(Schema):
    """How many of the posts counted you for the first time."""

    new: int


# In ----------------------------------------------------------------------


class SpaceQuery(Schema):
    q: Text = Field(default="", max_length=100)
    kind: Kind | None = None
    mine: bool = False
    after: Id | None = None
    limit: int = Field(default=50, ge=1, le=200)


class SpaceIn(Schema):
    # Name and description are judged by the service: a sentence (400).
    name: Text
    description: Text = ""
    kind: Kind = "community"
    visibility: Visibility = "open"
    who_may_post: Who = "members"
    who_may_mention_all: Who = "leaders"


class SpacePatch(Schema):
    name: Text | None = None
    description: Text | None = None
    visibility: Visibility | None = None
    who_may_post: Who | None = None
    who_may_mention_all: Who | None = None


class MembersIn(Schema):
    members: list[Id] = Field(..., min_length=1, max_length=100)


class RoleIn(Schema):
    role: Role


class JoinRequestIn(Schema):
    message: Text = ""


class ReadIn(Schema):
    post: Id


class FeedQuery(Schema):
    before: Id | None = None
    limit: int = Field(default=selectors.FEED_PAGE, ge=1, le=100)


class HomeQuery(FeedQuery):
    trusted: bool = False


class ReasonIn(Schema):
    """A moderator's reason for removing someone else's post or comment."""

    reason: Text = Field(default="", max_length=events.MAX_REASON_LENGTH)


class EmojiIn(Schema):
    emoji: events.Emoji | None = None


# Shapes ------------------------------------------------------------------


def _posts_out(posts: list[Post], viewer: User) -> list[dict[str, Any]]:
    """Posts loaded by selectors.with_details, as PostOut."""
    reach = selectors.reach_for_page(posts, viewer)
    return [
        {
            **events.post_data(
                post,
                reactions=post.post_reactions,  # type: ignore[attr-defined]
                attachments=post.files,  # type: ignore[attr-defined]
            ),
            "latest_comments": [
                events.comment_data(c, reactions=c.comment_reactions)
                for c in post.latest_comments  # type: ignore[attr-defined]
            ],
            "reach": reach.get(post.pk),
            "acknowledged": post.acknowledged if post.ask_to_acknowledge else None,  # type: ignore[attr-defined]
            "addressed": (
                post.is_reader or post.author_id == viewer.pk  # type: ignore[attr-defined]
                if post.targeted
                else None
            ),
        }
        for post in posts
    ]


def _post_out(post: Post, viewer: User) -> dict[str, Any]:
    (loaded,) = selectors.with_details(Post.objects.filter(pk=post.pk), viewer)
    return _posts_out([loaded], viewer)[0]


def _page(posts: list[Post], viewer: User, limit: int) -> dict[str, Any]:
    return {
        "items": _posts_out(posts, viewer),
        "next": posts[-1].pk if len(posts) == limit else None,
    }


def _space_out(space: Space, *, role: str | None, members: int | None):
    return {**events.space_data(space), "role": role, "member_count": members}


def _space_detail(access: selectors.SpaceAccess, viewer: User) -> dict[str, Any]:
    space = access.space
    readable = access.can_read
    return {
        **_space_out(
            space,
            role=access.role,
            members=selectors.member_count(space) if readable else None,
        ),
        "chat": space.chat_id if access.member else None,
        "muted": bool(access.member and access.member.muted),
        "follows_closely": bool(access.member and access.member.every_post),
        "can_read": readable,
        "can_post": access.can_post,
        "can_moderate": access.can_moderate,
        "is_leader": access.is_leader,
        "requested": access.member is None
        and selectors.has_asked_to_join(viewer, space),
    }


def _member_out(member: SpaceMember) -> dict[str, Any]:
    return events.member_data(member)


def _request_out(request: JoinRequest) -> dict[str, Any]:
    return {
        "space": request.space_id,
        "person": events.person(request.user),
        "message": request.message,
        "created_at": request.created_at.isoformat(),
    }


def _reactions_out(post: Post, comment: Comment | None) -> dict[str, Any]:
    changed = events.reactions_changed(post, comment)
    return {k: changed[k] for k in ("post", "comment", "reactions")}


# Optional bodies ---------------------------------------------------------


def _optional_body(request: AuthedRequest, schema: type[Schema]) -> Any:
    """The body of a DELETE that may come without one (None then): ninja
    would refuse an empty body as not JSON."""
    if not request.body.strip():
        return None
    try:
        return schema.model_validate(decode_json(request.body))
    except InvalidInput as error:
        raise HttpError(400, str(error)) from None
    except PydanticError as error:
        raise ValidationError(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in error.errors()
            ]
        ) from None


def _body_doc(schema: type[Schema]) -> dict[str, Any]:
    """The optional body for the OpenAPI schema."""
    return {
        "requestBody": {
            "content": {"application/json": {"schema": schema.model_json_schema()}},
            "required": False,
        }
    }


def _reason(request: AuthedRequest, query: str) -> str:
    body = _optional_body(request, ReasonIn)
    return (body.reason if body is not None else "") or query
