import datetime
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from profiles.matching import fold

# Someone who started in the last week is a new starter: the home page's
# "New this week" and the "New starter" on a profile.
NEW_STARTER_DAYS = 7
BIO_MAX = 1000
# Saves of these fields rewrite User.search_key.
KEYED_FIELDS = frozenset({"first_name", "last_name", "email", "title"})
# Between a person's own words and their skills in search_key: whitespace,
# so no query word matches across it.
SKILLS_MARK = "\n"


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


class Skill(models.Model):
    """A skill or area of expertise, as people tag themselves.

    `key` is the name folded by the one matching rule, so "Python" and
    "python " are one skill; `name` is the spelling first given.
    """

    name = models.CharField(max_length=40)
    key = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


def photo_path(person: "User", filename: str) -> str:
    # A new name for every upload: a cached old photo is never shown as
    # the new one, and the name reveals nothing.
    return f"people/{person.pk}/{secrets.token_hex(12)}{filename[-5:]}"


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
    team = models.CharField(max_length=120, blank=True)
    # The identity system's id for this person (SCIM externalId, an HR
    # system's employee number): imports match on it before email.
    external_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True, default=None
    )

    # What people say about themselves (profiles.services.update_profile).
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    bio = models.TextField(max_length=BIO_MAX, blank=True)
    links = models.JSONField(default=list, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="people")
    # A square crop and its thumbnails, re-encoded from the pixels, so no
    # metadata of the upload survives (profiles.photos).
    photo = models.FileField(upload_to=photo_path, blank=True)
    photo_small = models.FileField(upload_to=photo_path, blank=True)

    # "🌴 On holiday until Monday": gone once status_expires_at passes,
    # which readers check (status_now), so nothing has to clear it.
    status_emoji = models.CharField(max_length=16, blank=True)
    status_text = models.CharField(max_length=100, blank=True)
    status_expires_at = models.DateTimeField(null=True, blank=True)

    # Names, email, title and skills folded by the one matching rule
    # (profiles.matching), kept in step by save() and set_skills(); every
    # people search is a LIKE on it.
    search_key = models.TextField(blank=True, default="", editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        # Lists of people in that order (the directory, pickers) read a
        # page by index instead of sorting the whole company.
        indexes = [
            models.Index(fields=["first_name", "last_name", "id"], name="user_by_name"),
            # Who started this week (the home page, the directory's filter):
            # a range of the index, not a scan of the whole company.
            models.Index(fields=["start_date"], name="user_by_start_date"),
        ]
        # Company roles, held through groups (profiles.roles), never by
        # being a superuser: HR runs onboarding and company-wide updates.
        permissions = [
            ("manage_onboarding", "Can manage onboarding journeys and new starters"),
            ("post_announcements", "Can post announcements to the whole company"),
            ("verify_sources", "Can mark accounts as verified sources"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & KEYED_FIELDS:
            # The skills are read again: this instance may be older than
            # the last change of them (profiles.services._set_skills).
            skills = list(self.skills.values_list("name", flat=True)) if self.pk else []
            self.search_key = self.make_search_key(skills)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def make_search_key(self, skills: list[str] | None = None) -> str:
        """Return the folded text people searches match this person by:
        names, email, job title and the `skills` given."""
        own = fold(" ".join([self.first_name, self.last_name, self.email, self.title]))
        kept = fold(" ".join(skills or []))
        return f"{own}{SKILLS_MARK}{kept}" if kept else own

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def initials(self) -> str:
        parts = [self.first_name[:1], self.last_name[:1]]
        return "".join(parts).upper() or self.email[:1].upper()

    @property
    def status_now(self) -> tuple[str, str] | None:
        """Return (emoji, text) of the custom status while it lasts."""
        if not (self.status_text or self.status_emoji):
            return None
        if self.status_expires_at and self.status_expires_at <= timezone.now():
            return None
        return (self.status_emoji, self.status_text)

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
