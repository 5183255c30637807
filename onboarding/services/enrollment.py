"""Enrolling people in a journey, and their buddies.

Enrolling is idempotent: a person has at most one running journey (a
partial unique constraint), and enrolling them again in the same journey
from the same date returns it unchanged. Everything else it does goes
through feeds' own services, so the cohort space's chat, the team space and
the company-wide space stay as feeds keeps them.
"""

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from feeds import services as feeds
from feeds.models import Space
from feeds.services.spaces import _add, lock_space
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.ratelimit import exempt
from intranet.realtime import publish_on_commit, record
from onboarding import events
from onboarding.access import may_change_buddy, require_hr
from onboarding.models import Enrollment, Journey, Step, Task
from profiles.models import User

# A buddy looks after at most this many people at once.
MAX_BUDDIES = 3


def cohort_name(start_date: datetime.date) -> str:
    return f"Starters — {start_date:%B %Y}"


def cohort_space(start_date: datetime.date, *, by: User) -> Space:
    """Return the onboarding space of `start_date`'s month, made once."""
    name = cohort_name(start_date)
    space = (
        Space.objects.filter(kind=Space.Kind.ONBOARDING, name=name)
        .order_by("pk")
        .first()
    )
    if space is not None:
        return space
    return feeds.create_space(
        by,
        name=name,
        kind=Space.Kind.ONBOARDING,
        visibility=Space.Visibility.CLOSED,
        description=f"New starters of {start_date:%B %Y}: questions, tips and "
        "people to meet. HR and IT read its chat.",
    )


def _utc_offset(time_zone: str, when: datetime.datetime) -> float:
    try:
        offset = when.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset else 0.0


def propose_buddy(person: User) -> User | None:
    """Propose a buddy: someone active outside `person`'s department, with
    fewer than MAX_BUDDIES people to look after now, in the nearest time
    zone; among equals the fewest buddies, the longest-serving, the lowest
    id, so the same company always proposes the same person."""
    busy = {
        row["buddy"]: row["n"]
        for row in Enrollment.objects.filter(ended_at__isnull=True, buddy__isnull=False)
        .values("buddy")
        .annotate(n=Count("pk"))
    }
    candidates = User.objects.filter(is_active=True).exclude(pk=person.pk)
    if person.department_id is not None:
        candidates = candidates.exclude(department_id=person.department_id)
    if person.manager_id is not None:
        candidates = candidates.exclude(pk=person.manager_id)
    # Someone still onboarding cannot show the way yet.
    candidates = candidates.exclude(
        pk__in=Enrollment.objects.filter(ended_at__isnull=True).values("person_id")
    )
    now = timezone.now()
    theirs = _utc_offset(person.time_zone, now)
    offsets: dict[str, float] = {}  # a company has few time zones
    best: tuple | None = None
    chosen = None
    for candidate in candidates.only("pk", "time_zone", "start_date"):
        load = busy.get(candidate.pk, 0)
        if load >= MAX_BUDDIES:
            continue
        zone = candidate.time_zone
        if zone not in offsets:
            offsets[zone] = _utc_offset(zone, now)
        key = (
            abs(offsets[zone] - theirs),
            load,
            candidate.start_date or datetime.date.min,
            candidate.pk,
        )
        if best is None or key < best:
            best, chosen = key, candidate
    if chosen is None:
        return None
    return User.objects.get(pk=chosen.pk)


def _assignee(owner: str, enrollment: Enrollment, by: User) -> User:
    """Who does a step: the starter, their manager, their buddy; HR's and
    IT's steps go to the enroller (there is no IT role: HR passes them
    on). A step whose person is missing (no manager yet) goes to the
    enroller too, so nothing is left without an owner."""
    person = enrollment.person
    if owner == Step.Owner.STARTER:
        return person
    if owner == Step.Owner.MANAGER and person.manager is not None:
        return person.manager
    if owner == Step.Owner.BUDDY and enrollment.buddy is not None:
        return enrollment.buddy
    return by


def welcome_text(person: User) -> str:
    title = f", our new {person.title}" if person.title else ""
    team = f" in {person.department.name}" if person.department else ""
    profile = reverse("profiles:person", args=[person.pk])
    start = f"{person.start_date:%A %-d %B}" if person.start_date else "soon"
    return (
        f"Please welcome @**{person.display_name}**{title}{team}! 👋\n\n"
        f"They start on {start}. Say hello here or in this space's chat, "
        f"and read more about them [on their profile]({profile})."
    )


def enroll(
    person: User,
    *,
    start_date: datetime.date,
    journey: Journey,
    buddy: User | None = None,
    by: User,
    space: Space | None = None,
    away_since: datetime.date | None = None,
) -> tuple[Enrollment, bool]:
    """Put `person` on `journey` from `start_date`; HR only. Return the
    enrollment and whether it is new.

    Joins them, their buddy (proposed when not given), their manager and
    `by` to the cohort's onboarding space and its chat, keeps them in their
    team and company-wide spaces, opens their tasks and welcomes them with
    a post in the cohort space (`space`, an onboarding space HR picks, or
    the start month's, made once). Enrolling again in the same journey from
    the same date changes nothing; another journey while one runs is 409.
    A returner's `away_since` (the day their leave began) starts their
    "while you were away" digest."""
    require_hr(by)
    if not person.is_active:
        raise ServiceError("inactive", f"{person} has left the company.")
    if buddy is not None and (buddy.pk == person.pk or not buddy.is_active):
        raise ServiceError("bad_buddy", "A buddy is someone else, still here.")
    current = Enrollment.objects.filter(person=person, ended_at__isnull=True).first()
    if current is not None:
        if current.journey_id == journey.pk and current.start_date == start_date:
            return current, False
        raise ServiceError(
            "enrolled",
            f"{person} is already on a journey ({current.journey.name}, from "
            f"{current.start_date:%-d %B %Y}).",
            status=409,
        )
    if away_since is not None:
        if journey.kind != Journey.Kind.RETURNER:
            raise ServiceError(
                "invalid", "Only a returner has a leave to come back from."
            )
        if away_since >= start_date:
            raise ServiceError("invalid", "A leave begins before the first day back.")
    if space is not None and space.kind != Space.Kind.ONBOARDING:
        raise ServiceError("invalid", "A cohort's space is an onboarding space.")
    if buddy is None:
        buddy = propose_buddy(person)
    try:
        with transaction.atomic():
            space = space or cohort_space(start_date, by=by)
            enrollment = _enroll(person, start_date, journey, buddy, by, space)
            if away_since is not None:
                enrollment.away_since = away_since
                enrollment.save(update_fields=["away_since"])
            return enrollment, True
    except IntegrityError:  # enrolled twice at once: the other one won
        current = Enrollment.objects.filter(
            person=person, ended_at__isnull=True
        ).first()
        if current is None:
            raise
        return current, False


def _enroll(
    person: User,
    start_date: datetime.date,
    journey: Journey,
    buddy: User | None,
    by: User,
    space: Space,
) -> Enrollment:
    enrollment = Enrollment.objects.create(
        person=person,
        journey=journey,
        start_date=start_date,
        buddy=buddy,
        enrolled_by=by,
        space=space,
    )
    if journey.kind == Journey.Kind.NEW_STARTER and person.start_date != start_date:
        # A new starter's first day is the journey's (a returner keeps
        # theirs). Saving fires feeds' directory hook: team and company.
        person.start_date = start_date
        person.save(update_fields=["start_date"])
    joining = [p for p in (person, buddy, person.manager, by) if p is not None]
    _add(lock_space(space.pk), joining)
    feeds.sync_person(person)
    steps = list(journey.steps.all())
    Task.objects.bulk_create(
        Task(
            title=step.title,
            assignee=_assignee(step.owner, enrollment, by),
            due_date=start_date + datetime.timedelta(days=step.due_day),
            enrollment=enrollment,
            step=step,
        )
        for step in steps
    )
    # The company welcomes people: a list of starters is not a flood.
    with exempt():
        post, _ = feeds.create_post(
            by,
            space_id=space.pk,
            body=welcome_text(person),
            client_id=f"onboarding-welcome-{enrollment.pk}",
        )
    enrollment.welcome_post = post
    enrollment.save(update_fields=["welcome_post"])
    url = reverse("onboarding:journey", args=[enrollment.pk])
    if buddy is not None:
        notify(
            [buddy.pk],
            kind="onboarding",
            text=f"You are {person.display_name}'s buddy for their first weeks",
            url=url,
            actor=by,
        )
    if person.manager_id:
        notify(
            [person.manager_id],
            kind="onboarding",
            text=f"{person.display_name}'s first weeks are planned",
            url=url,
            actor=by,
        )
    return enrollment


def set_buddy(user: User, *, enrollment: Enrollment, buddy: User) -> Enrollment:
    """Change a running journey's buddy (HR or the person's manager): the
    new buddy joins the cohort space and takes over the buddy's open
    tasks."""
    if not may_change_buddy(user, enrollment):
        raise ServiceError(
            "forbidden", "Only HR or their manager can change a buddy.", status=403
        )
    if not enrollment.is_active:
        raise ServiceError("ended", "This journey is over.", status=409)
    if buddy.pk == enrollment.person_id or not buddy.is_active:
        raise ServiceError("bad_buddy", "A buddy is someone else, still here.")
    if buddy.pk == enrollment.buddy_id:
        return enrollment
    with transaction.atomic():
        old = enrollment.buddy_id
        enrollment.buddy = buddy
        enrollment.save(update_fields=["buddy"])
        open_buddy_tasks = Task.objects.filter(
            enrollment=enrollment,
            step__owner=Step.Owner.BUDDY,
            status=Task.Status.OPEN,
        )
        if old is not None:
            open_buddy_tasks = open_buddy_tasks.filter(assignee_id=old)
        open_buddy_tasks.update(assignee=buddy)
        if enrollment.space_id:
            _add(lock_space(enrollment.space_id), [buddy])
        notify(
            [buddy.pk],
            kind="onboarding",
            text=f"You are {enrollment.person.display_name}'s buddy for their "
            "first weeks",
            url=reverse("onboarding:journey", args=[enrollment.pk]),
            actor=user,
        )
    return enrollment


def end_enrollment(hr: User, *, enrollment: Enrollment) -> Enrollment:
    """Take a journey off the board (HR); its tasks stay as they are, and
    its people's open pages and HR's board hear it at once. Ending an
    ended journey changes nothing."""
    require_hr(hr)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.ended_at is not None:
            return locked
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        stored = record(
            events.enrollment_stream(locked.pk),
            events.enrollment_ended(locked),
            subject=f"enrollment.{locked.pk}",
        )
        publish_on_commit(stored, groups=[events.BOARD_STREAM])
    return locked
