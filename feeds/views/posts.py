"""A post's page with its comments, and the forms that post, comment,
react, mute, pin and delete."""

import uuid

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from feeds import events, selectors, services
from feeds.models import Comment, Post
from feeds.views.feed import decorate, page_context
from feeds.views.writes import back, emoji_field, text_field
from intranet.errors import ServiceError
from intranet.validation import parse_id
from profiles.types import AuthedRequest


def thread(comments: list[Comment]) -> list[Comment]:
    """Top-level comments in order, each with its replies (one level)."""
    top: list[Comment] = []
    by_id: dict[int, Comment] = {}
    for comment in comments:
        comment.reaction_list = events.reaction_summary(comment.reactions.all())  # type: ignore[attr-defined]
        comment.reply_list = []  # type: ignore[attr-defined]
        by_id[comment.pk] = comment
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.reply_list.append(comment)  # type: ignore[attr-defined]
        else:
            top.append(comment)
    return top


@require_GET
def post(request: AuthedRequest, post_id: int):
    found = selectors.get_post_for_user(request.user, post_id)
    context = page_context(request)
    (loaded,) = decorate(
        selectors.with_details(Post.objects.filter(pk=found.pk), request.user),
        request.user,
        hosts={request.get_host().lower()},
    )
    access = selectors.space_access(request.user, found.space)
    comments = selectors.post_comments(found)
    replying = parse_id(request.GET.get("reply", ""))
    return render(
        request,
        "feeds/post.html",
        {
            "post": loaded,
            "posts": [loaded],
            "access": access,
            "space": found.space,
            "comments": thread(comments),
            "replying_to": next((c for c in comments if c.pk == replying), None),
            "full": True,
            **context,
        },
    )


@require_POST
def create_post(request: AuthedRequest, space_id: int):
    access = selectors.readable_space(request.user, space_id)
    fallback = access.space.get_absolute_url()
    try:
        client_id = text_field(request, "client_id").strip() or uuid.uuid4().hex
        if len(client_id) > 64:
            raise ServiceError("invalid", "That form is out of date: reload the page.")
        services.create_post(
            request.user,
            space_id=space_id,
            body=text_field(request, "body"),
            client_id=client_id,
            announcement=request.POST.get("announcement") == "on",
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Posted.")
    return back(request, fallback)


@require_POST
def add_comment(request: AuthedRequest, post_id: int):
    found = selectors.get_post_for_user(request.user, post_id)
    parent_raw = request.POST.get("parent", "").strip()
    try:
        parent = parse_id(parent_raw) if parent_raw else None
        if parent_raw and parent is None:
            raise ServiceError("invalid", "That reply's comment does not exist.")
        comment = services.add_comment(
            request.user,
            post_id=found.pk,
            body=text_field(request, "body"),
            parent_id=parent,
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return back(request, found.get_absolute_url())
    flash.success(request, "Comment added.")
    return back(request, f"{found.get_absolute_url()}#c{comment.pk}")


@require_POST
def react(request: AuthedRequest, post_id: int):
    """Add an emoji to a post, or take yours off (`remove`)."""
    found = selectors.get_post_for_user(request.user, post_id)
    try:
        services.react(
            request.user,
            post_id=found.pk,
            emoji=emoji_field(request),
            add=request.POST.get("remove") != "1",
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    return back(request, found.get_absolute_url())


@require_POST
def mute_post(request: AuthedRequest, post_id: int):
    """No more notifications of a post's comments, or again: `muted` 1 or 0."""
    found = selectors.get_post_for_user(request.user, post_id)
    muted = request.POST.get("muted") == "1"
    services.mute_post(request.user, post_id=found.pk, muted=muted)
    flash.success(
        request,
        "You will not be notified of this post's comments."
        if muted
        else "You will be notified of this post's comments again.",
    )
    return back(request, found.get_absolute_url())


@require_POST
def pin(request: AuthedRequest, post_id: int):
    found = selectors.get_post_for_user(request.user, post_id)
    pinned = request.POST.get("pinned") != "0"
    try:
        services.pin_post(request.user, post_id=found.pk, pinned=pinned)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Pinned." if pinned else "Unpinned.")
    return back(request, found.get_absolute_url())


@require_POST
def delete_post(request: AuthedRequest, post_id: int):
    found = selectors.get_post_for_user(request.user, post_id)
    try:
        services.delete_post(
            request.user, post_id=found.pk, reason=text_field(request, "reason")
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return back(request, found.get_absolute_url())
    flash.success(request, "Post deleted.")
    return redirect(found.space.get_absolute_url())


@require_POST
def react_comment(request: AuthedRequest, comment_id: int):
    """Add an emoji to a comment, or take yours off (`remove`)."""
    found = selectors.get_comment_for_user(request.user, comment_id)
    try:
        services.react(
            request.user,
            post_id=found.post_id,
            comment_id=found.pk,
            emoji=emoji_field(request),
            add=request.POST.get("remove") != "1",
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    return back(request, f"{found.post.get_absolute_url()}#c{found.pk}")


@require_POST
def delete_comment(request: AuthedRequest, comment_id: int):
    found = selectors.get_comment_for_user(request.user, comment_id)
    try:
        services.delete_comment(
            request.user, comment_id=found.pk, reason=text_field(request, "reason")
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Comment deleted.")
    return back(request, f"{found.post.get_absolute_url()}#c{found.pk}")
