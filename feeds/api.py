"""REST endpoints for spaces and their feeds: parse, check access through
the selectors, call one service, answer one of the schemas below.

The shapes are the socket's (feeds.events), so a client reads a post the
same way from a page of the feed and from a `post.new` event.
"""

from dataclasses import asdict
from typing import Any, Literal

from django.http import Http404
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from pydantic import ValidationError as PydanticError

from feeds import events, selectors, services
from feeds.models import Comment, JoinRequest, Post, Space, SpaceMember
from intranet.api import ERRORS, Error, require_scope
from intranet.errors import ServiceError
from intranet.ratelimit import take_token
from intranet.validation import Id, InvalidInput, Text, decode_json
from messaging.api import SERVED_FILE, serve_stored_file
from messaging.events import AttachmentOut, attachment_data
from messaging.upload_names import keep_sent_names, sent_name
from profiles.models import User
from profiles.types import AuthedRequest

router = Router(tags=["feeds"])

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
            **events.post_data(post, reactions=post.post_reactions),  # type: ignore[attr-defined]
            "latest_comments": [
                events.comment_data(c)
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


def _leaders_only(access: selectors.SpaceAccess) -> None:
    if not access.is_leader:
        raise ServiceError(
            "forbidden", "Only the space's leaders can do that.", status=403
        )


# Spaces ------------------------------------------------------------------


@router.get("/spaces", response={200: SpacePage, **ERRORS})
def list_spaces(request: AuthedRequest, query: Query[SpaceQuery]):
    """Spaces you may find (open and closed ones, and your secret ones), by
    name. `q`: words in the name or description; `mine`: yours only."""
    require_scope(request, "read")
    after = None
    if query.after is not None:
        after = selectors.findable_spaces(request.user).filter(pk=query.after).first()
        if after is None:
            return Status(400, {"error": "after must be a space from a page."})
    spaces = selectors.space_directory(
        request.user,
        q=query.q,
        kind=query.kind,
        mine=query.mine,
        after=after,
        limit=query.limit,
    )
    items = [
        _space_out(
            s,
            role=s.my_role,  # type: ignore[attr-defined]
            members=s.member_count  # type: ignore[attr-defined]
            if s.my_role or s.visibility == Space.Visibility.OPEN  # type: ignore[attr-defined]
            else None,
        )
        for s in spaces
    ]
    return {
        "items": items,
        "next": spaces[-1].pk if len(spaces) == query.limit else None,
    }


@router.post("/spaces", response={201: SpaceDetailOut, **ERRORS})
def create_space(request: AuthedRequest, data: SpaceIn):
    """Start a community you lead. Team, onboarding and company-wide spaces
    are the company's own: staff only."""
    require_scope(request, "write")
    if data.kind != Space.Kind.COMMUNITY and not request.user.is_staff:
        return Status(403, {"error": "People start communities; ask staff for others."})
    if data.kind == Space.Kind.COMPANY:
        if data.visibility != Space.Visibility.OPEN:
            return Status(400, {"error": "The company-wide space is open to everyone."})
        if services.company_space() is not None:
            return Status(409, {"error": "There is a company-wide space already."})
    # Each space is a chat and a row in everyone's directory.
    take_token("space", request.user.pk, burst=10, per_minute=5)
    space = services.create_space(
        request.user,
        name=data.name,
        kind=data.kind,
        visibility=data.visibility,
        description=data.description,
        who_may_post=data.who_may_post,
    )
    if data.who_may_mention_all != space.who_may_mention_all:
        space = services.update_space(
            request.user,
            space_id=space.pk,
            who_may_mention_all=data.who_may_mention_all,
        )
    access = selectors.find_space(request.user, space_id=space.pk)
    return Status(201, _space_detail(access, request.user))


@router.get("/spaces/{space_id}", response={200: SpaceDetailOut, **ERRORS})
def get_space(request: AuthedRequest, space_id: Id):
    require_scope(request, "read")
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.patch("/spaces/{space_id}", response={200: SpaceDetailOut, **ERRORS})
def update_space(request: AuthedRequest, space_id: Id, data: SpacePatch):
    """Change a space's settings; its leaders only. Fields left out stay."""
    require_scope(request, "write")
    services.update_space(
        request.user,
        space_id=space_id,
        name=data.name,
        description=data.description,
        visibility=data.visibility,
        who_may_post=data.who_may_post,
        who_may_mention_all=data.who_may_mention_all,
    )
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.post("/spaces/{space_id}/join", response={200: SpaceDetailOut, **ERRORS})
def join_space(request: AuthedRequest, space_id: Id):
    """Join an open space (a member already: no change). A closed space
    answers 403: ask to join instead."""
    require_scope(request, "write")
    services.join_space(request.user, space_id=space_id)
    access = selectors.find_space(request.user, space_id=space_id)
    return _space_detail(access, request.user)


@router.post("/spaces/{space_id}/leave", response={204: None, **ERRORS})
def leave_space(request: AuthedRequest, space_id: Id):
    """Leave a space and its chat; team and company-wide spaces follow the
    directory (409), and the only leader stays (409)."""
    require_scope(request, "write")
    services.leave_space(request.user, space_id=space_id)
    return Status(204, None)


@router.get("/spaces/{space_id}/members", response={200: list[MemberOut], **ERRORS})
def list_members(request: AuthedRequest, space_id: Id):
    """A space's members by role; 404 where you may not read the space."""
    require_scope(request, "read")
    access = selectors.readable_space(request.user, space_id)
    return [_member_out(m) for m in selectors.space_members(access)]


@router.post("/spaces/{space_id}/members", response={200: list[MemberOut], **ERRORS})
def add_members(request: AuthedRequest, space_id: Id, data: MembersIn):
    """Add people; leaders only. Answers those who were not members yet."""
    require_scope(request, "write")
    added = services.add_members(request.user, space_id=space_id, user_ids=data.members)
    members = SpaceMember.objects.filter(
        space_id=space_id, user__in=added
    ).select_related("user")
    return [_member_out(m) for m in members]


@router.patch(
    "/spaces/{space_id}/members/{user_id}", response={200: MemberOut, **ERRORS}
)
def set_role(request: AuthedRequest, space_id: Id, user_id: Id, data: RoleIn):
    """Make a member a leader, moderator or member; leaders only, and a
    space keeps a leader (409)."""
    require_scope(request, "write")
    member = services.set_role(
        request.user, space_id=space_id, user_id=user_id, role=data.role
    )
    return _member_out(member)


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None, **ERRORS})
def remove_member(request: AuthedRequest, space_id: Id, user_id: Id):
    """Remove someone; leaders only (yourself: leave instead)."""
    require_scope(request, "write")
    services.remove_member(request.user, space_id=space_id, user_id=user_id)
    return Status(204, None)


@router.post(
    "/spaces/{space_id}/join-requests",
    response={200: JoinRequestOut, 201: JoinRequestOut, **ERRORS},
)
def request_to_join(request: AuthedRequest, space_id: Id, data: JoinRequestIn):
    """Ask to join a closed space, with a note for its leaders (201; asked
    already: 200 with the first request)."""
    require_scope(request, "write")
    access = selectors.find_space(request.user, space_id=space_id)
    asked = selectors.has_asked_to_join(request.user, access.space)
    join_request = services.request_to_join(
        request.user, space_id=space_id, message=data.message
    )
    return Status(200 if asked else 201, _request_out(join_request))


@router.get(
    "/spaces/{space_id}/join-requests", response={200: list[JoinRequestOut], **ERRORS}
)
def list_join_requests(request: AuthedRequest, space_id: Id):
    """Who asks to join, oldest first; leaders only."""
    require_scope(request, "read")
    access = selectors.find_space(request.user, space_id=space_id)
    _leaders_only(access)
    return [_request_out(r) for r in selectors.join_requests(access)]


@router.post(
    "/spaces/{space_id}/join-requests/{user_id}/approve",
    response={204: None, **ERRORS},
)
def approve_request(request: AuthedRequest, space_id: Id, user_id: Id):
    require_scope(request, "write")
    services.decide_request(
        request.user, space_id=space_id, user_id=user_id, approve=True
    )
    return Status(204, None)


@router.post(
    "/spaces/{space_id}/join-requests/{user_id}/decline",
    response={204: None, **ERRORS},
)
def decline_request(request: AuthedRequest, space_id: Id, user_id: Id):
    require_scope(request, "write")
    services.decide_request(
        request.user, space_id=space_id, user_id=user_id, approve=False
    )
    return Status(204, None)


@router.put("/spaces/{space_id}/mute", response={204: None, **ERRORS})
def mute_space(request: AuthedRequest, space_id: Id):
    """Keep reading a space without its unread mark."""
    require_scope(request, "write")
    services.mute_space(request.user, space_id=space_id, muted=True)
    return Status(204, None)


@router.delete("/spaces/{space_id}/mute", response={204: None, **ERRORS})
def unmute_space(request: AuthedRequest, space_id: Id):
    require_scope(request, "write")
    services.mute_space(request.user, space_id=space_id, muted=False)
    return Status(204, None)


@router.put("/spaces/{space_id}/closely", response={204: None, **ERRORS})
def follow_space_closely(request: AuthedRequest, space_id: Id):
    """Be notified of every new post in a space (this unmutes it)."""
    require_scope(request, "write")
    services.follow_closely(request.user, space_id=space_id, closely=True)
    return Status(204, None)


@router.delete("/spaces/{space_id}/closely", response={204: None, **ERRORS})
def stop_following_space_closely(request: AuthedRequest, space_id: Id):
    """Back to notifications for mentions and replies only."""
    require_scope(request, "write")
    services.follow_closely(request.user, space_id=space_id, closely=False)
    return Status(204, None)


@router.post("/spaces/{space_id}/read", response={200: MarkerOut, **ERRORS})
def mark_space_read(request: AuthedRequest, space_id: Id, data: ReadIn):
    """Mark the space read up to a post (never back); your tabs hear
    `space.read`."""
    require_scope(request, "write")
    marker = services.mark_space_read(
        request.user, space_id=space_id, post_id=data.post
    )
    return {"last_read_post_id": marker}


# Feeds and posts -----------------------------------------------------------


@router.get("/spaces/{space_id}/posts", response={200: PostPage, **ERRORS})
def space_feed(request: AuthedRequest, space_id: Id, query: Query[FeedQuery]):
    """A space's posts, newest first (its pinned ones: /pinned)."""
    require_scope(request, "read")
    access = selectors.readable_space(request.user, space_id)
    posts = selectors.space_feed(
        request.user, access, before=query.before, limit=query.limit
    )
    return _page(posts, request.user, query.limit)


@router.get("/spaces/{space_id}/pinned", response={200: list[PostOut], **ERRORS})
def pinned_posts(request: AuthedRequest, space_id: Id):
    require_scope(request, "read")
    access = selectors.readable_space(request.user, space_id)
    return _posts_out(selectors.pinned_posts(request.user, access), request.user)


@router.post(
    "/spaces/{space_id}/posts", response={200: PostOut, 201: PostOut, **ERRORS}
)
def create_post(request: AuthedRequest, space_id: Id, data: events.PostIn):
    """Post in a space (Markdown; @**Name** mentions). The same `client_id`
    again returns the stored post (200)."""
    require_scope(request, "write")
    post, created = services.create_post(
        request.user,
        space_id=space_id,
        body=data.body,
        client_id=data.client_id,
        announcement=data.announcement,
        attachment_ids=data.attachments,
    )
    return Status(201 if created else 200, _post_out(post, request.user))


@router.post(
    "/spaces/{space_id}/attachments",
    response={201: AttachmentOut, **ERRORS, 413: Error, 415: Error},
)
@decorate_view(keep_sent_names)
def upload_post_attachment(
    request: AuthedRequest, space_id: Id, file: File[UploadedFile]
):
    """Upload a file (multipart, field `file`) to post in a space, as
    for a message (the same types and limits). Post it by listing its id
    in a post's `attachments` within a day."""
    require_scope(request, "write")
    attachment = services.upload_post_attachment(
        request.user,
        space_id=space_id,
        upload=file,
        name=sent_name(file),
        size=file.size or 0,
    )
    return Status(201, attachment_data(attachment))


@router.get(
    "/post-attachments/{attachment_id}/file",
    response={200: None, **ERRORS},
    url_name="post_attachment_file",
    openapi_extra=SERVED_FILE,
)
def download_post_attachment(request: AuthedRequest, attachment_id: Id):
    """A post's file: images inline, everything else as a download.
    Access is checked each time: only those who may read the post."""
    require_scope(request, "read")
    attachment = selectors.get_post_attachment_for_user(request.user, attachment_id)
    return serve_stored_file(attachment)


@router.get(
    "/post-attachments/{attachment_id}/thumbnail",
    response={200: None, **ERRORS},
    url_name="post_attachment_thumbnail",
    openapi_extra=SERVED_FILE,
)
def post_attachment_thumbnail(request: AuthedRequest, attachment_id: Id):
    """An image's thumbnail (WebP, at most 400 pixels a side)."""
    require_scope(request, "read")
    attachment = selectors.get_post_attachment_for_user(request.user, attachment_id)
    return serve_stored_file(attachment, thumbnail=True)


@router.get("/feed", response={200: PostPage, **ERRORS})
def home_feed(request: AuthedRequest, query: Query[HomeQuery]):
    """Posts from your spaces and the people you follow, newest first;
    `trusted`: only your team's, your managers' and verified people's."""
    require_scope(request, "read")
    rule = selectors.trust_rule(request.user) if query.trusted else None
    posts = selectors.home_feed(
        request.user, before=query.before, limit=query.limit, trust=rule
    )
    return _page(posts, request.user, query.limit)


@router.post("/posts/seen", response={200: SeenOut, **ERRORS})
def posts_seen(request: AuthedRequest, data: events.SeenIn):
    """Count yourself in the reach of posts you had on screen (others',
    in spaces you may read; the rest are ignored)."""
    require_scope(request, "write")
    return {"new": services.mark_seen(request.user, post_ids=data.posts)}


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS})
def get_post(request: AuthedRequest, post_id: Id):
    require_scope(request, "read")
    post = selectors.get_post_for_user(request.user, post_id)
    return _post_out(post, request.user)


PREVIEWS_BURST, PREVIEWS_PER_MINUTE = 60, 120


@router.get("/posts/{post_id}/previews", response={200: PreviewsOut, **ERRORS})
def post_previews(request: AuthedRequest, post_id: Id):
    """The cards for the links in a post to Canteen's pages that you may
    see, as the post's page shows them; 404 if you may not read the post.
    Pages ask for them when a post arrives or changes live (its event is
    shared by the whole space, so it carries none)."""
    require_scope(request, "read")
    # A page asks once per post that arrives live with links; a script
    # looping here would run the cards' lookups without end.
    take_token(
        "previews",
        request.user.pk,
        burst=PREVIEWS_BURST,
        per_minute=PREVIEWS_PER_MINUTE,
    )
    post = selectors.get_post_for_user(request.user, post_id)
    cards = selectors.post_previews(
        post, request.user, hosts={request.get_host().lower()}
    )
    return {"post": post.pk, "cards": [asdict(card) for card in cards]}


@router.patch("/posts/{post_id}", response={200: PostOut, **ERRORS})
def edit_post(request: AuthedRequest, post_id: Id, data: events.PostEdit):
    """Change your post's text."""
    require_scope(request, "write")
    post = services.edit_post(request.user, post_id=post_id, body=data.body)
    return _post_out(post, request.user)


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


@router.delete(
    "/posts/{post_id}",
    response={204: None, **ERRORS},
    openapi_extra=_body_doc(ReasonIn),
)
def delete_post(
    request: AuthedRequest,
    post_id: Id,
    reason: Text = Query("", max_length=events.MAX_REASON_LENGTH),  # type: ignore[type-arg]
):
    """Delete your post, or remove someone else's as a leader or moderator
    with a `reason` (in the query or the body; their author is told)."""
    require_scope(request, "write")
    services.delete_post(request.user, post_id=post_id, reason=_reason(request, reason))
    return Status(204, None)


@router.put("/posts/{post_id}/pin", response={200: PostOut, **ERRORS})
def pin_post(request: AuthedRequest, post_id: Id):
    """Pin a post to its space's top (at most 3: 409); leaders and
    moderators."""
    require_scope(request, "write")
    post = services.pin_post(request.user, post_id=post_id, pinned=True)
    return _post_out(post, request.user)


@router.delete("/posts/{post_id}/pin", response={200: PostOut, **ERRORS})
def unpin_post(request: AuthedRequest, post_id: Id):
    require_scope(request, "write")
    post = services.pin_post(request.user, post_id=post_id, pinned=False)
    return _post_out(post, request.user)


@router.put("/posts/{post_id}/announcement", response={200: PostOut, **ERRORS})
def mark_announcement(request: AuthedRequest, post_id: Id):
    """Mark a post as an announcement; leaders and moderators."""
    require_scope(request, "write")
    post = services.set_announcement(request.user, post_id=post_id, announcement=True)
    return _post_out(post, request.user)


@router.delete("/posts/{post_id}/announcement", response={200: PostOut, **ERRORS})
def unmark_announcement(request: AuthedRequest, post_id: Id):
    require_scope(request, "write")
    post = services.set_announcement(request.user, post_id=post_id, announcement=False)
    return _post_out(post, request.user)


@router.get("/posts/{post_id}/reach", response={200: ReachOut, **ERRORS})
def post_reach(request: AuthedRequest, post_id: Id):
    """A post's reach: for its author (counts) and its space's leaders
    (counts and who saw it); 404 for everyone else."""
    require_scope(request, "read")
    post = selectors.get_post_for_user(request.user, post_id)
    if not selectors.may_see_reach(request.user, post):
        raise Http404("No such post.")
    reach: dict[str, Any] = dict(selectors.reach_of(post))
    access = selectors.space_access(request.user, post.space)
    if access.is_leader:
        reach["seen_by"] = [
            {**events.person(v.user), "seen_at": v.seen_at.isoformat()}
            for v in selectors.post_viewers(post)
        ]
    return reach


@router.put("/posts/{post_id}/mute", response={204: None, **ERRORS})
def mute_post(request: AuthedRequest, post_id: Id):
    """Hear no more of a post's comments."""
    require_scope(request, "write")
    services.mute_post(request.user, post_id=post_id, muted=True)
    return Status(204, None)


@router.delete("/posts/{post_id}/mute", response={204: None, **ERRORS})
def unmute_post(request: AuthedRequest, post_id: Id):
    require_scope(request, "write")
    services.mute_post(request.user, post_id=post_id, muted=False)
    return Status(204, None)


# Comments ------------------------------------------------------------------


@router.get("/posts/{post_id}/comments", response={200: list[CommentOut], **ERRORS})
def list_comments(request: AuthedRequest, post_id: Id):
    """All of a post's comments, oldest first, replies after their parent."""
    require_scope(request, "read")
    post = selectors.get_post_for_user(request.user, post_id)
    return [events.comment_data(c) for c in selectors.post_comments(post)]


@router.post("/posts/{post_id}/comments", response={201: CommentOut, **ERRORS})
def add_comment(request: AuthedRequest, post_id: Id, data: events.CommentIn):
    """Comment on a post, or reply to a comment (`parent`); members only."""
    require_scope(request, "write")
    comment = services.add_comment(
        request.user, post_id=post_id, body=data.body, parent_id=data.parent
    )
    return Status(201, events.comment_data(comment, reactions=[]))


@router.get("/comments/{comment_id}", response={200: CommentOut, **ERRORS})
def get_comment(request: AuthedRequest, comment_id: Id):
    """One comment with its source text (what an edit box starts from)."""
    require_scope(request, "read")
    comment = selectors.get_comment_for_user(request.user, comment_id)
    return events.comment_data(comment)


@router.patch("/comments/{comment_id}", response={200: CommentOut, **ERRORS})
def edit_comment(request: AuthedRequest, comment_id: Id, data: events.PostEdit):
    """Change your comment's text."""
    require_scope(request, "write")
    comment = services.edit_comment(request.user, comment_id=comment_id, body=data.body)
    return events.comment_data(comment)


@router.delete(
    "/comments/{comment_id}",
    response={204: None, **ERRORS},
    openapi_extra=_body_doc(ReasonIn),
)
def delete_comment(
    request: AuthedRequest,
    comment_id: Id,
    reason: Text = Query("", max_length=events.MAX_REASON_LENGTH),  # type: ignore[type-arg]
):
    """Delete your comment, or remove someone else's as a leader or
    moderator with a `reason` (query or body)."""
    require_scope(request, "write")
    services.delete_comment(
        request.user, comment_id=comment_id, reason=_reason(request, reason)
    )
    return Status(204, None)


# Reactions -----------------------------------------------------------------


def _emoji(request: AuthedRequest, query: str) -> str:
    body = _optional_body(request, EmojiIn)
    emoji = (body.emoji if body is not None else None) or query
    if not emoji:
        raise ServiceError("invalid", "Say which emoji: emoji is empty.")
    return emoji


@router.post("/posts/{post_id}/reactions", response={200: ReactionsOut, **ERRORS})
def react_to_post(request: AuthedRequest, post_id: Id, data: events.ReactionIn):
    """Add your emoji (one emoji) to a post; members only."""
    require_scope(request, "write")
    services.react(request.user, post_id=post_id, emoji=data.emoji, add=True)
    post = selectors.get_post_for_user(request.user, post_id)
    return _reactions_out(post, None)


@router.delete(
    "/posts/{post_id}/reactions",
    response={200: ReactionsOut, **ERRORS},
    openapi_extra=_body_doc(EmojiIn),
)
def unreact_to_post(
    request: AuthedRequest,
    post_id: Id,
    emoji: Text = Query("", max_length=32),  # type: ignore[type-arg]
):
    """Take your emoji off a post (`emoji` in the query or the body)."""
    require_scope(request, "write")
    services.react(
        request.user, post_id=post_id, emoji=_emoji(request, emoji), add=False
    )
    post = selectors.get_post_for_user(request.user, post_id)
    return _reactions_out(post, None)


@router.post("/comments/{comment_id}/reactions", response={200: ReactionsOut, **ERRORS})
def react_to_comment(request: AuthedRequest, comment_id: Id, data: events.ReactionIn):
    require_scope(request, "write")
    comment = selectors.get_comment_for_user(request.user, comment_id)
    services.react(
        request.user,
        post_id=comment.post_id,
        comment_id=comment_id,
        emoji=data.emoji,
        add=True,
    )
    return _reactions_out(comment.post, comment)


@router.delete(
    "/comments/{comment_id}/reactions",
    response={200: ReactionsOut, **ERRORS},
    openapi_extra=_body_doc(EmojiIn),
)
def unreact_to_comment(
    request: AuthedRequest,
    comment_id: Id,
    emoji: Text = Query("", max_length=32),  # type: ignore[type-arg]
):
    require_scope(request, "write")
    comment = selectors.get_comment_for_user(request.user, comment_id)
    services.react(
        request.user,
        post_id=comment.post_id,
        comment_id=comment_id,
        emoji=_emoji(request, emoji),
        add=False,
    )
    return _reactions_out(comment.post, comment)


# People ------------------------------------------------------------------


@router.put("/people/{person_id}/follow", response={204: None, **ERRORS})
def follow(request: AuthedRequest, person_id: Id):
    """Follow someone: their posts in open spaces join your home feed."""
    require_scope(request, "write")
    services.follow(request.user, person_id=person_id, following=True)
    return Status(204, None)


@router.delete("/people/{person_id}/follow", response={204: None, **ERRORS})
def unfollow(request: AuthedRequest, person_id: Id):
    require_scope(request, "write")
    services.follow(request.user, person_id=person_id, following=False)
    return Status(204, None)
