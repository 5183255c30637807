"""Spaces, their members, and requests to join a closed one."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from intranet.links import slug_link


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
