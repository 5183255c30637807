"""Company roles: HR and communicators, as Django groups with permissions.

A role is a group (created by migration 0003) holding permissions on the user
model, so the admin can grant it and `has_perm` answers everywhere. Checks go
through these functions, not through group names, so a company may build its
own groups from the same permissions.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group

from .models import User

HR = "HR"
COMMUNICATORS = "Communicators"

MANAGE_ONBOARDING = "profiles.manage_onboarding"
POST_ANNOUNCEMENTS = "profiles.post_announcements"
VERIFY_SOURCES = "profiles.verify_sources"


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
