from django.shortcuts import render
from django.views.decorators.http import require_GET

from profiles.selectors import new_starters


@require_GET
def home(request):
    return render(
        request,
        "frontend/home.html",
        {"new_starters": new_starters()[:12]},
    )
