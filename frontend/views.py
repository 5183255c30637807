from django.shortcuts import render
from django.views.decorators.http import require_GET

from feeds import selectors as feeds
from feeds.views import before_param, decorate, feed_page, page_context
from profiles.selectors import new_starters
from profiles.types import AuthedRequest


@require_GET
def home(request: AuthedRequest):
    """The home feed (all my spaces and the people I follow, or only the
    trusted authors), with who started this week beside it."""
    trusted = request.GET.get("view") == "trusted"
    before = before_param(request)
    context = page_context(request)
    posts, older = feed_page(
        lambda **kw: feeds.home_feed(request.user, trusted=trusted, **kw),
        before=before,
    )
    return render(
        request,
        "frontend/home.html",
        {
            "new_starters": new_starters()[:12],
            "posts": decorate(posts, request.user),
            "older": older,
            "older_query": "view=trusted" if trusted else "",
            "before": before,
            "trusted": trusted,
            **context,
        },
    )
