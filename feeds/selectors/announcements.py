"""Announcements: who runs HR, and what waits to be published."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from feeds.models import Announcement
from profiles.models import User
from profiles.roles import is_hr


def hr_people() -> list[int]:
    """The ids of everyone who runs HR (`manage_onboarding`): they follow
    every announcement's acknowledgements. One query."""
    granted = Permission.objects.filter(
        codename="manage_onboarding", content_type__app_label="profiles"
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=granted)
            | Q(user_permissions__in=granted)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def scheduled_announcements(user: User) -> list[Announcement]:
    """Announcements waiting for their time, or held (their author lost
    the role), that `user` may see: their own, or every one for HR."""
    pending = Announcement.objects.filter(post__isnull=True)
    if not is_hr(user):
        pending = pending.filter(author=user)
    return list(pending.select_related("space", "author").order_by("publish_at"))
