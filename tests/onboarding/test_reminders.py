"""The daily reminder with a frozen clock: each owner of a task due today
or late gets one in-app notification and one email a day, from 8:00 in
their own time zone; a second scheduler, a rerun or a retried task sends
nothing twice."""

import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from intranet.models import Notification
from onboarding.models import ReminderDigest, Task
from onboarding.services import reminders
from tests.feeds.conftest import FrozenClock

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def noon(today):
    """Noon UTC on the day the journey's fixture counts from."""
    frozen = FrozenClock(
        datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC)
    )
    with mock.patch("django.utils.timezone.now", frozen):
        yield frozen


def test_each_owner_gets_one_digest_a_day_in_app_and_by_email(
    hana, bob, dan, nina, enrollment, noon, django_capture_on_commit_callbacks
):
    # nina's handbook (day 1) and hana's laptop (day -3) are late, bob's
    # 1:1 (day 2) is due today, dan's coffee (day 3) only tomorrow.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 3
    told = Notification.objects.filter(kind="reminder")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [hana.pk, bob.pk, nina.pk]
    )
    assert told.get(user=bob).text == "You have 1 task due today"
    assert told.get(user=nina).text == "You have 1 late"
    assert told.get(user=nina).url == "/tasks/"
    assert len(mail.outbox) == 3
    email = next(m for m in mail.outbox if m.to == [nina.email])
    assert email.subject == "Canteen: 1 late"
    assert "- Read the handbook (late)" in email.body
    assert "/tasks/" in email.body
    # Never twice the same day: a rerun, the command, the worker's task.
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 0
        call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 0 reminder(s)."
    assert told.count() == 3 and len(mail.outbox) == 3
    # The next day is a new day; done tasks are not reminded of.
    Task.objects.filter(assignee=hana).update(status=Task.Status.DONE)
    noon.advance(days=1)
    assert reminders.send_reminders() == 3  # nina, bob (now late), dan
    assert told.filter(user=hana).count() == 1


def test_nobody_is_reminded_before_eight_in_their_own_time_zone(
    hana, bob, nina, enrollment, noon
):
    type(nina).objects.filter(pk=nina.pk).update(time_zone="America/Los_Angeles")
    noon.now = noon.now.replace(hour=14)  # 06:00 in Los Angeles
    sent = reminders.send_reminders()
    assert nina.pk not in ReminderDigest.objects.values_list("person_id", flat=True)
    assert sent == ReminderDigest.objects.count()
    noon.now = noon.now.replace(hour=17)  # 09:00 in Los Angeles
    reminders.send_reminders()
    assert ReminderDigest.objects.filter(person=nina, day=noon.now.date()).exists()


def test_a_day_claimed_by_another_scheduler_is_not_sent_again(nina, enrollment, noon):
    day = noon.now.date()
    ReminderDigest.objects.create(person=nina, day=day, due=0, late=1, sent_at=noon.now)
    assert reminders._send(nina.pk, day, [], ["Read the handbook"], noon.now) is False
    assert not Notification.objects.filter(user=nina, kind="reminder").exists()
    assert not [m for m in mail.outbox if m.to == [nina.email]]
