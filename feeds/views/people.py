"""Following a person (from their profile)."""

from django.contrib import messages as flash
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_POST

from feeds import services
from feeds.views.writes import back
from intranet.errors import ServiceError
from profiles.types import AuthedRequest


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
