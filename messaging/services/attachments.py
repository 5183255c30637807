"""Files: uploaded first, then sent with one message."""

import datetime
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, PositiveSmallIntegerField, QuerySet, Value, When
from django.http import Http404
from django.template.defaultfilters import filesizeformat

from intranet.errors import ServiceError
from intranet.ratelimit import take_token
from messaging import files
from messaging.models import Attachment, Conversation, Message
from messaging.selectors import get_conversation_for_user
from profiles.models import User

MAX_ATTACHMENTS_PER_MESSAGE = 10


def attach_files(
    sender: User, conversation: Conversation, message: Message, ids: list[int]
) -> list[Attachment]:
    """Attach the sender's unsent uploads `ids` to `message`.

    Call inside transaction.atomic(): Http404 rolls the message back. The
    update claims each upload at most once, even for two sends at once.
    """
    if not ids:
        return []
    claimed = Attachment.objects.filter(
        pk__in=ids, uploader=sender, conversation=conversation, message__isnull=True
    ).update(
        message=message,
        # Uploads finish in any order; the message keeps the sender's.
        position=Case(
            *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)),
            output_field=PositiveSmallIntegerField(),
        ),
    )
    if claimed != len(ids):
        raise Http404("No such attachment.")
    return list(Attachment.objects.filter(message=message))


def delete_attachments(attachments: "QuerySet[Attachment]") -> int:
    """Delete `attachments` now and their files once that commits.

    Files go after the commit: a rollback must not leave rows whose files
    are gone. A crash in between leaves only unreferenced files.
    """
    stored = [
        name
        for a in attachments.only("file", "thumbnail")
        for name in (a.file.name, a.thumbnail.name)
        if name
    ]
    deleted, _ = attachments.delete()

    def remove_files() -> None:
        for name in stored:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
    return deleted


def upload_attachment(
    user: User, *, conversation_id: int, upload: IO[bytes], name: str, size: int
) -> Attachment:
    """Store a file `user` uploads to a conversation, not yet sent.

    The content decides what it is (messaging.files); an image gets its
    size and a thumbnail, and is stored without its metadata (EXIF with
    GPS, XMP, comments: messaging.metadata). Send it with
    send_message(attachment_ids=...).
    """
    conversation = get_conversation_for_user(user, conversation_id)
    take_token(
        "attachment.upload",
        user.pk,
        burst=settings.ATTACHMENT_UPLOAD_BURST,
        per_minute=settings.ATTACHMENT_UPLOAD_PER_MINUTE,
    )
    limit = settings.MAX_ATTACHMENT_BYTES
    if size > limit:
        raise ServiceError(
            "too_large",
            f"Files can be at most {_megabytes(limit)} "
            f"(this one is {_megabytes(size)}).",
            status=413,
        )
    if size == 0:
        raise ServiceError("empty", "That file is empty.")
    name = files.clean_name(name)
    inspected = files.inspect(upload, name)
    content: File = File(upload)
    if inspected.content is not None:
        # An image without its metadata, which may be a little smaller or,
        # turned and re-encoded, larger: the limit above was for the upload.
        content = ContentFile(inspected.content)
    else:
        upload.seek(0)
    attachment = Attachment(
        conversation=conversation,
        uploader=user,
        name=name,
        size=content.size,
        content_type=inspected.kind.content_type,
        width=inspected.width,
        height=inspected.height,
    )
    attachment.file.save(f"upload{inspected.extension}", content, save=False)
    try:
        if inspected.thumbnail is not None:
            attachment.thumbnail.save(
                "thumbnail.webp", ContentFile(inspected.thumbnail), save=False
            )
        attachment.save()
    except BaseException:
        # No row points at the files: do not leave them behind.
        for field in (attachment.file, attachment.thumbnail):
            if field:
                field.delete(save=False)
        raise
    return attachment


def _megabytes(size: int) -> str:
    return filesizeformat(size).replace("\xa0", " ")


def prune_unsent_attachments(*, before: datetime.datetime) -> int:
    """Delete uploads never sent with a message and made before `before`."""
    with transaction.atomic():
        return delete_attachments(
            Attachment.objects.filter(message__isnull=True, created_at__lt=before)
        )
