"""Notifications: a person's list of what happened for them, live.

Apps call notify() inside the transaction of the change it is about; each
notification is stored with its `notification.new` event in the person's
own stream (`user.<id>`), so a tab that was offline catches it up like any
other event, and the badge stays right across tabs (`notification.read`).
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from intranet.models import Notification
from intranet.plugins import user_stream
from intranet.realtime import record

# The badge stops counting here ("99+"): a count reads at most this many
# index entries, however many a person has.
UNREAD_CAP = 100
PAGE = 30


def notification_data(notification: Notification) -> dict[str, Any]:
    actor = notification.actor
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification.text,
        "url": notification.url,
        "actor": {
            "id": actor.pk,
            "name": actor.display_name,
            "initials": actor.initials,
        }
        if actor is not None
        else None,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def notify(
    user_ids: Iterable[int], *, kind: str, text: str, url: str = "", actor=None
) -> list[Notification]:
    """Tell each of `user_ids` (but never `actor` about their own doing).

    Call inside transaction.atomic(), with the change it describes."""
    skip = actor.pk if actor is not None else None
    ids = sorted({pk for pk in user_ids if pk != skip})
    if not ids:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            Notification(user_id=pk, kind=kind, text=text[:300], url=url, actor=actor)
            for pk in ids
        )
        for notification in created:  # pks: PostgreSQL and SQLite return them
            record(
                user_stream(notification.user_id),
                {
                    "type": "notification.new",
                    "notification": notification_data(notification),
                },
            )
    return created


def unread_count(user_id: int) -> int:
    """Unread notifications, capped at UNREAD_CAP (index-bound)."""
    return (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by("-pk")[:UNREAD_CAP]
        .count()
    )


def recent(
    user_id: int, *, before: int | None = None, limit: int = PAGE
) -> list[Notification]:
    found = Notification.objects.filter(user_id=user_id).select_related("actor")
    if before is not None:
        found = found.filter(pk__lt=before)
    return list(found.order_by("-pk")[:limit])


def mark_read(user_id: int, *, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with `ids` None, all) of a person's notifications
    read; every tab of theirs hears it. Return how many changed."""
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    with transaction.atomic():
        changed = list(unread.values_list("pk", flat=True)[:10_000])
        if not changed:
            return 0
        Notification.objects.filter(pk__in=changed).update(read_at=timezone.now())
        record(
            user_stream(user_id),
            {
                "type": "notification.read",
                "ids": None if ids is None else changed,
                "unread": unread_count(user_id),
            },
        )
    return len(changed)
