"""Onboarding's pages: parse, check access, call one service, render.

Every write is a plain form, so the pages work without JavaScript; with it,
onboarding/js/journey.js completes steps over REST without a reload. A
refusal comes back as an error flash, never as a 500.
"""

import datetime

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feeds.selectors import get_post_for_user
from intranet import sync
from intranet.errors import ServiceError
from intranet.validation import parse_id
from messaging.selectors import get_message_for_user
from onboarding import access, imports, nav, selectors, services
from onboarding.forms import (
    BuddyForm,
    EnrollForm,
    ImportForm,
    JourneyForm,
    StepForm,
    TaskForm,
)
from onboarding.models import Journey, Step
from profiles import roles
from profiles.models import User
from profiles.types import AuthedRequest


def _hr_only(request: AuthedRequest) -> None:
    if not roles.is_hr(request.user):
        raise PermissionDenied("Only HR manages onboarding.")


@require_GET
def board(request: AuthedRequest):
    """HR's board of every running journey; a manager's of their reports.
    A page at a time (`?after=` a page's cursor); a cursor no page gave
    shows a 400 with a link back to the start."""
    user = request.user
    try:
        scope = selectors.board_scope(user)
    except ServiceError as refused:
        raise PermissionDenied(refused.message) from None
    nav.refresh(request)
    today = timezone.localdate()
    after = request.GET.get("after", "")
    page, error, status = None, "", 200
    try:
        page = selectors.board_page(user, today, scope=scope, after=after)
    except ServiceError as exc:
        error, status = exc.message, exc.status
    return render(
        request,
        "onboarding/board.html",
        {
            "summary": selectors.board_summary(user, today, scope=scope),
            "page": page,
            "after": after,
            "error": error,
            "scope": scope,
            "quiet_after": selectors.QUIET_AFTER_DAYS,
        },
        status=status,
    )


@require_GET
def me(request: AuthedRequest):
    """My first weeks: my own running journey."""
    nav.refresh(request)
    enrollment = selectors.active_enrollment(request.user)
    if enrollment is None:
        return render(request, "onboarding/none.html")
    return _journey_page(request, enrollment)


@require_GET
def journey(request: AuthedRequest, enrollment_id: int):
    """Someone's journey, for them, their manager, their buddy and HR."""
    enrollment = selectors.get_enrollment_for_user(request.user, enrollment_id)
    return _journey_page(request, enrollment)


def _journey_page(request: AuthedRequest, enrollment):
    # The cursor before the tasks: a change committed in between is
    # replayed by the tab's first catch-up instead of being missed.
    cursor = sync.latest_cursor()
    today = timezone.localdate()
    checklist = selectors.checklist(enrollment, today)
    user = request.user
    for tasks in checklist.groups.values():
        for task in tasks:
            task.enrollment = enrollment
            task.may_complete = access.may_complete(user, task)  # type: ignore[attr-defined]
    return render(
        request,
        "onboarding/journey.html",
        {
            "enrollment": enrollment,
            "checklist": checklist,
            "own": enrollment.person_id == user.pk,
            "day": enrollment.day(today),
            "contacts": selectors.people_to_meet(enrollment),
            "away": selectors.while_away(enrollment),
            "spaces": selectors.spaces_of(enrollment.person),
            "may_change_buddy": access.may_change_buddy(user, enrollment),
            "may_end": enrollment.is_active and roles.is_hr(user),
            "buddy_form": BuddyForm(),
            "cursor": cursor,
        },
    )


@require_POST
def task_done(request: AuthedRequest, task_id: int):
    task = selectors.get_task_for_user(request.user, task_id)
    done = request.POST.get("done", "1") != "0"
    try:
        services.set_task_done(request.user, task=task, done=done)
    except ServiceError as error:
        flash.error(request, error.message)
    if request.POST.get("next") == "tasks":
        return redirect(reverse("onboarding:tasks"))
    if task.enrollment is None:
        return redirect("onboarding:tasks")
    if task.enrollment.person_id == request.user.pk:
        return redirect(reverse("onboarding:me") + f"#task-{task.pk}")
    return redirect(
        reverse("onboarding:journey", args=[task.enrollment_id]) + f"#task-{task.pk}"
    )


@require_GET
def my_tasks(request: AuthedRequest):
    """Every open task I own, across journeys and tasks from posts and
    messages: late, due today, this week, later; done in one click."""
    nav.refresh(request)
    mine = selectors.my_tasks(request.user, timezone.localdate())
    for tasks in mine.groups.values():
        for task in tasks:
            task.source_url = selectors.source_url(task)  # type: ignore[attr-defined]
    return render(
        request,
        "onboarding/tasks.html",
        {"mine": mine, "labels": selectors.MY_GROUPS},
    )


def _task_source(request: AuthedRequest) -> tuple[int | None, int | None, object]:
    """The post or message a new task is made from (?post= or ?message=),
    read as `request.user`: a 404 for anyone who cannot."""
    form = request.POST if request.method == "POST" else request.GET
    post_id = parse_id(form.get("post", "")) or None
    message_id = parse_id(form.get("message", "")) or None
    if (post_id is None) == (message_id is None):
        raise Http404("Make a task from one post or one message.")
    if post_id is not None:
        return post_id, None, get_post_for_user(request.user, post_id)
    return None, message_id, get_message_for_user(request.user, message_id or 0)


@require_http_methods(["GET", "POST"])
def new_task(request: AuthedRequest):
    """ "Make this a task" from a post or a message: for me or someone who
    can read it too."""
    post_id, message_id, source = _task_source(request)
    body = " ".join(getattr(source, "body", "").split())
    form = TaskForm(
        request.POST or None,
        initial={
            "title": body[:80],
            "due_date": timezone.localdate() + datetime.timedelta(days=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["assignee_email"]
        assignee = (
            User.objects.filter(email__iexact=email, is_active=True).first()
            if email
            else request.user
        )
        if assignee is None:
            form.add_error("assignee_email", "No one works here with that email.")
        else:
            try:
                services.create_task(
                    request.user,
                    title=form.cleaned_data["title"],
                    assignee=assignee,
                    due_date=form.cleaned_data["due_date"],
                    post_id=post_id,
                    message_id=message_id,
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                if assignee.pk == request.user.pk:
                    flash.success(request, "Added to your tasks.")
                    return redirect("onboarding:tasks")
                flash.success(request, f"Task given to {assignee.display_name}.")
                return redirect(request.POST.get("back") or "onboarding:tasks")
    return render(
        request,
        "onboarding/task_new.html",
        {
            "form": form,
            "post_id": post_id,
            "message_id": message_id,
            "source": source,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def change_buddy(request: AuthedRequest, enrollment_id: int):
    enrollment = selectors.get_enrollment_for_user(request.user, enrollment_id)
    form = BuddyForm(request.POST)
    here = reverse("onboarding:journey", args=[enrollment.pk])
    if not form.is_valid():
        flash.error(request, "Give the buddy's work email.")
        return redirect(here)
    buddy = User.objects.filter(
        email__iexact=form.cleaned_data["email"], is_active=True
    ).first()
    if buddy is None:
        flash.error(request, "No one works here with that email.")
        return redirect(here)
    try:
        services.set_buddy(request.user, enrollment=enrollment, buddy=buddy)
    except ServiceError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, f"{buddy.display_name} is the buddy now.")
    return redirect(here)


@require_POST
def end_journey(request: AuthedRequest, enrollment_id: int):
    """HR: take a journey off the board; its page stays, saying so."""
    enrollment = selectors.get_enrollment_for_user(request.user, enrollment_id)
    try:
        services.end_enrollment(request.user, enrollment=enrollment)
    except ServiceError as error:
        flash.error(request, error.message)
        return redirect("onboarding:journey", enrollment.pk)
    flash.success(
        request, f"{enrollment.person.display_name}'s journey has ended: off the board."
    )
    return redirect("onboarding:board")


# HR's pages ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def journeys(request: AuthedRequest):
    """HR: every journey, and a form for a new one."""
    _hr_only(request)
    form = JourneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_journey(request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            return redirect("onboarding:edit_journey", made.pk)
    listed = Journey.objects.order_by("kind", "name").prefetch_related("steps")
    return render(
        request,
        "onboarding/journeys.html",
        {"journeys": listed, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def edit_journey(request: AuthedRequest, journey_id: int):
    """HR: a journey's name and kind, its steps, and a form for one more."""
    _hr_only(request)
    journey = Journey.objects.filter(pk=journey_id).first()
    if journey is None:
        raise Http404("No such journey.")
    form = JourneyForm(
        request.POST if "save_journey" in request.POST else None,
        initial={"name": journey.name, "kind": journey.kind},
    )
    step_form = StepForm(request.POST if "add_step" in request.POST else None)
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                services.update_journey(
                    request.user, journey_id=journey.pk, **form.cleaned_data
                )
                flash.success(request, "Saved.")
                return redirect("onboarding:edit_journey", journey.pk)
            if step_form.is_bound and step_form.is_valid():
                services.add_step(
                    request.user, journey_id=journey.pk, **step_form.cleaned_data
                )
                flash.success(request, "Step added.")
                return redirect("onboarding:edit_journey", journey.pk)
        except ServiceError as error:
            (form if form.is_bound else step_form).add_error(None, error.message)
    return render(
        request,
        "onboarding/journey_edit.html",
        {
            "journey": journey,
            "form": form,
            "step_form": step_form,
            "steps": journey.steps.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def edit_step(request: AuthedRequest, step_id: int):
    _hr_only(request)
    step = Step.objects.select_related("journey").filter(pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    back = reverse("onboarding:edit_journey", args=[step.journey_id])
    if request.method == "POST" and "delete" in request.POST:
        services.delete_step(request.user, step_id=step.pk)
        flash.success(request, f"Step “{step.title}” removed.")
        return redirect(back)
    form = StepForm(
        request.POST or None,
        initial={
            "title": step.title,
            "owner": step.owner,
            "due_day": step.due_day,
            "description": step.description,
            "link": step.link,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_step(request.user, step_id=step.pk, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, "Step saved.")
            return redirect(back)
    return render(
        request,
        "onboarding/step_edit.html",
        {"step": step, "form": form},
        status=400 if form.errors else 200,
    )


def _person_by_email(form: EnrollForm, field: str) -> User | None:
    email = form.cleaned_data.get(field)
    if not email:
        return None
    person = User.objects.filter(email__iexact=email, is_active=True).first()
    if person is None:
        form.add_error(field, "No one works here with that email.")
    return person


@require_http_methods(["GET", "POST"])
def enroll(request: AuthedRequest):
    """HR: enroll one person. "Propose a buddy" shows who would be
    proposed, in the buddy field, to keep or change; "Enroll" enrolls."""
    _hr_only(request)
    form = EnrollForm(request.POST or None)
    proposed = None
    if request.method == "POST" and form.is_valid():
        person = _person_by_email(form, "email")
        buddy = _person_by_email(form, "buddy_email")
        if person is not None and "propose" in request.POST:
            proposed = services.propose_buddy(person)
            data = request.POST.copy()
            data["buddy_email"] = proposed.email if proposed else ""
            form = EnrollForm(data)
            form.is_valid()
        elif person is not None and not form.errors:
            try:
                enrollment, created = services.enroll(
                    person,
                    start_date=form.cleaned_data["start_date"],
                    journey=form.cleaned_data["journey"],
                    buddy=buddy,
                    by=request.user,
                    away_since=form.cleaned_data.get("away_since"),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                flash.success(
                    request,
                    f"{person.display_name} is enrolled."
                    if created
                    else f"{person.display_name} was on this journey already.",
                )
                return redirect("onboarding:journey", enrollment.pk)
    return render(
        request,
        "onboarding/enroll.html",
        {"form": form, "proposed": proposed, "proposing": "propose" in request.POST},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def import_starters(request: AuthedRequest):
    """HR: upload a CSV of new starters; each bad row is listed by line."""
    _hr_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                text = imports.decode(form.cleaned_data["file"].read())
                result = imports.import_starters(
                    request.user, text=text, journey=form.cleaned_data["journey"]
                )
            except ServiceError as error:
                form.add_error("file", error.message)
        if form.errors:
            status = 400
    return render(
        request,
        "onboarding/import.html",
        {"form": form, "result": result, "columns": imports.COLUMNS},
        status=status,
    )
