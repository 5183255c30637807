from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_http_methods

from feeds import selectors as feeds
from feeds.views import before_param, decorate, feed_page, page_context
from frontend import search as searching
from frontend.forms import SearchForm
from intranet import notifications as notices
from intranet.errors import ServiceError
from intranet.validation import parse_id
from messaging.selectors import conversation_summaries
from profiles.models import User
from profiles.selectors import new_starters
from profiles.types import AuthedRequest


@require_GET
def home(request: AuthedRequest):
    """The home feed (all my spaces and the people I follow, or only the
    trusted authors), with who started this week beside it."""
    trusted = request.GET.get("view") == "trusted"
    # Worked out once: the feed's query and the page (feed.js sorts live
    # posts by it) both need it.
    rule = feeds.trust_rule(request.user) if trusted else None
    before = before_param(request)
    context = page_context(request)
    posts, older = feed_page(
        lambda **kw: feeds.home_feed(request.user, trust=rule, **kw),
        before=before,
    )
    return render(
        request,
        "frontend/home.html",
        {
            "new_starters": new_starters()[:12],
            "posts": decorate(posts, request.user, hosts={request.get_host().lower()}),
            "older": older,
            "older_query": "view=trusted" if trusted else "",
            "before": before,
            "trusted": trusted,
            "trust_rule": rule,
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def notifications(request):
    """The list of what happened for me; POST marks one (id) or all read."""
    if request.method == "POST":
        raw = request.POST.get("id", "")
        one = parse_id(raw)
        if raw and one is None:  # a forged id: say so, never a 500
            messages.error(request, "That is not a notification.")
            return redirect("notifications")
        notices.mark_read(request.user.pk, ids=None if one is None else [one])
        return redirect("notifications")
    before = parse_id(request.GET.get("before", ""))
    page = notices.recent(request.user.pk, before=before)
    return render(
        request,
        "frontend/notifications.html",
        {
            "notifications": page,
            "next_before": page[-1].pk if len(page) == notices.PAGE else None,
        },
    )


@login_not_required
@require_GET
def favicon(request):
    """Send browsers that ask for /favicon.ico on their own (the admin, the
    health check, a JSON answer) to the icon every page names."""
    return redirect(static("frontend/favicon.svg"))


@require_GET
def search(request: AuthedRequest):
    """Search people, spaces, posts and comments, and messages, grouped by
    kind; without a query, say how."""
    form = SearchForm(request.GET)
    groups = None
    status = 200
    if not form.is_valid():
        status = 400
    elif "q" in request.GET:
        data = form.cleaned_data
        try:
            groups = searching.search_everything(
                request.user,
                data["q"],
                searching.Filters(
                    kind=data["kind"] or None,
                    space=data["space"],
                    conversation=data["conversation"],
                    author=data["author"],
                    after=data["after"],
                    before=data["before"],
                    cursor=data["cursor"] or None,
                    sort=data["sort"] or "relevance",
                ),
            )
        except ServiceError as exc:
            form.add_error("q", exc.message)
            status = 400
    author_id = form.cleaned_data.get("author") if form.is_bound else None
    return render(
        request,
        "frontend/search.html",
        {
            "form": form,
            "groups": groups,
            "kinds": searching.KIND_LABELS,
            "conversations": conversation_summaries(request.user),
            "author": User.objects.filter(pk=author_id).first() if author_id else None,
        },
        status=status,
    )
