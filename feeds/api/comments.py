"""Comments on a post: list, add, read, edit, delete or remove."""

from ninja import Query, Router, Status

from feeds import events, selectors, services
from feeds.api.schemas import CommentOut, ReasonIn, _body_doc, _reason
from intranet.api import ERRORS, require_scope
from intranet.validation import Id, Text
from profiles.types import AuthedRequest

router = Router()


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
