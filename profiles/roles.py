"""Company roles: HR and communicators, as Django groups with permissions.

A role is a group (created by migration 0003) holding permissions on the user
model, so the admin can grant it and `has_perm` answers everywhere. Checks go
through these functions, not through group names, so a company may build its
own groups from the same permissions.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from .models import User

HR = "HR"
COMMUNICATORS = "Communicators"

MANAGE_ONBOARDING = "profiles.manage_onboarding"
POST_ANNOUNCEMENTS = "profiles.post_announcements"
VERIFY_SOURCES = "profiles.verify_sources"

# Each role's permissions (codenames on the user model, in its Meta).
ROLES = {
    HR: ["manage_onboarding", "post_announcements", "verify_sources"],
    COMMUNICATORS: ["post_announcements"],
}


def holders(user_ids: Iterable[int], permission: str) -> QuerySet[User]:
    """Those of `user_ids` who hold `permission` ("app.codename"), as
    `has_perm` answers for active people, in one query to run or combine
    (a socket's streams: HR follow what only HR sees)."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    )
    return (
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=granted)
            | Q(groups__permissions__in=granted)
        )
        .distinct()
    )


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
