import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intranet.types import AuthedRequest
from profiles import presence, selectors, services
from profiles.forms import TokenForm
from profiles.selectors import tokens_for


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
    return redirect("api_tokens")
