"""Posts in a space, the files posted with them, and their comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from feeds.models.spaces import Space
from intranet.links import link
from messaging.models import StoredFile


class Post(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    # The posting client's id: a retried post finds the stored row.
    client_id = models.CharField(max_length=64)
    body = models.TextField()
    body_html = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_posts"
    )
    # "@space": the whole space was mentioned.
    mentions_space = models.BooleanField(default=False)
    is_announcement = models.BooleanField(default=False)
    # Its announcement asks each reader to acknowledge (feeds.Announcement).
    must_read = models.BooleanField(default=False)
    # Its announcement is for some departments or locations: only their
    # people (its Reader rows) get it in their home feed.
    targeted = models.BooleanField(default=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A moderator's removal: who, and why (the author is told).
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_reason = models.CharField(max_length=500, blank=True)
    # Kept with each comment and reaction, so a feed page counts nothing.
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"], name="one_post_per_client_id"
            )
        ]
        indexes = [
            # A space's feed and its unread count, newest first.
            models.Index(
                fields=["space", "id"],
                name="post_feed",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["author", "id"],
                name="post_by_author",
                condition=Q(deleted_at__isnull=True),
            ),
            # A space's pins (three at most): read on every space page,
            # which otherwise walked all the space's posts for none.
            models.Index(
                fields=["space", "pinned_at"],
                name="post_pins",
                condition=Q(pinned_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.space_id}"

    def get_absolute_url(self) -> str:
        return link("feeds:post", self.pk)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def html(self) -> str:
        # body_html is only ever intranet.markdown's sanitised output.
        return mark_safe(self.body_html)  # noqa: S308


class PostAttachment(StoredFile):
    """A file uploaded to a space, then posted with one post: messaging's
    stored file (checked, stored and served by the same code) with a post
    for an owner.

    Until it is posted (`post` is null) only its uploader can see it;
    unposted uploads are pruned with messaging's (prune_attachments).
    Deleting the post deletes its attachments and their files.
    """

    UNSENT = Q(post__isnull=True)

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="attachments"
    )
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    def __str__(self) -> str:
        return f"{self.name} in space {self.space_id}"

    def get_absolute_url(self) -> str:
        return link("api-v1:post_attachment_file", self.pk)

    @property
    def folder(self) -> str:
        return f"posts/{self.space_id}"

    @property
    def thumbnail_url(self) -> str | None:
        if not self.thumbnail:
            return None
        return link("api-v1:post_attachment_thumbnail", self.pk)


class Comment(models.Model):
    """A comment on a post, or a reply to one (one level deep)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_comments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "id"], name="comment_thread")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.post_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def html(self) -> str:
        return mark_safe(self.body_html)  # noqa: S308
