"""Announcements: written for a space or for departments, published at
their time as a post, and the people (readers) asked to acknowledge it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from feeds.models.posts import Post
from feeds.models.spaces import Space


class Announcement(models.Model):
    """HR's or a communicator's announcement: a post to come, then its post.

    Until it is published (`published_at` set, `post` made) it is only
    this row: no post exists, so no feed, page, event, search or
    notification can show it. Publishing sets `published_at` with a
    conditional UPDATE, so it happens once however many workers try
    (feeds.services.announcements.publishing.publish_announcement).
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="announcements"
    )
    body = models.TextField()
    # Every expected reader is asked to say "I've read this".
    must_read = models.BooleanField(default=False)
    # Pinned from publishing until then (feeds.services.expire_pins).
    pinned_until = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    post = models.OneToOneField(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcement",
    )
    # Targeting: the space's members in these departments or locations are
    # its readers; none of either means every member.
    departments = models.ManyToManyField(
        "profiles.Department", blank=True, related_name="+"
    )
    locations = models.JSONField(default=list, blank=True)
    # Either of the two is set: the home feed asks for a Reader row.
    targeted = models.BooleanField(default=False)
    # The one nudge to those who have not acknowledged yet.
    nudged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # What the scheduler asks every tick: the due, unpublished ones.
            models.Index(
                fields=["publish_at"],
                name="announcement_due",
                condition=Q(published_at__isnull=True),
            ),
            models.Index(
                fields=["pinned_until"],
                name="announcement_pin_expiry",
                condition=Q(pinned_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Announcement {self.pk} in {self.space_id}"

    @property
    def is_published(self) -> bool:
        return self.post_id is not None

    @property
    def is_held(self) -> bool:
        """Claimed at its time but not published: its author had lost the
        role (feeds.services.announcements.publishing._hold). HR
        reschedules or cancels it."""
        return self.published_at is not None and self.post_id is None

    @property
    def published_post(self) -> Post:
        """Return its post; call only once it is published."""
        if self.post is None:
            raise ValueError(f"{self} is not published yet.")
        return self.post

    @property
    def target_department_ids(self) -> list[int]:
        return [d.pk for d in self.departments.all()]


class Reader(models.Model):
    """Someone an announcement is for, fixed when it is published; for a
    must-read, whether and when they acknowledged it."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="readers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="one_reader_per_announcement"
            )
        ]
        indexes = [models.Index(fields=["user", "announcement"], name="reader_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} reads announcement {self.announcement_id}"
