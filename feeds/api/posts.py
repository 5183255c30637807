"""Feeds and posts: a space's feed and pins, posting and a post's
files, the home feed, what you saw, a post and its link cards,
editing, deleting, pinning and announcing it, its reach, muting it.

The files and the link cards stay here rather than in modules of their
own: their paths come between posts' in the order the router registers
them (feeds.api).
"""

from dataclasses import asdict
from typing import Any

from django.http import Http404
from ninja import File, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from feeds import events, selectors, services
from feeds.api.schemas import (
    FeedQuery,
    HomeQuery,
    PostOut,
    PostPage,
    PreviewsOut,
    ReachOut,
    ReasonIn,
    SeenOut,
    _body_doc,
    _page,
    _post_out,
    _posts_out,
    _reason,
)
from intranet.api import ERRORS, Error, require_scope
from intranet.ratelimit import take_token
from intranet.validation import Id, Text
from messaging.api import SERVED_FILE, serve_stored_file
from messaging.events import AttachmentOut, attachment_data
from messaging.upload_names import keep_sent_names, sent_name
from profiles.types import AuthedRequest

router = Router()


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
