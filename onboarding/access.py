"""Who may do what in onboarding: one place, used by pages, REST and
streams.

HR (profiles.roles.is_hr) runs journeys, enrollments and the board. A
manager sees their own reports' journeys; a buddy sees the journey of the
person they buddy; a starter sees their own. Anyone else gets 404: an
enrollment's existence is private.
"""

from django.db.models import Q, QuerySet

from intranet.errors import ServiceError
from onboarding.models import Enrollment, Step, Task
from profiles import roles
from profiles.models import User


def require_hr(user: User) -> None:
    if not roles.is_hr(user):
        raise ServiceError("forbidden", "Only HR can do that.", status=403)


def visible_enrollments(user: User) -> QuerySet[Enrollment]:
    """Enrollments `user` may see (HR: all)."""
    if roles.is_hr(user):
        return Enrollment.objects.all()
    return Enrollment.objects.filter(
        Q(person=user) | Q(person__manager=user) | Q(buddy=user)
    )


def may_change_buddy(user: User, enrollment: Enrollment) -> bool:
    return roles.is_hr(user) or (
        enrollment.person.manager_id is not None
        and enrollment.person.manager_id == user.pk
    )


def may_complete(user: User, task: Task) -> bool:
    """The starter, for any step of their own journey; a step's owner (its
    assignee: the manager's, the buddy's); and for HR's and IT's steps
    anyone in HR. A task outside a journey: its assignee only."""
    if not user.is_active:
        return False
    if task.assignee_id == user.pk:
        return True
    if task.enrollment is not None and task.enrollment.person_id == user.pk:
        return True
    owner = task.step.owner if task.step_id and task.step else None
    return owner in (Step.Owner.HR, Step.Owner.IT) and roles.is_hr(user)
