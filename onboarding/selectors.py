"""Reads shared by onboarding's pages, REST and streams; access is decided
here (an enrollment one may not see is a 404)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from feeds.models import Comment, Post, Space, SpaceMember
from feeds.selectors.access import member_space_ids, readable_posts
from intranet import cursors
from intranet.errors import ServiceError
from messaging.models import Message
from onboarding import events
from onboarding.access import visible_enrollments
from onboarding.models import Enrollment, Task
from profiles import roles
from profiles.models import User

# A starter who has neither posted, commented nor sent a message after this
# many days of their journey is flagged on the board.
QUIET_AFTER_DAYS = 7
STATES = ("late", "due", "upcoming", "done")


def get_enrollment_for_user(user: User, enrollment_id: int) -> Enrollment:
    """Return the enrollment if `user` may see it, else raise Http404."""
    enrollment = (
        visible_enrollments(user)
        .select_related("person__department", "person__manager", "buddy", "journey")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise Http404("No such journey.")
    return enrollment


def active_enrollment(user: User) -> Enrollment | None:
    """Return `user`'s own running journey, if any."""
    return (
        Enrollment.objects.filter(person=user, ended_at__isnull=True)
        .select_related("person__department", "person__manager", "buddy", "journey")
        .first()
    )


def get_task_for_user(user: User, task_id: int) -> Task:
    """Return a task `user` may see (its assignee's or its maker's, or in
    a journey they may see), else raise Http404."""
    task = (
        Task.objects.select_related("assignee", "step", "enrollment__person")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    if user.pk in (task.assignee_id, task.created_by_id):
        return task
    if (
        task.enrollment_id is not None
        and visible_enrollments(user).filter(pk=task.enrollment_id).exists()
    ):
        return task
    raise Http404("No such task.")


@dataclass
class Checklist:
    """A journey's tasks by state, late first."""

    enrollment: Enrollment
    today: datetime.date
    groups: dict[str, list[Task]] = field(default_factory=dict)
    total: int = 0
    done: int = 0

    @property
    def percent(self) -> int:
        return events.percent(self.done, self.total)

    @property
    def late(self) -> int:
        return len(self.groups.get("late", []))


def checklist(enrollment: Enrollment, today: datetime.date) -> Checklist:
    """Return the journey's tasks grouped late / due / upcoming / done, in
    one query."""
    result = Checklist(enrollment, today, {state: [] for state in STATES})
    tasks = (
        Task.objects.filter(enrollment=enrollment)
        .select_related("assignee", "step")
        .order_by("due_date", "pk")
    )
    for task in tasks:
        task.current_state = task.state(today)  # type: ignore[attr-defined]
        result.groups[task.current_state].append(task)  # type: ignore[attr-defined]
        result.total += 1
        result.done += task.is_done
    result.groups["done"].reverse()  # the latest done first
    return result


@dataclass(frozen=True)
class Contact:
    person: User
    role: str


def people_to_meet(enrollment: Enrollment) -> list[Contact]:
    """The buddy, the manager and the team space's leaders (one query)."""
    person = enrollment.person
    found: list[Contact] = []
    if enrollment.buddy is not None:
        found.append(Contact(enrollment.buddy, "Buddy"))
    if person.manager is not None:
        found.append(Contact(person.manager, "Manager"))
    if person.department_id:
        seen = {c.person.pk for c in found} | {person.pk}
        leaders = (
            User.objects.filter(
                is_active=True,
                space_memberships__role=SpaceMember.Role.LEADER,
                space_memberships__space__kind=Space.Kind.TEAM,
                space_memberships__space__department_id=person.department_id,
            )
            .exclude(pk__in=seen)
            .distinct()[:3]
        )
        found.extend(Contact(leader, "Team lead") for leader in leaders)
    return found


def spaces_of(person: User) -> list[Space]:
    """The spaces a person is in, onboarding ones first (one query)."""
    order: dict[str, int] = {
        Space.Kind.ONBOARDING: 0,
        Space.Kind.TEAM: 1,
        Space.Kind.COMPANY: 2,
    }
    spaces = list(Space.objects.filter(members__user=person).order_by("name"))
    return sorted(spaces, key=lambda s: order.get(s.kind, 3))


@dataclass(frozen=True)
class BoardRow:
    enrollment: Enrollment
    day: int
    total: int
    done: int
    late: int
    quiet: bool

    @property
    def percent(self) -> int:
        return events.percent(self.done, self.total)


def board_scope(user: User) -> str:
    """Return "all" for HR, "reports" for a manager, or raise a 403: the
    board is HR's, and a manager's for their own reports."""
    if roles.is_hr(user):
        return "all"
    if user.is_active and User.objects.filter(manager=user).exists():
        return "reports"
    raise ServiceError(
        "forbidden", "The onboarding board is for HR and managers.", status=403
    )


def _board_journeys(user: User, scope: str | None) -> QuerySet[Enrollment]:
    """The running journeys on `user`'s board (403 as board_scope)."""
    enrollments = Enrollment.objects.filter(ended_at__isnull=True)
    if (scope or board_scope(user)) == "reports":
        enrollments = enrollments.filter(person__manager=user)
    return enrollments


def _heard_from() -> tuple[Exists, Exists, Exists]:
    """Whether the person of the outer enrollment ever posted, commented
    or sent a message."""
    person = OuterRef("person_id")
    return (
        Exists(Post.objects.filter(author_id=person)),
        Exists(Comment.objects.filter(author_id=person)),
        Exists(Message.objects.filter(sender_id=person)),
    )


@dataclass(frozen=True)
class BoardSummary:
    """How many journeys run on a board, how many have late steps and how
    many starters are quiet, counted over the whole board."""

    running: int
    late: int
    quiet: int


def board_summary(
    user: User, today: datetime.date, *, scope: str | None = None
) -> BoardSummary:
    """Count `user`'s board in one aggregate query, whatever its size."""
    posted, commented, chatted = _heard_from()
    late = Task.objects.filter(
        enrollment_id=OuterRef("pk"), status=Task.Status.OPEN, due_date__lt=today
    )
    counted = _board_journeys(user, scope).aggregate(
        running=Count("pk"),
        late=Count("pk", filter=Exists(late)),
        quiet=Count(
            "pk",
            # Past day QUIET_AFTER_DAYS, as BoardRow.quiet.
            filter=Q(
                ~posted,
                ~commented,
                ~chatted,
                start_date__lt=today - datetime.timedelta(days=QUIET_AFTER_DAYS),
            ),
        ),
    )
    return BoardSummary(counted["running"], counted["late"], counted["quiet"])


@dataclass(frozen=True)
class BoardPage:
    """A page of a board, and the cursor of the next page (None: the last)."""

    rows: list[BoardRow]
    next: str | None


# Rows on one page of the board (page and REST). 500 rows took 110 ms to
# read and render; a page takes the same time whatever the board's size.
BOARD_PAGE = 100
BOARD_PAGE_MAX = 500
# A page ends at an enrollment's (start date, id): unique, and the board's
# order, earliest start first. The cursor is those two, opaque.
BAD_CURSOR = "after must be the `next` cursor of a page of the board."


def _cursor(row: Enrollment) -> str:
    return cursors.encode(row.start_date.isoformat(), row.pk)


def _after(cursor: str) -> Q:
    """The journeys after `cursor` in the board's order; ServiceError (400)
    for a cursor no page gave."""
    values = cursors.decode(cursor, BAD_CURSOR)
    try:
        start, pk = values
        start_date = datetime.date.fromisoformat(start)
    except (ValueError, TypeError):
        raise ServiceError("bad_cursor", BAD_CURSOR) from None
    if type(pk) is not int or not 0 < pk < 2**63:
        raise ServiceError("bad_cursor", BAD_CURSOR)
    return Q(start_date__gt=start_date) | Q(start_date=start_date, pk__gt=pk)


def _tasks_counted(which: Q) -> Coalesce:
    """How many of the outer enrollment's tasks match `which`. A
    subquery, not a join and GROUP BY: grouping sorted every task of the
    board with its person's, manager's and buddy's rows (13 ms for 300
    starters); a subquery runs for the page's rows only, after the LIMIT."""
    counted = (
        Task.objects.filter(which, enrollment_id=OuterRef("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def board_page(
    user: User,
    today: datetime.date,
    *,
    scope: str | None = None,
    after: str = "",
    limit: int | None = None,
) -> BoardPage:
    """Return `limit` (BOARD_PAGE) of the running journeys `user` may
    follow, earliest start first, after the cursor `after` (a page's
    `next`), with their progress: one query, whatever the size of the
    board (keyset: no OFFSET to count through), after the scope's. Pass
    `scope` when board_scope was asked already."""
    limit = limit or BOARD_PAGE
    enrollments = _board_journeys(user, scope)
    if after:
        enrollments = enrollments.filter(_after(after))
    posted, commented, chatted = _heard_from()
    found = list(
        enrollments.select_related(
            "person__department", "person__manager", "buddy", "journey"
        )
        .annotate(
            n_total=_tasks_counted(Q()),
            n_done=_tasks_counted(Q(status=Task.Status.DONE)),
            n_late=_tasks_counted(Q(status=Task.Status.OPEN, due_date__lt=today)),
            posted=posted,
            commented=commented,
            chatted=chatted,
        )
        .order_by("start_date", "pk")[: limit + 1]
    )
    more = len(found) > limit
    found = found[:limit]
    rows = [
        BoardRow(
            enrollment=e,
            day=e.day(today),
            total=e.n_total,  # type: ignore[attr-defined]
            done=e.n_done,  # type: ignore[attr-defined]
            late=e.n_late,  # type: ignore[attr-defined]
            quiet=e.day(today) > QUIET_AFTER_DAYS
            and not (e.posted or e.commented or e.chatted),  # type: ignore[attr-defined]
        )
        for e in found
    ]
    return BoardPage(rows, _cursor(found[-1]) if more else None)


@dataclass
class MyTasks:
    """A person's open tasks by when they are due, late first."""

    today: datetime.date
    groups: dict[str, list[Task]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(tasks) for tasks in self.groups.values())


MY_GROUPS = {
    "late": "Late",
    "today": "Due today",
    "week": "This week",
    "later": "Later",
}


def my_tasks(user: User, today: datetime.date) -> MyTasks:
    """Return every open task `user` owns, whatever their part (starter,
    manager, buddy, HR, or a task from a post or a message), in one query
    on the `task_mine` index."""
    found = MyTasks(today, {group: [] for group in MY_GROUPS})
    week = today + datetime.timedelta(days=7)
    tasks = (
        Task.objects.filter(assignee=user, status=Task.Status.OPEN)
        .select_related("enrollment__person", "step", "post", "message", "created_by")
        .order_by("due_date", "pk")
    )
    for task in tasks:
        if task.due_date < today:
            group = "late"
        elif task.due_date == today:
            group = "today"
        elif task.due_date <= week:
            group = "week"
        else:
            group = "later"
        found.groups[group].append(task)
    return found


def source_url(task: Task) -> str:
    """The post or message a task was made from, or its journey."""
    from django.urls import reverse

    if task.post_id is not None:
        assert task.post is not None
        return task.post.get_absolute_url()
    if task.message_id is not None:
        assert task.message is not None
        return reverse(
            "messaging:permalink", args=[task.message.conversation_id, task.message_id]
        )
    if task.enrollment_id is not None:
        return reverse("onboarding:journey", args=[task.enrollment_id])
    return ""


# Posts shown in a returner's "while you were away".
AWAY_POSTS = 5


def while_away(enrollment: Enrollment) -> list[Post]:
    """Return the most-reached posts in the returner's spaces since their
    leave began (most people who saw them first, then the newest), only
    those they may read, in one query; [] for anyone else."""
    since = enrollment.away_since
    if since is None:
        return []
    person = enrollment.person
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    return list(
        readable_posts(person)
        .filter(
            space_id__in=member_space_ids(person),
            created_at__gte=start,
            deleted_at__isnull=True,
        )
        # Their own welcome back is not news to them, nor their own posts.
        .exclude(author=person)
        .exclude(pk=enrollment.welcome_post_id or 0)
        .annotate(seen=Count("views"))
        .select_related("space", "author")
        .order_by("-seen", "-created_at", "-pk")[:AWAY_POSTS]
    )
