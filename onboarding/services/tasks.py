"""Tasks: made from a post or a message, completed and reopened, live for
everyone who follows them."""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from feeds.models import Post
from feeds.selectors.access import get_post_for_user
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.realtime import publish_on_commit, record
from messaging.models import Message
from messaging.selectors import get_message_for_user
from onboarding import events
from onboarding.access import may_complete
from onboarding.models import MAX_TITLE_LENGTH, Enrollment, Task
from profiles.models import User

# A task is due within a year: further off, it is a plan, not a task.
LATEST_DUE_DAYS = 366


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


def _source(
    user: User, post_id: int | None, message_id: int | None
) -> tuple[Post | None, Message | None]:
    if (post_id is None) == (message_id is None):
        raise ServiceError("invalid", "Make a task from one post or one message.")
    try:
        if post_id is not None:
            post = get_post_for_user(user, post_id)
            if post.is_deleted:
                raise Http404
            return post, None
        assert message_id is not None
        message = get_message_for_user(user, message_id)
        if message.is_deleted:
            raise Http404
        return None, message
    except Http404:
        what = "post" if post_id is not None else "message"
        raise ServiceError("not_found", f"No such {what}.", status=404) from None


def create_task(
    user: User,
    *,
    title: str,
    assignee: User,
    due_date: datetime.date,
    post_id: int | None = None,
    message_id: int | None = None,
) -> Task:
    """Make a task from a post or a message that `user` can read, for
    themselves or someone who can read it too (else the link back would
    be a 404 to them); the assignee is told."""
    post, message = _source(user, post_id, message_id)
    title = " ".join(title.split())
    if not title:
        raise ServiceError("empty", "A task's title cannot be empty.")
    if len(title) > MAX_TITLE_LENGTH:
        raise ServiceError(
            "too_long", f"A task's title can be at most {MAX_TITLE_LENGTH} characters."
        )
    if not assignee.is_active:
        raise ServiceError("inactive", f"{assignee} has left the company.")
    today = timezone.localdate()
    if due_date < today:
        raise ServiceError("invalid", "A new task is due today or later.")
    if due_date > today + datetime.timedelta(days=LATEST_DUE_DAYS):
        raise ServiceError("invalid", "A task is due within a year.")
    if assignee.pk != user.pk:
        try:
            _source(assignee, post_id, message_id)
        except ServiceError:
            raise ServiceError(
                "cannot_read",
                f"{assignee.display_name} cannot read that "
                f"{'post' if post else 'message'}: assign it to someone who can.",
                status=403,
            ) from None
    with transaction.atomic():
        task = Task.objects.create(
            title=title,
            assignee=assignee,
            due_date=due_date,
            post=post,
            message=message,
            created_by=user,
        )
        notify(
            [assignee.pk],
            kind="task",
            text=f"{user.display_name} gave you a task, due {due_date:%-d %B}",
            url=reverse("onboarding:tasks") + f"#task-{task.pk}",
            actor=user,
        )
    return task
