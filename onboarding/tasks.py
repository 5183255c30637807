"""Background work for onboarding, run by the `worker` process
(django-tasks). The Procfile's `reminders` process (manage.py
send_reminders --every 300) is the clock; anyone may enqueue this too:
a run more or fewer sends nothing twice."""

from django_tasks import task

from onboarding.services import reminders


@task()
def send_reminders() -> int:
    """Send every person's due-today-and-late digest not sent today."""
    return reminders.send_reminders()
