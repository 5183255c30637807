"""Background work for feeds, run by the `worker` process (django-tasks).

With the database backend (TASKS_BACKEND=database, the Procfile's
`worker: python manage.py db_worker`) a scheduled announcement enqueues
`publish_due` to run at its time, and a pinned one again when its pin
runs out. A worker that was down finds those tasks overdue when it comes
back and runs them then: late, never skipped. The immediate backend
cannot wait, so the embedded default runs `manage.py publish_announcements
--every 15` beside Daphne instead (`make run`).
"""

import datetime

from django_tasks import task

from feeds.services import announcements


@task()
def publish_due() -> int:
    """Publish every due announcement and unpin expired ones (all of them,
    not one: a task lost or run twice changes nothing)."""
    return announcements.publish_due()


def run_at(when: datetime.datetime) -> None:
    """Enqueue publish_due for `when`, if the backend can wait."""
    if publish_due.get_backend().supports_defer:
        publish_due.using(run_after=when).enqueue()
