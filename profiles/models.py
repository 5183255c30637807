import datetime
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# Someone who started in the last week is a new starter: the home page's
# "New this week" and the "New starter" on a profile.
NEW_STARTER_DAYS = 7


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name.")


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager):
    """Users sign in with their work email; there is no username."""

    use_in_migrations = True

    def _create_user_object(self, email, password, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.password = ""
        if password is not None:
            user.set_password(password)
        else:
            user.set_unusable_password()
        return user

    def _create_user(self, email, password, **extra_fields):  # type: ignore[override]
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person at the company; Canteen's custom user model from day one."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("work email", unique=True)
    title = models.CharField("job title", max_length=120, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    location = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    start_date = models.DateField(null=True, blank=True)
    # A source HR vouches for (leadership, HR, IT): a badge by the name,
    # and the home feed's Trusted view keeps their posts.
    is_verified = models.BooleanField("verified source", default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        # Company roles, held through groups (profiles.roles), never by
        # being a superuser: HR runs onboarding and company-wide updates.
        permissions = [
            ("manage_onboarding", "Can manage onboarding journeys and new starters"),
            ("post_announcements", "Can post announcements to the whole company"),
            ("verify_sources", "Can mark accounts as verified sources"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def initials(self) -> str:
        parts = [self.first_name[:1], self.last_name[:1]]
        return "".join(parts).upper() or self.email[:1].upper()

    def local_time(self) -> datetime.datetime:
        """Return the time now where this person is."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def is_new_starter(self, today: datetime.date | None = None) -> bool:
        """Return whether this person started in the last NEW_STARTER_DAYS."""
        if self.start_date is None:
            return False
        today = today or timezone.localdate()
        age = (today - self.start_date).days
        return 0 <= age < NEW_STARTER_DAYS


class APIToken(models.Model):
    """A personal token for bots and scripts: shown once, stored hashed.

    The token reads `cnt_<prefix>_<secret>`; the prefix finds the row without
    scanning and the SHA-256 of the whole token is compared in constant time.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (cnt_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
