"""Company roles: HR and communicators, as Django groups with permissions.

A role is a group (created by migration 0003) holding permissions on the user
model, so the admin can grant it and `has_perm` answers everywhere. Checks go
through these functions, not through group names, so a company may build its
own groups from the same permissions.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from intranet.sql import placeholders, rows, table

from .models import User

HR = "HR"
COMMUNICATORS = "Communicators"

MANAGE_ONBOARDING = "profiles.manage_onboarding"
POST_ANNOUNCEMENTS = "profiles.post_announcements"
VERIFY_SOURCES = "profiles.verify_sources"

# The stream every HR person's sockets follow (profiles/realtime.py): what
# only HR sees live, such as the onboarding board and must-read counts.
HR_STREAM = "role.hr"

# Each role's permissions (codenames on the user model, in its Meta).
ROLES = {
    HR: ["manage_onboarding", "post_announcements", "verify_sources"],
    COMMUNICATORS: ["post_announcements"],
}


def holding(permission: str) -> tuple[str, list[str]]:
    """An SQL condition, with its bound values, true for the user row `u`
    when its person holds `permission` ("app.codename") as `has_perm`
    answers for active people.

    Raw SQL because every connect asks (HR_STREAM, profiles.realtime):
    Django compiling the queryset, and PostgreSQL planning its joins, cost
    more than the query.
    """
    app_label, codename = permission.split(".")
    granted = (
        f"(SELECT p.id FROM {table(Permission)} p"  # noqa: S608 - tables only
        f" JOIN {table(ContentType)} c ON c.id = p.content_type_id"
        " WHERE c.app_label = %s AND p.codename = %s)"
    )
    condition = (
        "u.is_active AND (u.is_superuser"  # noqa: S608 - tables only
        f" OR u.id IN (SELECT up.user_id FROM {table(User.user_permissions.through)} up"
        f" WHERE up.permission_id = {granted})"
        f" OR u.id IN (SELECT ug.user_id FROM {table(User.groups.through)} ug"
        f" JOIN {table(Group.permissions.through)} gp ON gp.group_id = ug.group_id"
        f" WHERE gp.permission_id = {granted}))"
    )
    return condition, [app_label, codename, app_label, codename]


def holders(user_ids: Iterable[int], permission: str) -> set[int]:
    """Those of `user_ids` who hold `permission`, in one query."""
    ids = list(user_ids)
    if not ids:
        return set()
    condition, params = holding(permission)
    sql = (
        f"SELECT u.id FROM {table(User)} u"  # noqa: S608 - tables only
        f" WHERE u.id IN ({placeholders(ids)}) AND {condition}"
    )
    return {pk for (pk,) in rows(sql, [*ids, *params])}


def ensure_roles(**signal: object) -> None:
    """Make the role groups, with their permissions, where they are missing.

    Run after every migrate and flush (post_migrate, as Django makes the
    permissions themselves): a flushed test database keeps its tables but
    loses the rows migration 0003 wrote.
    """
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="profiles", codename__in=codenames
            )
        )


def is_hr(user: User) -> bool:
    """Return whether this person runs onboarding (journeys, starters, board)."""
    return user.is_active and user.has_perm(MANAGE_ONBOARDING)


def can_announce(user: User) -> bool:
    """Return whether this person may post announcements to the whole company."""
    return user.is_active and user.has_perm(POST_ANNOUNCEMENTS)


def can_verify_sources(user: User) -> bool:
    """Return whether this person may mark accounts as verified sources."""
    return user.is_active and user.has_perm(VERIFY_SOURCES)


def grant(people: Iterable[User], role: str) -> None:
    """Put people in a role's group (HR or COMMUNICATORS)."""
    Group.objects.get(name=role).user_set.add(*people)
