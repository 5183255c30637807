"""HR's journeys and their steps: every write, HR only."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from intranet.errors import ServiceError
from intranet.markdown import render_markdown
from onboarding.access import require_hr
from onboarding.models import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    Journey,
    Step,
)
from profiles.models import User

# A journey reaches from a few weeks before the start to a year after.
FIRST_DAY = -60
LAST_DAY = 365


def _text(value: str, *, what: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ServiceError("empty", f"A {what} cannot be empty.")
    if len(value) > limit:
        raise ServiceError("too_long", f"A {what} can be at most {limit:,} characters.")
    return value


def _kind(kind: str) -> str:
    if kind not in Journey.Kind.values:
        raise ServiceError("invalid", "A journey is for new starters or returners.")
    return kind


def create_journey(hr: User, *, name: str, kind: str) -> Journey:
    """Create an empty journey; add its steps with add_step()."""
    require_hr(hr)
    name = _text(name, what="journey's name", limit=120)
    try:
        with transaction.atomic():
            return Journey.objects.create(name=name, kind=_kind(kind), created_by=hr)
    except IntegrityError:
        raise ServiceError(
            "taken", f"There is a journey called {name!r} already.", status=409
        ) from None


def update_journey(
    hr: User, *, journey_id: int, name: str | None = None, kind: str | None = None
) -> Journey:
    require_hr(hr)
    journey = get_journey(journey_id)
    if name is not None:
        journey.name = _text(name, what="journey's name", limit=120)
    if kind is not None:
        journey.kind = _kind(kind)
    try:
        with transaction.atomic():
            journey.save(update_fields=["name", "kind"])
    except IntegrityError:
        raise ServiceError(
            "taken", f"There is a journey called {journey.name!r} already.", status=409
        ) from None
    return journey


def get_journey(journey_id: int) -> Journey:
    journey = Journey.objects.filter(pk=journey_id).first()
    if journey is None:
        raise ServiceError("not_found", "No such journey.", status=404)
    return journey


def _step_fields(
    *, title: str, description: str, owner: str, due_day: int, link: str
) -> dict:
    if owner not in Step.Owner.values:
        raise ServiceError(
            "invalid", "A step's owner is the starter, manager, buddy, HR or IT."
        )
    if not FIRST_DAY <= due_day <= LAST_DAY:
        raise ServiceError(
            "invalid", f"A step's day is between {FIRST_DAY} and {LAST_DAY}."
        )
    link = link.strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ServiceError(
                "invalid", "A step's link is a web address (https://…)."
            ) from None
    description = _text(
        description,
        what="step's description",
        limit=MAX_DESCRIPTION_LENGTH,
        required=False,
    )
    return {
        "title": _text(title, what="step's title", limit=MAX_TITLE_LENGTH),
        "description": description,
        "description_html": render_markdown(description) if description else "",
        "owner": owner,
        "due_day": due_day,
        "link": link,
    }


def add_step(
    hr: User,
    *,
    journey_id: int,
    title: str,
    owner: str,
    due_day: int,
    description: str = "",
    link: str = "",
) -> Step:
    """Add a step. People already enrolled keep the tasks they have."""
    require_hr(hr)
    journey = get_journey(journey_id)
    fields = _step_fields(
        title=title, description=description, owner=owner, due_day=due_day, link=link
    )
    return Step.objects.create(journey=journey, **fields)


def get_step(step_id: int) -> Step:
    step = Step.objects.filter(pk=step_id).first()
    if step is None:
        raise ServiceError("not_found", "No such step.", status=404)
    return step


def update_step(
    hr: User,
    *,
    step_id: int,
    title: str,
    owner: str,
    due_day: int,
    description: str = "",
    link: str = "",
) -> Step:
    """Change a step; tasks made from it already keep their title and date."""
    require_hr(hr)
    step = get_step(step_id)
    for field, value in _step_fields(
        title=title, description=description, owner=owner, due_day=due_day, link=link
    ).items():
        setattr(step, field, value)
    step.save()
    return step


def delete_step(hr: User, *, step_id: int) -> None:
    """Remove a step; tasks made from it stay, without their step."""
    require_hr(hr)
    get_step(step_id).delete()
