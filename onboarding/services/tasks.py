"""Completing and reopening tasks, live for everyone who follows them."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from intranet.errors import ServiceError
from intranet.realtime import publish_on_commit, record
from onboarding import events
from onboarding.access import may_complete
from onboarding.models import Enrollment, Task
from profiles.models import User


def progress(enrollment: Enrollment) -> dict:
    """Count an enrollment's tasks: the board row's numbers."""
    today = timezone.localdate()
    counts = Task.objects.filter(enrollment=enrollment).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Task.Status.DONE)),
        late=Count("pk", filter=Q(status=Task.Status.OPEN, due_date__lt=today)),
    )
    return events.progress_data(enrollment, **counts)


def set_task_done(user: User, *, task: Task, done: bool) -> Task:
    """Mark a task done (or open again). Only the starter, the step's owner
    and, for HR's and IT's steps, HR may; the enrollment's followers and
    HR's board see it at once. Marking it as it is changes nothing."""
    if not may_complete(user, task):
        raise ServiceError(
            "forbidden", "Only the starter or the step's owner can do that.", status=403
        )
    with transaction.atomic():
        # The row lock orders two clicks at once: each event is the truth.
        locked = (
            Task.objects.select_for_update(no_key=True, of=("self",))
            .select_related("assignee", "step", "enrollment__person")
            .get(pk=task.pk)
        )
        if locked.is_done == done:
            return locked
        locked.status = Task.Status.DONE if done else Task.Status.OPEN
        locked.done_at = timezone.now() if done else None
        locked.done_by = user if done else None
        locked.save(update_fields=["status", "done_at", "done_by"])
        if locked.enrollment_id is not None:
            assert locked.enrollment is not None
            event = events.task_updated(
                locked, progress(locked.enrollment), timezone.localdate()
            )
            stored = record(
                events.enrollment_stream(locked.enrollment.pk),
                event,
                subject=f"task.{locked.pk}",
            )
            # HR's board is read afresh on a reload: not stored.
            publish_on_commit(stored, groups=[events.BOARD_STREAM])
    return locked
