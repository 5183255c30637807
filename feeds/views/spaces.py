"""The space directory and a space's page, and the forms that join, leave,
mute or follow a space closely, ask to join, decide requests and change
its settings."""

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from feeds import selectors, services
from feeds.models import Space
from feeds.views.feed import before_param, decorate, feed_page, page_context
from feeds.views.writes import back, text_field
from intranet.errors import ServiceError
from intranet.validation import is_text
from profiles.types import AuthedRequest

# Members listed on a space's page; the rest are counted.
MEMBERS_SHOWN = 60


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
