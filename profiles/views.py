import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intranet import plugins
from intranet.errors import ServiceError
from profiles import photos, presence, selectors, services
from profiles.forms import DirectoryForm, OrgForm, ProfileForm, StatusForm, TokenForm
from profiles.models import Department, User
from profiles.roles import is_hr
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
    form = DirectoryForm(
        request.GET,
        departments=Department.objects.all(),
        locations=selectors.directory_locations(),
    )
    valid = form.is_valid()
    data = form.cleaned_data  # only the parts that held
    department = data.get("department")
    page = selectors.directory_page(
        data.get("q", ""),
        department_id=department.pk if department else None,
        location=data.get("location") or None,
        skill=data.get("skill") or None,
        new_starters=data.get("new", False),
        sort=data.get("sort", "name"),
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
            "location": data.get("location", ""),
            "skill": data.get("skill", ""),
            "new": data.get("new", False),
            "filtered": bool(department or data.get("location") or data.get("skill"))
            or data.get("new", False),
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
            "can_edit_org": is_hr(request.user),
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


# The photo's address carries its version (selectors.photo_url), so the
# browser may keep it for good; a new photo is a new address.
PHOTO_CACHE = "private, max-age=31536000, immutable"


@require_GET
def photo(request: AuthedRequest, person_id: int, size: str):
    """An active person's photo, to anyone signed in; 404 otherwise."""
    if size not in photos.SIZES:
        raise Http404("No such size.")
    person = get_object_or_404(User.objects.filter(is_active=True), pk=person_id)
    field = person.photo if size == "large" else person.photo_small
    if not field:
        raise Http404("No photo.")
    try:
        stream = field.open("rb")
    except FileNotFoundError:
        raise Http404("No photo.") from None
    response = FileResponse(stream, content_type="image/webp")
    response["Cache-Control"] = PHOTO_CACHE
    return response


@require_http_methods(["GET", "POST"])
def edit_profile(request: AuthedRequest):
    """Edit one's own profile: photo, pronouns, contact, bio, skills."""
    me = request.user
    form = ProfileForm(
        request.POST or None, request.FILES or None, initial=_initial(me)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            # The photo first: a refused photo leaves the rest unsaved too,
            # so the form comes back exactly as sent.
            made = photos.squares(upload, upload.size) if upload else None
        except ServiceError as exc:
            form.add_error("photo", exc.message)
        else:
            try:
                services.update_profile(me, person_id=me.pk, changes=form.changes())
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                if made is not None:
                    services.set_photo(me, squares=made)
                elif form.cleaned_data["remove_photo"]:
                    services.remove_photo(me)
        if not form.errors:
            messages.success(request, "Your profile is saved.")
            return redirect("profiles:person", me.pk)
    return render(
        request,
        "profiles/edit_profile.html",
        {"form": form, "status_form": _status_form(me)},
        status=400 if request.method == "POST" else 200,
    )


def _initial(me: User) -> dict[str, object]:
    return {
        "pronouns": me.pronouns,
        "phone": me.phone,
        "location": me.location,
        "time_zone": me.time_zone,
        "bio": me.bio,
        "skills": ", ".join(s.name for s in me.skills.all()),
        "links": "\n".join(me.links),
    }


def _status_form(user: User) -> StatusForm:
    return StatusForm(
        initial={
            "emoji": user.status_emoji,
            "text": user.status_text,
        }
        if user.status_now
        else None
    )


@require_POST
def edit_status(request: AuthedRequest):
    """Set or clear one's custom status; back to where it was set."""
    form = StatusForm(request.POST)
    clear = "clear" in request.POST
    if form.is_valid():
        try:
            if clear:
                services.set_status(request.user, emoji="", text="", expires_at=None)
            else:
                services.set_status(
                    request.user,
                    emoji=form.cleaned_data["emoji"],
                    text=form.cleaned_data["text"],
                    expires_at=form.cleaned_data["clear_after"]
                    and form.expires_at(request.user),
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Your status is cleared." if clear else "Your status is set."
            )
            return redirect("profiles:edit_profile")
    return render(
        request,
        "profiles/edit_profile.html",
        {"form": ProfileForm(initial=_initial(request.user)), "status_form": form},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def edit_org(request: AuthedRequest, person_id: int):
    """HR's page for a person's title, department, team, manager and start
    date; 403 for anyone else."""
    if not is_hr(request.user):
        raise PermissionDenied("Only HR can change these details.")
    person = selectors.get_profile(person_id).person
    form = OrgForm(
        request.POST or None,
        initial={
            "title": person.title,
            "department": person.department_id,
            "team": person.team,
            "manager": person.manager.email if person.manager else "",
            "start_date": person.start_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                request.user, person_id=person.pk, changes=form.changes()
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved the details of {person.display_name}.")
            return redirect("profiles:person", person.pk)
    return render(
        request,
        "profiles/edit_org.html",
        {"form": form, "person": person},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def org_chart(request: AuthedRequest, person_id: int):
    """A person's managers up to the top and their direct reports, as a tree."""
    chart = selectors.org_chart(person_id)
    return render(request, "profiles/org_chart.html", {"chart": chart})
