"""Journeys (templates of steps), enrollments in them, and tasks.

A `Task` is one thing one person has to do by a date. Onboarding's steps
become tasks when someone is enrolled, and tasks made elsewhere later (from
a post or a message, issue 11) are the same rows without an enrollment, so
"My tasks" and reminders read one table.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5_000


class Journey(models.Model):
    """HR's template: the steps a new starter or a returner goes through."""

    class Kind(models.TextChoices):
        NEW_STARTER = "new_starter", "New starter"
        RETURNER = "returner", "Returner"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step of a journey: who does it and when, relative to the start."""

    class Owner(models.TextChoices):
        STARTER = "starter", "The new starter"
        MANAGER = "manager", "Their manager"
        BUDDY = "buddy", "Their buddy"
        HR = "hr", "HR"
        IT = "it", "IT"

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    owner = models.CharField(max_length=10, choices=Owner.choices)
    # Days from the start date: -3 is three days before, 90 the 90th day.
    due_day = models.IntegerField()
    link = models.URLField(blank=True)

    class Meta:
        ordering = ["due_day", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (day {self.due_day})"


class Enrollment(models.Model):
    """A person on a journey from a start date, with their cohort's space."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="enrollments"
    )
    start_date = models.DateField()
    # A returner's last day before their leave: "while you were away"
    # starts here. Empty for new starters.
    away_since = models.DateField(null=True, blank=True)
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buddy_enrollments",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    space = models.ForeignKey(
        "feeds.Space", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    welcome_post = models.ForeignKey(
        "feeds.Post", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the journey is over (or HR ends it): off the board.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            # Enrolling twice must change nothing: one running journey each.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_at__isnull=True),
                name="enrollment_one_active",
            )
        ]
        indexes = [
            models.Index(
                fields=["buddy"],
                condition=Q(ended_at__isnull=True),
                name="enrollment_active_buddy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.journey}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def day(self, today: datetime.date) -> int:
        """Return the journey day `today` is: 0 is the start date."""
        return (today - self.start_date).days


class Task(models.Model):
    """Something one person does by a date; open until done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set for an onboarding step; empty for a task made anywhere else.
    enrollment = models.ForeignKey(
        Enrollment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # A task made from a post or a message links back to it; whoever made
    # it could read it, and so could its assignee (services.create_task).
    post = models.ForeignKey(
        "feeds.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "step"],
                name="task_one_per_step",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_mine")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    def state(self, today: datetime.date) -> str:
        """Return late, due (today or within the week), upcoming or done."""
        if self.is_done:
            return "done"
        if self.due_date < today:
            return "late"
        if self.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "due"
        return "upcoming"


# An open task due within this many days is "due", later ones "upcoming".
DUE_SOON_DAYS = 7


class ReminderDigest(models.Model):
    """The one reminder a person gets on a day (their own calendar day):
    its row is the claim, so two schedulers or a retried task send it
    once (onboarding.services.reminders)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    due = models.PositiveIntegerField()
    late = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.person_id} on {self.day}"
