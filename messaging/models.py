import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from intranet.events import MAX_CLIENT_ID_LENGTH

# A group's name, and a reaction (one emoji, with its modifiers): the
# columns' sizes, and what services and schemas accept.
MAX_TITLE_LENGTH = 100
MAX_EMOJI_LENGTH = 32


class Conversation(models.Model):
    """A place to chat: two people, a named group, or a space's channel.

    A direct conversation's `direct_key` ("<low id>:<high id>") is unique,
    so two people always share exactly one; its members never change.
    """

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct message"
        GROUP = "group", "Group conversation"
        SPACE = "space", "Space chat"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised for the sidebar's "most recent first" without a join.
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="conversations"
    )

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"


class Membership(models.Model):
    """A person in a conversation, and how far they have read."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_memberships",
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # The id of the newest message this person has read; unread messages
    # are the ones above it. Monotonic: marking read never moves it back.
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_membership_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages"
    )
    # The sending client's id for this message: a retried send finds the
    # stored row instead of storing the message twice.
    client_id = models.CharField(max_length=MAX_CLIENT_ID_LENGTH)
    body = models.TextField()
    body_html = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    thread_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    # A default rather than auto_now_add, so imports and the demo company
    # can keep a message's original time.
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_id"], name="one_message_per_client_id"
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "id"], name="message_history"),
            # Unread counts: each reads this from the person's read marker
            # up, at most UNREAD_CAP entries (messaging.selectors). Only
            # what can be unread is in it, and the sender too, so the count
            # never visits the table (an index-only scan on PostgreSQL).
            models.Index(
                fields=["conversation", "id", "sender"],
                name="message_unread",
                condition=models.Q(thread_root__isnull=True, deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def html(self) -> str:
        # body_html is only ever intranet.markdown's sanitised output.
        return mark_safe(self.body_html)  # noqa: S308


class Reaction(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    emoji = models.CharField(max_length=MAX_EMOJI_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="one_reaction_per_emoji"
            )
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.message_id}"


# Thumbnails fit in a square this big (messaging.files makes them), and
# show in a message at most this big (sharp on high-density screens).
THUMBNAIL_MAX = 400
THUMBNAIL_SHOWN_MAX = 320
KIND_LABELS = {
    "application/pdf": "PDF",
    "text/plain": "TXT",
    "application/zip": "ZIP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOC",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLS",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPT",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
}


def attachment_path(attachment: "StoredFile", filename: str) -> str:
    # Never the uploader's name (kept in `name`): a random one, so paths
    # cannot be guessed, collide, or carry anything odd to the disk.
    suffix = PurePath(filename).suffix
    return f"{attachment.folder}/{secrets.token_hex(16)}{suffix}"


def thumbnail_path(attachment: "StoredFile", filename: str) -> str:
    return f"{attachment.folder}/thumbnails/{secrets.token_hex(16)}.webp"


class StoredFile(models.Model):
    """An uploaded file as Canteen keeps it: content-checked
    (messaging.files), stored under a random name, with a thumbnail for
    an image. Messages' attachments and posts' (feeds) are this with their
    own owner and access rule; services.store_upload fills one in.
    """

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Where the sender put it among the message's (post's) attachments.
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    # As the uploader named it, cleaned (messaging.files.clean_name).
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # Detected from the content, never taken from the upload's headers.
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        # As the sender put them, wherever a message's files are listed.
        ordering = ["position", "id"]

    def get_absolute_url(self) -> str:
        raise NotImplementedError

    @property
    def folder(self) -> str:
        """The storage folder of its files (upload_to)."""
        raise NotImplementedError

    @property
    def is_image(self) -> bool:
        # Only PNG, JPEG, GIF and WebP are ever stored as image/*.
        return self.content_type.startswith("image/")

    @property
    def kind_label(self) -> str:
        """A short label for a file's icon: PDF, TXT, DOC, …"""
        return KIND_LABELS.get(self.content_type, "FILE")

    @property
    def shown_size(self) -> tuple[int, int]:
        """The size a thumbnail shows at, for <img width height>, so the
        page keeps its place while it loads (attachment-list.js alike)."""
        width, height = self.width or 1, self.height or 1
        scale = min(1.0, THUMBNAIL_SHOWN_MAX / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))

    @property
    def thumbnail_url(self) -> str | None:
        raise NotImplementedError


class Attachment(StoredFile):
    """A file uploaded to a conversation, then sent with one message.

    Until it is sent (`message` is null) only its uploader can see it;
    unsent uploads are pruned after a day. Deleting the message deletes
    its attachments and their files.
    """

    # Uploads not sent yet (services.prune_unsent_attachments).
    UNSENT = models.Q(message__isnull=True)

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    def __str__(self) -> str:
        return f"{self.name} in {self.conversation_id}"

    def get_absolute_url(self) -> str:
        return reverse("api-v1:attachment_file", args=[self.pk])

    @property
    def folder(self) -> str:
        return f"attachments/{self.conversation_id}"

    @property
    def thumbnail_url(self) -> str | None:
        if not self.thumbnail:
            return None
        return reverse("api-v1:attachment_thumbnail", args=[self.pk])
