"""Reactions on posts and comments, and following people (their posts
in open spaces join your home feed).
"""

from ninja import Query, Router, Status

from feeds import events, selectors, services
from feeds.api.schemas import (
    EmojiIn,
    ReactionsOut,
    _body_doc,
    _optional_body,
    _reactions_out,
)
from intranet.api import ERRORS, require_scope
from intranet.errors import ServiceError
from intranet.validation import Id, Text
from profiles.types import AuthedRequest

router = Router()


# Reactions ---------------------------------------------------------------


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
