"""Pages for announcements: the composer, a must-read's acknowledgements,
and the forms behind "I've read this", the nudge and verified sources.

Plain forms (they work without JavaScript); feed.js and
acknowledgements.js send the same writes to the REST API instead.
"""

import datetime
import zoneinfo

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feeds import selectors, services
from feeds.announcements_api import acknowledgements_csv
from feeds.models import Space
from feeds.services.announcements.acknowledgements import managed_announcement
from feeds.services.scheduling import get_scheduled_for_user
from feeds.views.writes import back, text_field
from intranet.errors import ServiceError
from intranet.validation import parse_id
from profiles import services as people
from profiles.models import Department, User
from profiles.roles import can_announce
from profiles.types import AuthedRequest


def announceable_spaces(user: User) -> list[Space]:
    """The company-wide space, and the onboarding spaces `user` is in."""
    return list(
        Space.objects.filter(
            Q(kind=Space.Kind.COMPANY)
            | Q(kind=Space.Kind.ONBOARDING, members__user=user)
        )
        .distinct()
        .order_by("kind", "name")
    )


def _local(value: str, user: User, label: str) -> datetime.datetime | None:
    """A datetime-local field, read in the person's own time zone."""
    if not value:
        return None
    try:
        naive = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ServiceError("invalid", f"{label}: give a date and time.") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(user.time_zone))


@require_http_methods(["GET", "POST"])
def new_announcement(request: AuthedRequest):
    """HR's and communicators' composer: now or scheduled, targeted,
    must-read, pinned until."""
    if not can_announce(request.user):
        raise PermissionDenied("Only HR and communicators post announcements.")
    spaces = announceable_spaces(request.user)
    form = request.POST if request.method == "POST" else request.GET
    chosen = parse_id(form.get("space", "")) or (spaces[0].pk if spaces else None)
    if request.method == "POST":
        try:
            announcement = services.announce(
                request.user,
                space_id=chosen or 0,
                body=text_field(request, "body"),
                must_read=request.POST.get("must_read") == "on",
                pinned_until=_local(
                    request.POST.get("pinned_until", ""), request.user, "Pinned until"
                ),
                publish_at=_local(
                    request.POST.get("publish_at", ""), request.user, "Publish at"
                ),
                department_ids=[
                    pk
                    for pk in map(parse_id, request.POST.getlist("departments"))
                    if pk
                ],
                locations=text_field(request, "locations").split(","),
            )
        except ServiceError as exc:
            flash.error(request, exc.message)
        else:
            if announcement.post is None:
                when = timezone.localtime(
                    announcement.publish_at, zoneinfo.ZoneInfo(request.user.time_zone)
                )
                flash.success(
                    request,
                    f"Scheduled: it will be published on {when:%d %b %Y at %H:%M}.",
                )
                return redirect("feeds:new_announcement")
            flash.success(request, "Announcement published.")
            return redirect(announcement.post.get_absolute_url())
    return render(
        request,
        "feeds/announce.html",
        {
            "spaces": spaces,
            "chosen": chosen,
            "departments": Department.objects.order_by("name"),
            "locations": sorted(
                set(
                    User.objects.filter(is_active=True)
                    .exclude(location="")
                    .values_list("location", flat=True)
                )
            ),
            "scheduled": selectors.scheduled_announcements(request.user),
            "form": request.POST if request.method == "POST" else {},
        },
    )


def _local_value(value: datetime.datetime | None, user: User) -> str:
    """A datetime-local field's value, in the person's own time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value, zoneinfo.ZoneInfo(user.time_zone))
    return f"{local:%Y-%m-%dT%H:%M}"


def _scheduled(request: AuthedRequest, announcement_id: int):
    try:
        return get_scheduled_for_user(request.user, announcement_id)
    except ServiceError as exc:
        raise Http404(exc.message) from None


@require_http_methods(["GET", "POST"])
def edit_announcement(request: AuthedRequest, announcement_id: int):
    """Change a scheduled (or held) announcement: its author and HR; once
    it is published, a 409 page that says so."""
    announcement = _scheduled(request, announcement_id)
    user = request.user
    status = 200
    if request.method == "POST":
        try:
            edited = services.edit_scheduled(
                user,
                announcement_id=announcement.pk,
                body=text_field(request, "body"),
                must_read=request.POST.get("must_read") == "on",
                pinned_until=_local(
                    request.POST.get("pinned_until", ""), user, "Pinned until"
                ),
                publish_at=_local(
                    request.POST.get("publish_at", ""), user, "Publish at"
                ),
                department_ids=[
                    pk
                    for pk in map(parse_id, request.POST.getlist("departments"))
                    if pk
                ],
                locations=text_field(request, "locations").split(","),
            )
        except ServiceError as exc:
            flash.error(request, exc.message)
            status = exc.status
        else:
            if edited.post is not None:
                flash.success(request, "Announcement published.")
                return redirect(edited.post.get_absolute_url())
            when = _local_value(edited.publish_at, user).replace("T", " at ")
            flash.success(request, f"Saved: it will be published on {when}.")
            return redirect("feeds:new_announcement")
    elif announcement.is_published:
        status = 409
        flash.error(request, "It is published already: edit the post instead.")
    return render(
        request,
        "feeds/announce_edit.html",
        {
            "announcement": announcement,
            "chosen_departments": {d.pk for d in announcement.departments.all()},
            "departments": Department.objects.order_by("name"),
            "publish_at": _local_value(announcement.publish_at, user),
            "pinned_until": _local_value(announcement.pinned_until, user),
        },
        status=status,
    )


@require_POST
def cancel_announcement(request: AuthedRequest, announcement_id: int):
    announcement = _scheduled(request, announcement_id)
    try:
        services.cancel_scheduled(request.user, announcement_id=announcement.pk)
    except ServiceError as exc:
        flash.error(request, exc.message)
        if announcement.post is not None:
            return redirect(announcement.post.get_absolute_url())
    else:
        flash.success(request, "Cancelled: it will not be published.")
    return redirect("feeds:new_announcement")


def _managed(request: AuthedRequest, post_id: int):
    try:
        return managed_announcement(request.user, post_id)
    except ServiceError as exc:
        raise Http404(exc.message) from None


# ?status= on the acknowledgements page: whom the list shows.
LIST_STATUSES = {"": False, "pending": False, "acknowledged": True}


def _list_filter(request: AuthedRequest) -> tuple[bool, int | None]:
    """Whether the list shows who acknowledged (else who has not yet), and
    the department it is limited to (0: none); ServiceError (400) for
    values no link gives."""
    status = request.GET.get("status", "")
    if status not in LIST_STATUSES:
        raise ServiceError("invalid", "status is pending or acknowledged.")
    department = request.GET.get("department", "")
    department_id = 0 if department == "0" else parse_id(department)
    if department and department_id is None:
        raise ServiceError("invalid", "department must be a department's number.")
    return LIST_STATUSES[status], department_id


@require_GET
def acknowledgements(request: AuthedRequest, post_id: int):
    """Who has and has not acknowledged a must-read: counts by department,
    then one list (not yet, or acknowledged; all departments or one) a
    page at a time; the live count (must-read.js), the nudge and the CSV.
    Its author and HR; 404 for anyone else."""
    post, announcement = _managed(request, post_id)
    summary = selectors.acknowledgement_summary(announcement)
    names, error, status = None, "", 200
    acknowledged, department_id = False, None
    if announcement.must_read:
        try:
            acknowledged, department_id = _list_filter(request)
            names = selectors.reader_page(
                announcement,
                acknowledged=acknowledged,
                department_id=department_id,
                after=request.GET.get("after", ""),
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status
    department = None
    if department_id is not None:
        department = summary.department(department_id) or selectors.DepartmentLine(
            "that department", 0, 0, 0, department_id
        )
    return render(
        request,
        "feeds/acknowledgements.html",
        {
            "post": post,
            "announcement": announcement,
            "summary": summary,
            "names": names,
            "error": error,
            "listing_acknowledged": acknowledged,
            "department": department,
        },
        status=status,
    )


@require_GET
def acknowledgements_file(request: AuthedRequest, post_id: int):
    post, announcement = _managed(request, post_id)
    return acknowledgements_csv(post.pk, selectors.acknowledgement_report(announcement))


@require_POST
def acknowledge(request: AuthedRequest, post_id: int):
    found = selectors.get_post_for_user(request.user, post_id)
    try:
        services.acknowledge(request.user, post_id=found.pk)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Thank you: your acknowledgement is recorded.")
    return back(request, found.get_absolute_url())


@require_POST
def nudge(request: AuthedRequest, post_id: int):
    """Nudge the rest of a must-read's readers: its author and HR; a 404
    for anyone else, as its acknowledgements page."""
    found, _ = _managed(request, post_id)
    try:
        count = services.nudge(request.user, post_id=found.pk)
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(
            request, f"Nudged {count} {'person' if count == 1 else 'people'}."
        )
    return back(request, found.get_absolute_url())


@require_POST
def verify(request: AuthedRequest, person_id: int):
    try:
        person = people.set_verified(
            request.user,
            person_id=person_id,
            verified=request.POST.get("verified") != "0",
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return back(request, "/")
    flash.success(
        request,
        f"{person.display_name} is {'now' if person.is_verified else 'no longer'} "
        "a verified source.",
    )
    return back(request, f"/people/{person.pk}/")
