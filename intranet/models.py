"""The kernel's one table: the catch-up log of every stored live event."""

from django.db import models


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
