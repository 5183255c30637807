"""REST endpoints for onboarding: parse, check access, call one service,
answer one of the schemas below (the socket's shapes, onboarding.events).

HR manages journeys and enrollments; the board answers HR with every
running journey and a manager with their reports'; a journey is visible to
its starter, their manager, their buddy and HR, and a 404 to anyone else.
"""

import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from intranet.api import ERRORS, require_scope
from intranet.errors import ServiceError
from intranet.validation import Id, Text
from onboarding import access, events, selectors, services
from onboarding.models import Enrollment, Journey, Step
from onboarding.services import journeys as journey_services
from onboarding.services.journeys import FIRST_DAY, LAST_DAY
from profiles.models import User
from profiles.types import AuthedRequest

router = Router(tags=["onboarding"])

Kind = Literal["new_starter", "returner"]
Owner = Literal["starter", "manager", "buddy", "hr", "it"]
State = Literal["late", "due", "upcoming", "done"]


# Out ---------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    initials: str


class StepOut(Schema):
    id: int
    title: str
    description: str
    html: str
    owner: Owner
    due_day: int
    link: str


class JourneyOut(Schema):
    id: int
    name: str
    kind: Kind
    steps: list[StepOut]


class TaskOut(Schema):
    """A task; `owner` is its step's role (null outside a journey), `state`
    late, due (within a week), upcoming or done."""

    id: int
    title: str
    assignee: PersonOut | None
    owner: Owner | None
    due_date: str
    status: Literal["open", "done"]
    state: State
    done_at: str | None
    enrollment: int | None


class ProgressOut(Schema):
    id: int
    total: int
    done: int
    late: int
    percent: int


class EnrollmentOut(Schema):
    """A running (or ended) journey with its tasks, by due date."""

    id: int
    person: PersonOut
    journey: JourneyOut
    start_date: str
    buddy: PersonOut | None
    manager: PersonOut | None
    space: int | None
    ended: bool
    progress: ProgressOut
    tasks: list[TaskOut]


class BoardRowOut(Schema):
    """A row of the board: `quiet` is set for someone past day 7 who has
    neither posted, commented nor sent a message."""

    id: int
    person: PersonOut
    journey: str
    start_date: str
    day: int
    buddy: PersonOut | None
    manager: PersonOut | None
    progress: ProgressOut
    quiet: bool


class BoardOut(Schema):
    """The board: `running` journeys, how many have `late` steps and how
    many starters are `quiet`, counted over the whole board;
    `enrollments` one page of it, earliest start first (`next`: the
    cursor of the next page, null on the last)."""

    running: int
    late: int
    quiet: int
    enrollments: list[BoardRowOut]
    next: str | None


# In ----------------------------------------------------------------------


class BoardQuery(Schema):
    """`after`: the `next` of the page before; `limit`: rows a page."""

    after: str = Field(default="", max_length=1000)
    limit: int = Field(default=selectors.BOARD_PAGE, ge=1, le=selectors.BOARD_PAGE_MAX)


class JourneyIn(Schema):
    name: Text = Field(max_length=120)
    kind: Kind


class JourneyPatch(Schema):
    name: Text | None = Field(None, max_length=120)
    kind: Kind | None = None


class StepIn(Schema):
    title: Text = Field(max_length=200)
    owner: Owner
    due_day: int = Field(ge=FIRST_DAY, le=LAST_DAY)
    description: Text = Field("", max_length=5000)
    link: Text = Field("", max_length=200)


class EnrollmentIn(Schema):
    """Enroll one person (by id) on a journey from a date; `buddy` is
    proposed when left out; a returner's `away_since` is the day their
    leave began."""

    person: Id
    journey: Id
    start_date: datetime.date
    buddy: Id | None = None
    away_since: datetime.date | None = None


class EnrollmentPatch(Schema):
    buddy: Id


class TaskPatch(Schema):
    done: bool


class TaskIn(Schema):
    """A task from one post or one message you can read, for you
    (`assignee` left out) or someone who can read it too."""

    title: Text = Field(max_length=200)
    due_date: datetime.date
    assignee: Id | None = None
    post: Id | None = None
    message: Id | None = None


class MyTaskOut(TaskOut):
    """An open task of yours; `source` links to the post, message or
    journey it came from."""

    source: str


# Builders ----------------------------------------------------------------


def _step(step: Step) -> dict:
    return {
        "id": step.pk,
        "title": step.title,
        "description": step.description,
        "html": step.description_html,
        "owner": step.owner,
        "due_day": step.due_day,
        "link": step.link,
    }


def _journey(journey: Journey) -> dict:
    return {
        "id": journey.pk,
        "name": journey.name,
        "kind": journey.kind,
        "steps": [_step(s) for s in journey.steps.all()],
    }


def _enrollment(enrollment: Enrollment) -> dict:
    today = timezone.localdate()
    checklist = selectors.checklist(enrollment, today)
    tasks = sorted(
        (t for group in checklist.groups.values() for t in group),
        key=lambda t: (t.due_date, t.pk),
    )
    return {
        "id": enrollment.pk,
        "person": events.person_data(enrollment.person),
        "journey": _journey(enrollment.journey),
        "start_date": enrollment.start_date.isoformat(),
        "buddy": events.person_data(enrollment.buddy),
        "manager": events.person_data(enrollment.person.manager),
        "space": enrollment.space_id,
        "ended": not enrollment.is_active,
        "progress": events.progress_data(
            enrollment,
            total=checklist.total,
            done=checklist.done,
            late=checklist.late,
        ),
        "tasks": [events.task_data(t, today) for t in tasks],
    }


def _person(person_id: int | None) -> User | None:
    if person_id is None:
        return None
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise ServiceError("unknown_person", "No one works here with that id.")
    return person


# Journeys ----------------------------------------------------------------


@router.get("/onboarding/journeys", response={200: list[JourneyOut], **ERRORS})
def list_journeys(request: AuthedRequest):
    """Every journey with its steps; HR only."""
    require_scope(request, "read")
    access.require_hr(request.user)
    return [_journey(j) for j in Journey.objects.prefetch_related("steps")]


@router.post("/onboarding/journeys", response={201: JourneyOut, **ERRORS})
def create_journey(request: AuthedRequest, data: JourneyIn):
    require_scope(request, "write")
    journey = services.create_journey(request.user, name=data.name, kind=data.kind)
    return Status(201, _journey(journey))


@router.get("/onboarding/journeys/{journey_id}", response={200: JourneyOut, **ERRORS})
def get_journey(request: AuthedRequest, journey_id: Id):
    require_scope(request, "read")
    access.require_hr(request.user)
    return _journey(journey_services.get_journey(journey_id))


@router.patch("/onboarding/journeys/{journey_id}", response={200: JourneyOut, **ERRORS})
def update_journey(request: AuthedRequest, journey_id: Id, data: JourneyPatch):
    require_scope(request, "write")
    journey = services.update_journey(
        request.user, journey_id=journey_id, name=data.name, kind=data.kind
    )
    return _journey(journey)


@router.post(
    "/onboarding/journeys/{journey_id}/steps", response={201: StepOut, **ERRORS}
)
def add_step(request: AuthedRequest, journey_id: Id, data: StepIn):
    require_scope(request, "write")
    step = services.add_step(request.user, journey_id=journey_id, **data.dict())
    return Status(201, _step(step))


@router.put("/onboarding/steps/{step_id}", response={200: StepOut, **ERRORS})
def update_step(request: AuthedRequest, step_id: Id, data: StepIn):
    require_scope(request, "write")
    return _step(services.update_step(request.user, step_id=step_id, **data.dict()))


@router.delete("/onboarding/steps/{step_id}", response={204: None, **ERRORS})
def delete_step(request: AuthedRequest, step_id: Id):
    require_scope(request, "write")
    services.delete_step(request.user, step_id=step_id)
    return Status(204, None)


# Enrollments and tasks ---------------------------------------------------


@router.get("/onboarding/enrollments", response={200: BoardOut, **ERRORS})
def board(request: AuthedRequest, query: Query[BoardQuery]):
    """The board: every running journey for HR, a manager's reports' for a
    manager (403 for anyone else); counts over the whole board and a page
    of its rows, earliest start first (follow `next` with `after`; 400
    for a cursor no page gave)."""
    require_scope(request, "read")
    user = request.user
    today = timezone.localdate()
    scope = selectors.board_scope(user)
    page = selectors.board_page(
        user, today, scope=scope, after=query.after, limit=query.limit
    )
    summary = selectors.board_summary(user, today, scope=scope)
    return {
        "running": summary.running,
        "late": summary.late,
        "quiet": summary.quiet,
        "enrollments": [
            {
                "id": row.enrollment.pk,
                "person": events.person_data(row.enrollment.person),
                "journey": row.enrollment.journey.name,
                "start_date": row.enrollment.start_date.isoformat(),
                "day": row.day,
                "buddy": events.person_data(row.enrollment.buddy),
                "manager": events.person_data(row.enrollment.person.manager),
                "progress": events.progress_data(
                    row.enrollment, total=row.total, done=row.done, late=row.late
                ),
                "quiet": row.quiet,
            }
            for row in page.rows
        ],
        "next": page.next,
    }


@router.post(
    "/onboarding/enrollments",
    response={200: EnrollmentOut, 201: EnrollmentOut, **ERRORS},
)
def enroll(request: AuthedRequest, data: EnrollmentIn):
    """Enroll one person; HR only. 201 when new, 200 when they were on this
    journey from this date already (nothing changes)."""
    require_scope(request, "write")
    access.require_hr(request.user)
    person = _person(data.person)
    journey = Journey.objects.filter(pk=data.journey).first()
    if journey is None:
        raise ServiceError("not_found", "No such journey.", status=404)
    assert person is not None
    enrollment, created = services.enroll(
        person,
        start_date=data.start_date,
        journey=journey,
        buddy=_person(data.buddy),
        by=request.user,
        away_since=data.away_since,
    )
    found = selectors.get_enrollment_for_user(request.user, enrollment.pk)
    return Status(201 if created else 200, _enrollment(found))


@router.get(
    "/onboarding/enrollments/{enrollment_id}", response={200: EnrollmentOut, **ERRORS}
)
def get_enrollment(request: AuthedRequest, enrollment_id: Id):
    require_scope(request, "read")
    return _enrollment(selectors.get_enrollment_for_user(request.user, enrollment_id))


@router.patch(
    "/onboarding/enrollments/{enrollment_id}", response={200: EnrollmentOut, **ERRORS}
)
def change_buddy(request: AuthedRequest, enrollment_id: Id, data: EnrollmentPatch):
    """Change the buddy: HR or the person's manager."""
    require_scope(request, "write")
    enrollment = selectors.get_enrollment_for_user(request.user, enrollment_id)
    buddy = _person(data.buddy)
    assert buddy is not None
    services.set_buddy(request.user, enrollment=enrollment, buddy=buddy)
    return _enrollment(selectors.get_enrollment_for_user(request.user, enrollment_id))


@router.post(
    "/onboarding/enrollments/{enrollment_id}/end",
    response={200: EnrollmentOut, **ERRORS},
)
def end_enrollment(request: AuthedRequest, enrollment_id: Id):
    """End a journey: HR only. It leaves the board and its tasks stay as
    they are; ending an ended journey changes nothing."""
    require_scope(request, "write")
    enrollment = selectors.get_enrollment_for_user(request.user, enrollment_id)
    services.end_enrollment(request.user, enrollment=enrollment)
    return _enrollment(selectors.get_enrollment_for_user(request.user, enrollment_id))


@router.patch("/onboarding/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def set_task_done(request: AuthedRequest, task_id: Id, data: TaskPatch):
    """Mark a task done or open; the starter, the step's owner, or HR for
    HR's and IT's steps (403 for others who see it, 404 for the rest)."""
    require_scope(request, "write")
    task = selectors.get_task_for_user(request.user, task_id)
    task = services.set_task_done(request.user, task=task, done=data.done)
    return events.task_data(task, timezone.localdate())


def _my_task(task, today: datetime.date) -> dict:
    return {**events.task_data(task, today), "source": selectors.source_url(task)}


@router.get("/tasks", response={200: list[MyTaskOut], **ERRORS})
def my_tasks(request: AuthedRequest):
    """Every open task you own, by due date: journey steps (as starter,
    manager, buddy or HR) and tasks made from posts and messages."""
    require_scope(request, "read")
    today = timezone.localdate()
    mine = selectors.my_tasks(request.user, today)
    return [_my_task(t, today) for group in mine.groups.values() for t in group]


@router.post("/tasks", response={201: MyTaskOut, **ERRORS})
def create_task(request: AuthedRequest, data: TaskIn):
    """Make a task from a post or a message (404 if you cannot read it;
    403 if the assignee cannot)."""
    require_scope(request, "write")
    assignee = _person(data.assignee) or request.user
    task = services.create_task(
        request.user,
        title=data.title,
        assignee=assignee,
        due_date=data.due_date,
        post_id=data.post,
        message_id=data.message,
    )
    return Status(201, _my_task(task, timezone.localdate()))
