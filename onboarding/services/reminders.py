"""The daily reminder: each person's tasks due today and late, once a day.

The scheduler (`manage.py send_reminders --every 300`, the Procfile's
`reminders` process; or the `send_reminders` task on the worker) asks
every few minutes. A person's day is their own calendar day, and their
digest goes out from REMINDER_HOUR there, so nobody is woken at 3 a.m. by
a server in another time zone. The digest's row (unique person and day)
is written first, in the transaction that stores the in-app notification:
two schedulers, a retried task or a restart send it once, never twice.
The email leaves after the commit; if the mail server fails then, that
day's email is lost rather than repeated (the notification stays).
"""

import datetime
import logging
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from intranet.notifications import notify
from onboarding.models import ReminderDigest, Task
from profiles.models import User

logger = logging.getLogger(__name__)

# Local hour from which a person's digest of the day may go out.
REMINDER_HOUR = 8
# At most this many tasks are named in the email; the page has them all.
EMAIL_TASKS = 10


def _zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _summary(due: int, late: int) -> str:
    parts = []
    if due:
        parts.append(f"{due} task{'s' if due != 1 else ''} due today")
    if late:
        parts.append(f"{late} late")
    return " and ".join(parts)


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Send each person whose day has reached REMINDER_HOUR their digest
    of open tasks due today or late, unless it went out already; return
    how many were sent. Safe to run from any number of processes."""
    now = now or timezone.now()
    utc_today = now.astimezone(datetime.UTC).date()
    # Someone's "today" is at most a day either side of UTC's.
    horizon = utc_today + datetime.timedelta(days=1)
    tasks: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    zones: dict[int, str] = {}
    for person, zone, due_date, title in (
        Task.objects.filter(
            status=Task.Status.OPEN, due_date__lte=horizon, assignee__is_active=True
        )
        .order_by("assignee_id", "due_date", "pk")
        .values_list("assignee_id", "assignee__time_zone", "due_date", "title")
    ):
        tasks[person].append((due_date, title))
        zones[person] = zone
    sent_already = set(
        ReminderDigest.objects.filter(
            day__gte=utc_today - datetime.timedelta(days=1), day__lte=horizon
        ).values_list("person_id", "day")
    )
    sent = 0
    for person, theirs in tasks.items():
        local = now.astimezone(_zone(zones[person]))
        day = local.date()
        if local.hour < REMINDER_HOUR or (person, day) in sent_already:
            continue
        late = [title for due_date, title in theirs if due_date < day]
        due = [title for due_date, title in theirs if due_date == day]
        if due or late:
            sent += _send(person, day, due, late, now)
    return sent


def _send(
    person_id: int, day: datetime.date, due: list[str], late: list[str], now
) -> bool:
    """Claim (person, day) and send; False when someone else had it."""
    url = reverse("onboarding:tasks")
    summary = _summary(len(due), len(late))
    try:
        with transaction.atomic():
            ReminderDigest.objects.create(
                person_id=person_id, day=day, due=len(due), late=len(late), sent_at=now
            )
            notify([person_id], kind="reminder", text=f"You have {summary}", url=url)
            transaction.on_commit(lambda: _email(person_id, summary, due, late, url))
    except IntegrityError:  # another scheduler claimed it first
        return False
    return True


def _email(
    person_id: int, summary: str, due: list[str], late: list[str], url: str
) -> None:
    person = User.objects.filter(pk=person_id).only("email", "first_name").first()
    if person is None or not person.email:
        return
    lines = [f"Hello {person.first_name or 'there'},", "", f"You have {summary}:", ""]
    named = [f"- {t} (late)" for t in late] + [f"- {t} (due today)" for t in due]
    lines += named[:EMAIL_TASKS]
    if len(named) > EMAIL_TASKS:
        lines.append(f"… and {len(named) - EMAIL_TASKS} more.")
    lines += ["", f"Mark them done in one click: {settings.SITE_URL}{url}"]
    try:
        send_mail(
            f"Canteen: {summary}",
            "\n".join(lines),
            None,
            [person.email],
        )
    except OSError:
        # Sent at most once: the in-app notification stands for it.
        logger.exception("reminder email to person %s failed", person_id)
