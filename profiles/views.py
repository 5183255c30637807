import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intranet import plugins
from profiles import presence, selectors, services
from profiles.forms import DirectoryForm, TokenForm
from profiles.models import Department
from profiles.selectors import tokens_for
from profiles.types import AuthedRequest

# 5,000 people are a hundred pages: the search and the filter are the way
# to anyone, the pages a way to browse.
PEOPLE_PER_PAGE = 50


@require_GET
def directory(request: AuthedRequest):
    """Everyone active, by name: search, a department, a page by cursor.

    A part of the query string that does not hold (a broken cursor, an
    unknown department) is left out and the page says so, with a 400.
    """
    form = DirectoryForm(request.GET, departments=Department.objects.all())
    valid = form.is_valid()
    data = form.cleaned_data  # only the parts that held
    department = data.get("department")
    page = selectors.directory_page(
        data.get("q", ""),
        department_id=department.pk if department else None,
        after=data.get("after"),
        before=data.get("before"),
        limit=PEOPLE_PER_PAGE,
    )
    return render(
        request,
        "profiles/directory.html",
        {
            "form": form,
            "query": data.get("q", ""),
            "department": department,
            "page": page,
            "presence": presence.statuses(p.pk for p in page.people),
        },
        status=200 if valid else 400,
    )


@require_GET
def person(request: AuthedRequest, person_id: int):
    """One person's profile; 404 for an unknown or deactivated person."""
    profile = selectors.get_profile(person_id)
    shown = [profile.person, *profile.reports]
    if profile.manager is not None:
        shown.append(profile.manager)
    return render(
        request,
        "profiles/person.html",
        {
            "profile": profile,
            "person": profile.person,
            "is_me": profile.person.pk == request.user.pk,
            "today": timezone.localdate(),
            "presence": presence.statuses(p.pk for p in shown),
            # What other apps show of this person (feeds: spaces and posts).
            "sections": plugins.profile_sections(request.user, profile.person),
        },
    )


@require_http_methods(["GET", "POST"])
def tokens(request):
    """List the user's API tokens and create one (shown once)."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_at"]
        expires_at = (
            datetime.datetime.combine(
                expires_on, datetime.time.max, tzinfo=datetime.UTC
            )
            if expires_on
            else None
        )
        try:
            _, new_token = services.create_api_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    status = 400 if request.method == "POST" and new_token is None else 200
    return render(
        request,
        "profiles/tokens.html",
        {
            "form": form,
            "tokens": tokens_for(request.user),
            "new_token": new_token,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(tokens_for(request.user), pk=token_id)
    services.revoke_api_token(request.user, token=token)
    messages.success(request, f"Revoked “{token.name}”.")
    return redirect("profiles:api_tokens")
