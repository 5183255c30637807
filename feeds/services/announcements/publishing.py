"""Publishing announcements: HR and communicators write (now, or at a
set time), the scheduler publishes, pins run out.

An announcement is only its own row until it is published. Publishing
claims the row with a conditional UPDATE (`published_at IS NULL`) in the
transaction that makes its post, so two workers, a worker and `manage.py
publish_announcements`, or a retried task publish it once; the loser's
UPDATE waits for the winner's commit (PostgreSQL's row lock, SQLite's one
writer) and then matches no row. The post goes out the normal way
(`post.new` in the space's log), so every connected browser gets it live
and a tab that was away catches it up, never before its time.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feeds import events
from feeds.models import Announcement, Post, Reader, Space, SpaceMember
from feeds.selectors.access import SpaceAccess, find_space
from feeds.selectors.announcements import hr_people
from feeds.services.posts.log import _record_post
from feeds.services.posts.notifications import (
    _notify_close_followers,
    _notify_mentions,
)
from feeds.services.posts.text import _clean, _render
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.ratelimit import take_token
from profiles.models import Department, User
from profiles.roles import can_announce

logger = logging.getLogger(__name__)

MAX_LOCATIONS = 20
MAX_LOCATION_LENGTH = 120
# Kinds of space an announcement may go to.
ANNOUNCEABLE = (Space.Kind.COMPANY, Space.Kind.ONBOARDING)


def _announceable(author: User, space_id: int) -> SpaceAccess:
    if not can_announce(author):
        raise ServiceError(
            "forbidden",
            "Only HR and communicators can post announcements.",
            status=403,
        )
    access = find_space(author, space_id=space_id)
    if access.space.kind not in ANNOUNCEABLE:
        raise ServiceError(
            "wrong_space",
            "Announcements go to the company-wide space or an onboarding space.",
        )
    # The company-wide space is everyone's: the role is the permission. An
    # onboarding cohort's space is its members': the author must be one.
    if access.space.kind != Space.Kind.COMPANY and access.member is None:
        raise ServiceError(
            "not_member", "Join the space to announce in it.", status=403
        )
    return access


def _clean_locations(locations: Iterable[str]) -> list[str]:
    cleaned = sorted({loc.strip() for loc in locations if loc.strip()})
    if len(cleaned) > MAX_LOCATIONS:
        raise ServiceError(
            "too_many", f"Target at most {MAX_LOCATIONS} locations at once."
        )
    if any(len(loc) > MAX_LOCATION_LENGTH for loc in cleaned):
        raise ServiceError(
            "too_long", f"A location is at most {MAX_LOCATION_LENGTH} characters."
        )
    return cleaned


def _pins_in_use(space_id: int, now: datetime.datetime) -> int:
    return (
        Post.objects.filter(
            space_id=space_id, pinned_at__isnull=False, deleted_at__isnull=True
        )
        .exclude(announcement__pinned_until__lte=now)
        .count()
    )


def announce(
    author: User,
    *,
    space_id: int,
    body: str,
    must_read: bool = False,
    pinned_until: datetime.datetime | None = None,
    publish_at: datetime.datetime | None = None,
    department_ids: Iterable[int] = (),
    locations: Iterable[str] = (),
) -> Announcement:
    """Post an announcement now, or schedule it for `publish_at`.

    Targeting (`department_ids`, `locations`) picks the space's members it
    is for: they see it in their home feed and, for a must-read, are asked
    to acknowledge it. The space's own members still read it in the space.
    """
    access = _announceable(author, space_id)
    body = _clean(body, limit=events.MAX_POST_LENGTH, what="post")
    # Each reaches a whole company: a script gone wrong must not flood it.
    take_token("announce", author.pk, burst=10, per_minute=5)
    now = timezone.now()
    if publish_at is not None and timezone.is_naive(publish_at):
        raise ServiceError("invalid", "Give the publishing time with its time zone.")
    if publish_at is None or publish_at < now:
        publish_at = now
    if pinned_until is not None:
        if timezone.is_naive(pinned_until):
            raise ServiceError("invalid", "Give the pin's end with its time zone.")
        if pinned_until <= publish_at:
            raise ServiceError("invalid", "Pin it until a time after it is published.")
    departments = list(Department.objects.filter(pk__in=set(department_ids)))
    if len(departments) != len(set(department_ids)):
        raise ServiceError("unknown_department", "No such department.")
    cleaned_locations = _clean_locations(locations)
    with transaction.atomic():
        if pinned_until is not None:
            from feeds.services.spaces.membership import lock_space

            lock_space(access.space.pk)
            if _pins_in_use(access.space.pk, now) >= events.MAX_PINNED:
                raise ServiceError(
                    "too_many",
                    f"A space can pin at most {events.MAX_PINNED} posts: "
                    "unpin one first.",
                    status=409,
                )
        announcement = Announcement.objects.create(
            author=author,
            space=access.space,
            body=body,
            must_read=must_read,
            pinned_until=pinned_until,
            publish_at=publish_at,
            locations=cleaned_locations,
            targeted=bool(departments or cleaned_locations),
        )
        announcement.departments.set(departments)
        if publish_at <= now:
            publish_announcement(announcement.pk, now=now)
        else:
            transaction.on_commit(lambda: _schedule(publish_at))
        if pinned_until is not None:
            transaction.on_commit(lambda: _schedule(pinned_until))
    announcement.refresh_from_db()
    return announcement


def _schedule(when: datetime.datetime) -> None:
    """Ask the worker to publish at its time, when the tasks backend can
    wait (the database one); otherwise the periodic publish_due does."""
    from feeds import tasks

    tasks.run_at(when)


def _readers(announcement: Announcement) -> list[int]:
    members = SpaceMember.objects.filter(
        space_id=announcement.space_id, user__is_active=True
    ).exclude(user_id=announcement.author_id)
    targets = Q()
    if announcement.target_department_ids:
        targets |= Q(user__department_id__in=announcement.target_department_ids)
    if announcement.locations:
        targets |= Q(user__location__in=announcement.locations)
    return list(members.filter(targets).values_list("user_id", flat=True))


def publish_announcement(
    announcement_id: int, *, now: datetime.datetime | None = None
) -> Post | None:
    """Publish a due announcement; return its post, or None when it is not
    due yet or another caller published it already."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement_id, published_at__isnull=True, publish_at__lte=now
        ).update(published_at=now)
        if not claimed:
            return None
        announcement = (
            Announcement.objects.select_related("author", "space")
            .prefetch_related("departments")
            .get(pk=announcement_id)
        )
        # The role is checked again at its time: whoever lost it since
        # scheduling no longer speaks for the company. The claim stays
        # (published_at set, no post): held, never retried, told once.
        if not can_announce(announcement.author):
            _hold(announcement)
            return None
        post = _make_post(announcement, now)
    if announcement.publish_at < now - datetime.timedelta(minutes=5):
        logger.warning(
            "announcement %s published %s late",
            announcement.pk,
            now - announcement.publish_at,
        )
    return post


def _hold(announcement: Announcement) -> None:
    """Tell the author and HR that a due announcement was held back."""
    from django.urls import reverse

    space, author = announcement.space, announcement.author
    url = reverse("feeds:edit_announcement", args=[announcement.pk])
    notify(
        [author.pk],
        kind="announcement_held",
        text=f"Your announcement in {space.name} was not published: you no "
        "longer post announcements. HR can publish or cancel it",
        url=url,
    )
    notify(
        [pk for pk in hr_people() if pk != author.pk],
        kind="announcement_held",
        text=f"{author.display_name}'s announcement in {space.name} was held: "
        "they no longer post announcements",
        url=url,
    )
    logger.warning("announcement %s held: its author lost the role", announcement.pk)


def _make_post(announcement: Announcement, now: datetime.datetime) -> Post:
    from feeds.services.spaces.membership import lock_space

    space, author = announcement.space, announcement.author
    member = SpaceMember.objects.filter(space=space, user=author).first()
    html, mentioned, everyone = _render(announcement.body, SpaceAccess(space, member))
    pinned = announcement.pinned_until is not None and announcement.pinned_until > now
    if pinned:
        lock_space(space.pk)  # as pin_post: two pins at once keep the limit
        pinned = _pins_in_use(space.pk, now) < events.MAX_PINNED
    post = Post.objects.create(
        space=space,
        author=author,
        client_id=f"announcement:{announcement.pk}",
        body=announcement.body,
        body_html=html,
        mentions_space=everyone,
        is_announcement=True,
        must_read=announcement.must_read,
        targeted=announcement.targeted,
        pinned_at=now if pinned else None,
        created_at=now,
    )
    post.mentions.set(mentioned)
    Announcement.objects.filter(pk=announcement.pk).update(post=post)
    announcement.post = post
    readers = _readers(announcement)
    Reader.objects.bulk_create(
        (Reader(announcement=announcement, user_id=pk) for pk in readers),
        batch_size=1000,
    )
    Space.objects.filter(pk=space.pk).update(last_post_at=now)
    SpaceMember.objects.filter(
        space=space, user=author, last_read_post_id__lt=post.pk
    ).update(last_read_post_id=post.pk)
    _record_post(post, events.post_new(post, attachments=[]))
    if announcement.pinned_until is not None and not pinned:
        notify(
            [author.pk],
            kind="announcement",
            text=f"Your announcement in {space.name} is published but not "
            f"pinned: {events.MAX_PINNED} posts were pinned already",
            url=post.get_absolute_url(),
        )
    # As any post: mentions, and those following the space closely (a
    # must-read's readers hear of it once, as a must-read).
    _notify_mentions(post, post, mentioned, author)
    told = set(mentioned) | (set(readers) if announcement.must_read else set())
    _notify_close_followers(post, author, skip=told)
    if announcement.must_read:
        notify(
            [pk for pk in readers if pk not in mentioned],
            kind="must_read",
            text=f"{author.display_name} asks you to read an announcement "
            f"in {space.name}",
            url=post.get_absolute_url(),
            actor=author,
        )
    return post


def publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish every announcement whose time has come (late ones too:
    nothing is skipped) and unpin expired ones; return how many were
    published. Safe to run from any number of processes at once."""
    now = now or timezone.now()
    due = list(
        Announcement.objects.filter(published_at__isnull=True, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    published = sum(publish_announcement(pk, now=now) is not None for pk in due)
    expire_pins(now=now)
    return published


def expire_pins(*, now: datetime.datetime | None = None) -> int:
    """Unpin announcements whose pin has run out; return how many."""
    now = now or timezone.now()
    expired = list(
        Post.objects.filter(
            pinned_at__isnull=False, announcement__pinned_until__lte=now
        ).values_list("pk", flat=True)
    )
    done = 0
    for post_id in expired:
        with transaction.atomic():
            if not Post.objects.filter(pk=post_id, pinned_at__isnull=False).update(
                pinned_at=None
            ):
                continue  # someone else unpinned it meanwhile
            post = Post.objects.select_related("space", "author").get(pk=post_id)
            _record_post(post, events.post_updated(post))
            done += 1
    return done
