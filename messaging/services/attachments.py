"""Files: uploaded first, then sent with one message."""

import datetime
from typing import IO, Any, TypeVar

from django.apps import apps
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
from messaging.models import Attachment, Conversation, Message, StoredFile
from messaging.selectors import get_conversation_for_user
from profiles.models import User

MAX_ATTACHMENTS_PER_MESSAGE = 10


def attach_files(
    sender: User, conversation: Conversation, message: Message, ids: list[int]
) -> list[Attachment]:
    """Attach the sender's unsent uploads `ids` to `message`.

    Call inside transaction.atomic(): Http404 rolls the message back.
    """
    if not ids:
        return []
    uploads = Attachment.objects.filter(
        uploader=sender, conversation=conversation, message__isnull=True
    )
    if claim_uploads(uploads, ids, message=message) != len(ids):
        raise Http404("No such attachment.")
    return list(Attachment.objects.filter(message=message))


def claim_uploads(uploads: "QuerySet[Any]", ids: list[int], **owner: Any) -> int:
    """Give the uploads `ids` among `uploads` their `owner` (a message, a
    post), in the order of `ids`; return how many were claimed.

    One update claims each upload at most once, even for two sends at once.
    """
    return uploads.filter(pk__in=ids).update(
        **owner,
        # Uploads finish in any order; the message keeps the sender's.
        position=Case(
            *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)),
            output_field=PositiveSmallIntegerField(),
        ),
    )


def delete_attachments(attachments: "QuerySet[Any]") -> int:
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
    Send it with send_message(attachment_ids=...)."""
    conversation = get_conversation_for_user(user, conversation_id)
    return store_upload(
        Attachment(conversation=conversation, uploader=user),
        upload=upload,
        name=name,
        size=size,
    )


S = TypeVar("S", bound=StoredFile)


def store_upload(record: S, *, upload: IO[bytes], name: str, size: int) -> S:
    """Check, store and save an uploaded file as `record` (an unsaved
    StoredFile with its owner and uploader set); the caller has checked
    who may upload there.

    The content decides what it is (messaging.files); an image gets its
    size and a thumbnail, and is stored without its metadata (EXIF with
    GPS, XMP, comments: messaging.metadata).
    """
    take_token(
        "attachment.upload",
        record.uploader_id,
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
    record.name = name
    record.size = content.size
    record.content_type = inspected.kind.content_type
    record.width = inspected.width
    record.height = inspected.height
    record.file.save(f"upload{inspected.extension}", content, save=False)
    try:
        if inspected.thumbnail is not None:
            record.thumbnail.save(
                "thumbnail.webp", ContentFile(inspected.thumbnail), save=False
            )
        record.save()
    except BaseException:
        # No row points at the files: do not leave them behind.
        for field in (record.file, record.thumbnail):
            if field:
                field.delete(save=False)
        raise
    return record


def _megabytes(size: int) -> str:
    return filesizeformat(size).replace("\xa0", " ")


def prune_unsent_attachments(*, before: datetime.datetime) -> int:
    """Delete uploads never sent and made before `before`: messages' and
    those of every other kind of StoredFile (a post's, in feeds), each
    saying which of its rows are unsent (`UNSENT`)."""
    kinds: list[Any] = [
        model
        for model in apps.get_models()
        if issubclass(model, StoredFile) and hasattr(model, "UNSENT")
    ]
    deleted = 0
    with transaction.atomic():
        for model in kinds:
            deleted += delete_attachments(
                model.objects.filter(model.UNSENT, created_at__lt=before)
            )
    return deleted
