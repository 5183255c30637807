"""Acknowledgements: a must-read's readers say "I've read this", its
author and HR follow the live count and nudge the rest once."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from feeds import events
from feeds.models import Announcement, Post, Reader
from feeds.selectors.access import get_post_for_user
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.plugins import user_stream
from intranet.realtime import publish
from profiles.models import User
from profiles.roles import is_hr


def may_follow_acknowledgements(user: User, announcement: Announcement) -> bool:
    return announcement.author_id == user.pk or is_hr(user)


def _announcement(
    user: User, post_id: int, *, must_read: bool = True
) -> tuple[Post, Announcement]:
    post = get_post_for_user(user, post_id)
    announcement = Announcement.objects.filter(post=post).first()
    if announcement is None or post.is_deleted:
        raise ServiceError("not_announcement", "No such announcement.", status=404)
    if must_read and not announcement.must_read:
        raise ServiceError(
            "not_must_read", "This post does not ask to be acknowledged.", status=404
        )
    return post, announcement


def _must_read(user: User, post_id: int) -> tuple[Post, Announcement]:
    return _announcement(user, post_id)


def acknowledgement_counts(announcement: Announcement) -> tuple[int, int]:
    """Return (acknowledged, expected): one aggregate query."""
    counted = Reader.objects.filter(announcement=announcement).aggregate(
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        expected=Count("pk"),
    )
    return counted["acknowledged"], counted["expected"]


def _publish_counts_on_commit(post: Post, announcement: Announcement) -> None:
    """Once the acknowledgement commits, count and send the live count to
    the author's own stream and HR's one stream (a copy to each HR
    person's own stream was 471 sends an acknowledgement in the bench
    company, 3.8 acknowledgements a second at best).

    Counted after the commit, not inside the transaction: a count read
    before it misses every acknowledgement committing alongside, so under
    load the author heard the k-th only from some later acknowledgement's
    event (the bench's lag p95 5.3 s). Read after, each event carries at
    least its own acknowledgement and all committed before it."""

    def send() -> None:
        acknowledged, expected = acknowledgement_counts(announcement)
        publish(
            events.acknowledgements_changed(post.pk, acknowledged, expected),
            groups=[
                user_stream(announcement.author_id),
                events.ACKNOWLEDGEMENTS_STREAM,
            ],
        )

    transaction.on_commit(send)


def acknowledge(user: User, *, post_id: int) -> Reader:
    """Say "I've read this" to a must-read announcement (again: no
    change); only its readers are asked."""
    post, announcement = _must_read(user, post_id)
    reader = Reader.objects.filter(announcement=announcement, user=user).first()
    if reader is None:
        raise ServiceError(
            "not_a_reader",
            "This announcement does not ask you to acknowledge it.",
            status=403,
        )
    with transaction.atomic():
        now = timezone.now()
        if Reader.objects.filter(pk=reader.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        ):
            reader.acknowledged_at = now
            _publish_counts_on_commit(post, announcement)
        else:
            reader.refresh_from_db()
    return reader


def nudge(user: User, *, post_id: int) -> int:
    """Remind everyone who has not acknowledged yet, once per
    announcement; return how many were reminded. Its author and HR; a
    404 for anyone else, readers too (managed_announcement)."""
    post, announcement = managed_announcement(user, post_id, must_read=True)
    with transaction.atomic():
        if not Announcement.objects.filter(
            pk=announcement.pk, nudged_at__isnull=True
        ).update(nudged_at=timezone.now()):
            announcement.refresh_from_db()
            assert announcement.nudged_at is not None
            raise ServiceError(
                "already_nudged",
                "The rest were nudged already on "
                f"{announcement.nudged_at:%d %b at %H:%M} UTC: "
                "an announcement is nudged once.",
                status=409,
            )
        pending = list(
            Reader.objects.filter(
                announcement=announcement, acknowledged_at__isnull=True
            ).values_list("user_id", flat=True)
        )
        notify(
            pending,
            kind="nudge",
            text=f"{user.display_name} reminds you to read an announcement "
            f"in {post.space.name}",
            url=post.get_absolute_url(),
            actor=user,
        )
    return len(pending)


def managed_announcement(
    user: User, post_id: int, *, must_read: bool = False
) -> tuple[Post, Announcement]:
    """Return an announcement's post and row if `user` may see its reach
    and acknowledgements by person and department, and nudge (its author,
    HR); ServiceError 404 otherwise: to anyone else that list does not
    exist (intranet.errors: access failures are 404). `must_read`: a 404
    as well for an announcement that asks no acknowledgement."""
    post, announcement = _announcement(user, post_id, must_read=must_read)
    if not may_follow_acknowledgements(user, announcement):
        raise ServiceError("not_announcement", "No such announcement.", status=404)
    return post, announcement
