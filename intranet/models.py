"""The kernel's one table: the catch-up log of every stored live event."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    """The durable copy of a live event, in the stream it was published to.

    Its id is the cursor every stored event carries. A tab that reconnects
    asks for the events above the last cursor it saw in every stream its
    user follows (`conversation.42`, `space.7`, `user.5`), whichever app
    wrote them, so nothing the channel layer dropped is lost. Old rows are
    pruned; a cursor older than what is kept gets an explicit "resync
    required" instead of a silent gap.

    `subject` names the object an event describes (`message.1007`): when
    that object's text is edited or removed, every stored event about it is
    rewritten, so a catch-up never hands back text its author took away.
    """

    stream = models.CharField(max_length=64)
    subject = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["stream", "id"], name="event_stream_replay"),
            models.Index(
                fields=["subject"],
                name="event_subject",
                condition=~models.Q(subject=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Event {self.pk} in {self.stream} ({self.payload.get('type')})"


class Notification(models.Model):
    """Something that happened for one person: a mention, a reply, a
    request to decide. Apps create them through intranet.notifications.

    Its text names who and where, never the words of a post or message,
    so editing or deleting those leaves nothing to rewrite here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "id"], name="notification_list"),
            # The badge counts only these, from the newest down, capped.
            models.Index(
                fields=["user", "id"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.text}"
