"""Changing or cancelling a scheduled announcement before its time.

Its author and HR may; anyone else is told it does not exist (404), as
the scheduled list hides it from them. Each write locks the row and
requires it unpublished, so it either happens before the publisher's
claim (which then waits on the lock and publishes the new text, or finds
no row) or is refused with a 409 after it: an edit never lands on a
published announcement, and a cancelled one is never published.

A held announcement (its author lost the role by its time) is still
unpublished: HR may edit it, which schedules it again, or cancel it.
"""

import datetime
import enum
from collections.abc import Iterable
from typing import Literal

from django.db import transaction
from django.utils import timezone

from feeds import events
from feeds.models import Announcement
from feeds.services.announcements.publishing import (
    _announceable,
    _clean_locations,
    _schedule,
    publish_announcement,
)
from feeds.services.posts.text import _clean
from intranet.errors import ServiceError
from profiles.models import Department, User
from profiles.roles import is_hr


class Keep(enum.Enum):
    """An argument not given: the field stays as it is (None would clear it)."""

    KEEP = "keep"


KEEP: Literal[Keep.KEEP] = Keep.KEEP


def may_change_scheduled(user: User, announcement: Announcement) -> bool:
    return user.is_active and (announcement.author_id == user.pk or is_hr(user))


def get_scheduled_for_user(user: User, announcement_id: int) -> Announcement:
    """Return an announcement `user` may change (its author, HR), published
    or not; 404 for anyone else."""
    announcement = (
        Announcement.objects.select_related("space", "author", "post")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None or not may_change_scheduled(user, announcement):
        raise ServiceError("not_found", "No such announcement.", status=404)
    return announcement


def _lock_unpublished(user: User, announcement_id: int) -> Announcement:
    """Call inside transaction.atomic(): lock the row, 409 once it is out."""
    get_scheduled_for_user(user, announcement_id)
    announcement = (
        Announcement.objects.select_for_update(of=("self",))
        .select_related("space", "author")
        .get(pk=announcement_id)
    )
    if announcement.post_id is not None:
        assert announcement.published_at is not None
        raise ServiceError(
            "published",
            "It was published on "
            f"{announcement.published_at:%d %b at %H:%M} UTC: edit or delete "
            "the post instead.",
            status=409,
        )
    return announcement


def edit_scheduled(
    user: User,
    *,
    announcement_id: int,
    body: str | None = None,
    must_read: bool | None = None,
    pinned_until: datetime.datetime | Keep | None = KEEP,
    publish_at: datetime.datetime | None = None,
    department_ids: Iterable[int] | None = None,
    locations: Iterable[str] | None = None,
) -> Announcement:
    """Change what is given of a scheduled announcement (None: keep it;
    for `pinned_until`, KEEP keeps it and None unpins it).

    A `publish_at` already past publishes it now. Editing a held one (HR)
    schedules it again; its author still needs the role by then."""
    now = timezone.now()
    with transaction.atomic():
        announcement = _lock_unpublished(user, announcement_id)
        if not is_hr(user):
            _announceable(user, announcement.space_id)
        fields = ["published_at"]
        announcement.published_at = None  # a held one is scheduled again
        if body is not None:
            announcement.body = _clean(body, limit=events.MAX_POST_LENGTH, what="post")
            fields.append("body")
        if must_read is not None:
            announcement.must_read = must_read
            fields.append("must_read")
        if publish_at is not None:
            if timezone.is_naive(publish_at):
                raise ServiceError(
                    "invalid", "Give the publishing time with its time zone."
                )
            announcement.publish_at = max(publish_at, now)
            fields.append("publish_at")
        if pinned_until is not KEEP:
            if pinned_until is not None and timezone.is_naive(pinned_until):
                raise ServiceError("invalid", "Give the pin's end with its time zone.")
            announcement.pinned_until = pinned_until
            fields.append("pinned_until")
        if (
            announcement.pinned_until is not None
            and announcement.pinned_until <= announcement.publish_at
        ):
            raise ServiceError("invalid", "Pin it until a time after it is published.")
        if department_ids is not None:
            wanted = set(department_ids)
            departments = list(Department.objects.filter(pk__in=wanted))
            if len(departments) != len(wanted):
                raise ServiceError("unknown_department", "No such department.")
            announcement.departments.set(departments)
        if locations is not None:
            announcement.locations = _clean_locations(locations)
            fields.append("locations")
        announcement.targeted = bool(
            announcement.departments.exists() or announcement.locations
        )
        fields.append("targeted")
        announcement.save(update_fields=fields)
        when = announcement.publish_at
        if when <= now:
            publish_announcement(announcement.pk, now=now)
        else:
            transaction.on_commit(lambda: _schedule(when))
    announcement.refresh_from_db()
    return announcement


def cancel_scheduled(user: User, *, announcement_id: int) -> None:
    """Delete a scheduled (or held) announcement: it will never publish."""
    with transaction.atomic():
        # Its author may withdraw it even after losing the role.
        _lock_unpublished(user, announcement_id).delete()
