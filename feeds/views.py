"""Pages for spaces and posts: parse, check access, call one service, render.

Every write here is a plain form (the pages work without JavaScript); with
JavaScript, feeds/static/feeds/js/feed.js sends the same writes to the REST
API instead. A refusal comes back as an error flash on the page it came
from, never as a 500.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from feeds import events, selectors, services
from feeds.models import Comment, Post, Space
from intranet import sync
from intranet.errors import ServiceError
from intranet.validation import is_text, parse_id
from profiles.models import User
from profiles.roles import is_hr
from profiles.types import AuthedRequest

# The reactions offered in one tap; any other emoji can be typed.
QUICK_REACTIONS = ["👍", "❤️", "🎉", "😂", "👀", "🙏"]
# Members listed on a space's page; the rest are counted.
MEMBERS_SHOWN = 60


def decorate(
    posts: list[Post], viewer: User, *, hosts: set[str] | None = None
) -> list[Post]:
    """Give each post what the post partial shows: its reaction chips,
    where the viewer may see it its reach, and cards for the links to
    Canteen's pages the viewer may see (no queries but reach's and the
    cards' own)."""
    reach = selectors.reach_for_page(posts, viewer)
    previews = selectors.link_previews(posts, viewer, hosts=hosts or set())
    # HR sees every announcement's reach and acknowledgements; asked only
    # when the page holds one (the permissions cost two queries).
    hr = any(getattr(p, "from_announcement", False) for p in posts) and is_hr(viewer)
    for post in posts:
        post.sees_acknowledgements = getattr(post, "from_announcement", False) and (  # type: ignore[attr-defined]
            hr or post.author_id == viewer.pk
        )
        post.previews = previews.get(post.pk, [])  # type: ignore[attr-defined]
        post.reaction_list = events.reaction_summary(post.post_reactions)  # type: ignore[attr-defined]
        post.reach = reach.get(post.pk)  # type: ignore[attr-defined]
        for comment in post.latest_comments:  # type: ignore[attr-defined]
            comment.reaction_list = events.reaction_summary(comment.reactions.all())  # type: ignore[attr-defined]
    return posts


def feed_page(
    load, *, before: int | None, limit: int = selectors.FEED_PAGE
) -> tuple[list[Post], int | None]:
    """Return a page of posts from `load(before=…, limit=…)` and the id to
    ask the next page below, if there are older posts."""
    posts = load(before=before, limit=limit + 1)
    if len(posts) > limit:
        return posts[:limit], posts[limit - 1].pk
    return posts, None


def before_param(request: AuthedRequest) -> int | None:
    """`?before=<post id>`; a malformed one is a 404 (no such page)."""
    raw = request.GET.get("before")
    if raw is None:
        return None
    before = parse_id(raw)
    if before is None:
        raise Http404("No such page.")
    return before


def page_context(request: AuthedRequest) -> dict[str, Any]:
    """What every page with a post on it needs. Call it before loading the
    posts: an event committed in between is then replayed by the tab's
    first catch-up instead of being missed (feed.js)."""
    return {
        "cursor": sync.latest_cursor(),
        "quick_reactions": QUICK_REACTIONS,
        # A fresh one each render: a form sent twice posts once.
        "client_id": uuid.uuid4().hex,
        "here": request.get_full_path(),
    }


@require_GET
def spaces(request: AuthedRequest):
    """The directory: my spaces first, then every other I may find."""
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if not is_text(query) or len(query) > 100:
        query = ""
    found = selectors.findable_spaces(request.user)
    if query:
        found = found.filter(name__icontains=query)
    if kind in Space.Kind.values:
        found = found.filter(kind=kind)
    else:
        kind = ""
    roles = dict(
        request.user.space_memberships.values_list("space_id", "role")  # type: ignore[attr-defined]
    )
    listed = sorted(found.order_by("name")[:200], key=lambda s: s.pk not in roles)
    for space in listed:
        space.my_role = roles.get(space.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "feeds/spaces.html",
        {
            "spaces": listed,
            "query": query,
            "kind": kind,
            "kinds": Space.Kind.choices,
        },
    )


@require_GET
def space(request: AuthedRequest, slug: str):
    access = selectors.find_space(request.user, slug=slug)
    context: dict[str, Any] = {"access": access, "space": access.space}
    if not access.can_read:
        # A closed space shows outsiders its door, and nothing behind it.
        context["asked"] = access.space.join_requests.filter(user=request.user).exists()
        return render(request, "feeds/space.html", context)
    context.update(page_context(request))
    before = before_param(request)
    posts, older = feed_page(
        lambda **kw: selectors.space_feed(request.user, access, **kw), before=before
    )
    pinned = selectors.pinned_posts(request.user, access) if before is None else []
    decorate(posts + pinned, request.user, hosts={request.get_host().lower()})
    members, member_count = selectors.first_members(access, MEMBERS_SHOWN)
    if (
        access.member is not None
        and before is None
        and posts
        and posts[0].pk > access.member.last_read_post_id
    ):
        services.mark_space_read(
            request.user, space_id=access.space.pk, post_id=posts[0].pk
        )
    context.update(
        {
            "posts": posts,
            "pinned": pinned,
            "older": older,
            "before": before,
            "members": members,
            "member_count": member_count,
            "more_members": member_count - len(members),
            "requests": selectors.join_requests(access) if access.is_leader else [],
            "visibilities": Space.Visibility.choices,
            "whos": Space.Who.choices,
            "max_attachment_bytes": settings.MAX_ATTACHMENT_BYTES,
        }
    )
    return render(request, "feeds/space.html", context)


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


# Writes: plain forms ------------------------------------------------------


def back(request: AuthedRequest, fallback: str) -> HttpResponseRedirect:
    """Go back where the form said (a page of ours), else to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def text_field(request: AuthedRequest, name: str) -> str:
    value = request.POST.get(name, "")
    if not is_text(value):
        raise ServiceError("invalid", "Text must not contain NUL characters.")
    return value


def emoji_field(request: AuthedRequest) -> str:
    """A quick emoji's button, or the one typed in the "other" box."""
    emoji = text_field(request, "emoji").strip() or text_field(request, "other")
    if not emoji.strip():
        raise ServiceError("invalid", "Choose or type an emoji.")
    return emoji


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


@require_POST
def join(request: AuthedRequest, space_id: int):
    access = selectors.find_space(request.user, space_id=space_id)
    try:
        services.join_space(request.user, space_id=space_id)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, f"You joined {access.space.name}.")
    return back(request, access.space.get_absolute_url())


@require_POST
def leave(request: AuthedRequest, space_id: int):
    access = selectors.find_space(request.user, space_id=space_id)
    try:
        services.leave_space(request.user, space_id=space_id)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return back(request, access.space.get_absolute_url())
    flash.success(request, f"You left {access.space.name}.")
    # A closed or secret space is no longer readable: back to the directory.
    if access.space.visibility != Space.Visibility.OPEN:
        return redirect("feeds:spaces")
    return back(request, access.space.get_absolute_url())


@require_POST
def mute(request: AuthedRequest, space_id: int):
    """Mute a space (no unread mark) or unmute it: `muted` is 1 or 0."""
    access = selectors.find_space(request.user, space_id=space_id)
    muted = request.POST.get("muted") == "1"
    try:
        services.mute_space(request.user, space_id=space_id, muted=muted)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(
            request, f"{access.space.name} is {'muted' if muted else 'unmuted'}."
        )
    return back(request, access.space.get_absolute_url())


@require_POST
def closely(request: AuthedRequest, space_id: int):
    """Be notified of every post in a space, or stop: `closely` is 1 or 0."""
    access = selectors.find_space(request.user, space_id=space_id)
    on = request.POST.get("closely") == "1"
    try:
        services.follow_closely(request.user, space_id=space_id, closely=on)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(
            request,
            f"You will be notified of every post in {access.space.name}."
            if on
            else f"Only mentions and replies in {access.space.name} notify you now.",
        )
    return back(request, access.space.get_absolute_url())


@require_POST
def follow(request: AuthedRequest, person_id: int):
    """Follow someone or stop: `following` is 1 or 0."""
    following = request.POST.get("following") == "1"
    try:
        services.follow(request.user, person_id=person_id, following=following)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        flash.error(request, exc.message)
    else:
        flash.success(
            request,
            "Their posts in open spaces now come to your home feed."
            if following
            else "You no longer follow them.",
        )
    return back(request, reverse("profiles:person", args=[person_id]))


@require_POST
def ask_to_join(request: AuthedRequest, space_id: int):
    access = selectors.find_space(request.user, space_id=space_id)
    try:
        services.request_to_join(
            request.user, space_id=space_id, message=text_field(request, "message")
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Asked: a leader of the space will decide.")
    return back(request, access.space.get_absolute_url())


@require_POST
def decide(request: AuthedRequest, space_id: int, user_id: int):
    access = selectors.find_space(request.user, space_id=space_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_request(
            request.user, space_id=space_id, user_id=user_id, approve=approve
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Approved." if approve else "Declined.")
    return redirect(access.space.get_absolute_url())


@require_POST
def space_settings(request: AuthedRequest, space_id: int):
    access = selectors.find_space(request.user, space_id=space_id)
    try:
        choices = {
            "visibility": Space.Visibility.values,
            "who_may_post": Space.Who.values,
        }
        picked = {}
        for field, allowed in choices.items():
            value = request.POST.get(field)
            if value is not None and value not in allowed:
                raise ServiceError("invalid", "Choose one of the options offered.")
            picked[field] = value
        space = services.update_space(
            request.user,
            space_id=space_id,
            name=text_field(request, "name") if "name" in request.POST else None,
            description=text_field(request, "description")
            if "description" in request.POST
            else None,
            **picked,
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect(access.space.get_absolute_url())
    flash.success(request, "Settings saved.")
    return redirect(space.get_absolute_url())
