"""Spaces: the directory, a space's members and join requests."""

from django.db.models import (
    Case,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)

from feeds.models import JoinRequest, Space, SpaceMember
from feeds.selectors.access import SpaceAccess, findable_spaces, member_space_ids
from profiles.models import User

# Leaders, then moderators, then members: by role's text, moderators
# came after every member and a big space's page never showed them.
ROLE_ORDER = Case(
    When(role=SpaceMember.Role.LEADER, then=Value(0)),
    When(role=SpaceMember.Role.MODERATOR, then=Value(1)),
    default=Value(2),
)


def space_members(access: SpaceAccess) -> QuerySet[SpaceMember]:
    return (
        SpaceMember.objects.filter(space=access.space)
        .select_related("user")
        .order_by(ROLE_ORDER, "user__first_name", "user__last_name", "pk")
    )


def first_members(access: SpaceAccess, limit: int) -> tuple[list[SpaceMember], int]:
    """The first `limit` members (leaders first) and how many there are, in
    one query: a space page shows a few of a thousand members."""
    members: list[SpaceMember] = list(
        space_members(access).annotate(total=Window(Count("pk")))[:limit]
    )
    total: int = members[0].total if members else 0  # type: ignore[attr-defined]
    return members, total


def join_requests(access: SpaceAccess) -> list[JoinRequest]:
    return list(
        access.space.join_requests.select_related("user").order_by("created_at")
    )


def space_directory(
    user: User,
    *,
    q: str = "",
    kind: str | None = None,
    mine: bool = False,
    after: Space | None = None,
    limit: int = 50,
) -> list[Space]:
    """Spaces `user` may find, by name then id, `limit` of them after the
    space `after`; each with `member_count` and `my_role` (None for an
    outsider)."""
    spaces = findable_spaces(user)
    if mine:
        spaces = spaces.filter(pk__in=member_space_ids(user))
    if kind:
        spaces = spaces.filter(kind=kind)
    for word in q.split():
        spaces = spaces.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if after is not None:
        spaces = spaces.filter(
            Q(name__gt=after.name) | Q(name=after.name, pk__gt=after.pk)
        )
    my_role = SpaceMember.objects.filter(space=OuterRef("pk"), user=user).values(
        "role"
    )[:1]
    return list(
        spaces.annotate(
            member_count=Count("members", distinct=True),
            my_role=Subquery(my_role),
        ).order_by("name", "pk")[:limit]
    )


def member_count(space: Space) -> int:
    return SpaceMember.objects.filter(space=space).count()


def has_asked_to_join(user: User, space: Space) -> bool:
    return JoinRequest.objects.filter(space=space, user=user).exists()
