"""The shapes onboarding sends: over the socket and over REST alike.

`task.updated` is stored in the enrollment's stream (`onboarding.<id>`,
followed by the starter, their manager and their buddy) and sent, not
stored, to HR's stream (`role.hr`). docs/realtime.md.
"""

import datetime
from typing import Any

from onboarding.models import Enrollment, Task
from profiles import roles

# HR's board hears every journey on HR's one stream (profiles.realtime).
BOARD_STREAM = roles.HR_STREAM


ENROLLMENT_STREAMS = "onboarding."


def enrollment_stream(enrollment_id: int) -> str:
    return f"{ENROLLMENT_STREAMS}{enrollment_id}"


def person_data(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "initials": user.initials}


def task_data(task: Task, today: datetime.date) -> dict[str, Any]:
    """A task as the checklist shows it; `owner` is the step's role."""
    return {
        "id": task.pk,
        "title": task.title,
        "assignee": person_data(task.assignee),
        "owner": task.step.owner if task.step_id and task.step else None,
        "due_date": task.due_date.isoformat(),
        "status": task.status,
        "state": task.state(today),
        "done_at": task.done_at.isoformat() if task.done_at else None,
        "enrollment": task.enrollment_id,
    }


def progress_data(
    enrollment: Enrollment, *, total: int, done: int, late: int
) -> dict[str, Any]:
    """How far a journey is: what the board's row shows."""
    return {
        "id": enrollment.pk,
        "total": total,
        "done": done,
        "late": late,
        "percent": percent(done, total),
    }


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


def task_updated(task: Task, progress: dict[str, Any], today: datetime.date) -> dict:
    return {
        "type": "task.updated",
        "task": task_data(task, today),
        "progress": progress,
    }


def enrollment_ended(enrollment: Enrollment) -> dict:
    assert enrollment.ended_at is not None
    return {
        "type": "enrollment.ended",
        "enrollment": enrollment.pk,
        "ended_at": enrollment.ended_at.isoformat(),
    }
