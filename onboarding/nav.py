"""The nav's onboarding links, decided once at sign-in.

Every page draws the nav, and asking the database on each one whether a
person is enrolled, in HR or a manager would cost every page three queries.
The answer changes rarely, so it is kept in the session at sign-in and
refreshed when the person opens an onboarding page. Pages still check
access themselves on every request: a stale link only leads to a 403.
"""

from django.db.models import Exists, Q

from onboarding.models import Enrollment, Task
from profiles import roles
from profiles.models import User

SESSION_KEY = "onboarding_links"


def links_for(user: User) -> dict[str, bool]:
    # Both of the person's own questions in one statement.
    running = Enrollment.objects.filter(person=user, ended_at__isnull=True)
    open_tasks = Task.objects.filter(assignee=user, status=Task.Status.OPEN)
    me, tasks = (
        User.objects.filter(pk=user.pk)
        .annotate(on_journey=Exists(running), has_tasks=Exists(open_tasks))
        .values_list("on_journey", "has_tasks")
        .get()
    )
    return {
        "me": me,
        "board": roles.is_hr(user)
        or User.objects.filter(Q(manager=user), is_active=True).exists(),
        "tasks": tasks,
    }


def remember_links(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = links_for(user)


def refresh(request) -> None:
    links = links_for(request.user)
    if request.session.get(SESSION_KEY) != links:
        request.session[SESSION_KEY] = links


def links(request):
    """Context processor: `onboarding_links` (me, board, tasks) from the
    session."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    return {"onboarding_links": session.get(SESSION_KEY) or {}}
