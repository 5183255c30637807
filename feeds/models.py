"""Spaces, their members, and the feed of posts, comments and reactions.

A space owns a chat: a messaging conversation of kind `space` whose
members feeds keeps equal to the space's (feeds.services.spaces). Messaging
knows nothing of spaces.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from intranet.links import link, slug_link
from messaging.models import StoredFile


class Space(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", "Team"
        COMMUNITY = "community", "Community"
        ONBOARDING = "onboarding", "Onboarding"
        COMPANY = "company", "Company-wide"

    class Visibility(models.TextChoices):
        # Anyone may read and join.
        OPEN = "open", "Open"
        # Anyone may find it and ask to join; only members read it.
        CLOSED = "closed", "Closed"
        # Only members know it exists: 404 for everyone else, everywhere.
        SECRET = "secret", "Secret"

    class Who(models.TextChoices):
        MEMBERS = "members", "Every member"
        LEADERS = "leaders", "Leaders and moderators"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.OPEN
    )
    # A team space follows one department: its members are the
    # department's people (feeds.services.spaces.directory.sync_person).
    department = models.OneToOneField(
        "profiles.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_space",
    )
    # The space's chat; its members are the space's.
    chat = models.OneToOneField(
        "messaging.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    who_may_post = models.CharField(
        max_length=8, choices=Who.choices, default=Who.MEMBERS
    )
    who_may_mention_all = models.CharField(
        max_length=8, choices=Who.choices, default=Who.LEADERS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_link("feeds:space", self.slug)


class SpaceMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "Leader"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="space_memberships",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # The newest post this person has seen in the space's feed; newer ones
    # are unread (counted from here up by index, capped for display).
    last_read_post_id = models.BigIntegerField(default=0)
    # A muted space's posts stay readable but raise no unread mark.
    muted = models.BooleanField(default=False)
    # Following closely: a notification for every new post (never when
    # muted: the two are kept exclusive by feeds.services).
    every_post = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="one_space_member")
        ]
        indexes = [models.Index(fields=["user", "space"], name="space_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in space {self.space_id} ({self.role})"

    @property
    def can_moderate(self) -> bool:
        return self.role in (self.Role.LEADER, self.Role.MODERATOR)


class JoinRequest(models.Model):
    """A person asking to join a closed space; a leader decides."""

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="one_join_request")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} asks to join {self.space_id}"


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


class Reaction(models.Model):
    """An emoji on a post, or on one of its comments (`comment` set)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reactions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "emoji"],
                condition=Q(comment__isnull=True),
                name="one_post_reaction_per_emoji",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "emoji"],
                condition=Q(comment__isnull=False),
                name="one_comment_reaction_per_emoji",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on post {self.post_id}"


class Follow(models.Model):
    """One person following another: their posts come to the home feed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "person"], name="one_follow")
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.person_id}"


class PostMute(models.Model):
    """Someone who asked to hear no more of one post's comments."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_post_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} muted post {self.post_id}"


class PostView(models.Model):
    """A person who had a post on screen: its reach counts each once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_view_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw post {self.post_id}"


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
