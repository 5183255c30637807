from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from intranet import notifications as notices
from intranet.validation import parse_id
from profiles.selectors import new_starters


@require_GET
def home(request):
    return render(
        request,
        "frontend/home.html",
        {"new_starters": new_starters()[:12]},
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
