"""Every write to conversations, and the events it publishes.

Each change is stored in one transaction together with its event in the
kernel's catch-up log (intranet.realtime.record), and published on commit:
durable before live.
"""

import datetime
import time
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    F,
    PositiveSmallIntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Greatest, Lower
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from intranet.errors import ServiceError
from intranet.markdown import mentioned_names, render
from intranet.ratelimit import take_token
from intranet.realtime import publish, publish_on_commit, record, rewrite, user_group
from messaging import events, files
from messaging.models import (
    Attachment,
    Conversation,
    Membership,
    Message,
    Reaction,
)
from messaging.selectors import (
    get_conversation_for_user,
    get_message_for_user,
    is_member,
    total_unread,
    unread_in,
    unread_mentions_in,
    with_members,
)
from profiles.models import User

MAX_GROUP_SIZE = 100
MAX_TITLE_LENGTH = 100
MAX_ATTACHMENTS_PER_MESSAGE = 10


def _record(
    conversation_id: int, payload: dict[str, Any], *, message_id: int | None = None
) -> dict[str, Any]:
    """Store `payload` in the conversation's catch-up log and publish it on
    commit; return it with its cursor. Call inside transaction.atomic()."""
    subject = f"message.{message_id}" if message_id else ""
    return record(events.conversation_group(conversation_id), payload, subject=subject)


def _lock_message(message_id: int) -> Message:
    """Take the message's row lock and return the row as it is now.

    Call inside transaction.atomic(), before changing a message or its
    reactions: two reactions at once must commit their summaries in cursor
    order, and an edit racing a delete must not write text back onto the
    tombstone. SQLite serialises writers anyway.
    """
    return (
        Message.objects.select_for_update(no_key=True)
        .select_related("sender")
        .get(pk=message_id)
    )


def _forget_old_text(message: Message) -> None:
    """Make every stored event about `message` show it as it is now.

    Call inside transaction.atomic() after an edit or a delete: a tab that
    catches up must never be handed the text its author took away.
    """
    current = events.message_data(message)

    def redact(event: dict[str, Any]) -> dict[str, Any]:
        if isinstance(event.get("message"), dict):
            return {**event, "message": current}
        return event

    rewrite(f"message.{message.pk}", redact)


def _lock_conversation(conversation_id: int) -> Conversation:
    """Take the conversation's row lock and return the row as it is now.

    Call inside transaction.atomic(), before a change that publishes
    conversation.updated. The event carries the whole conversation, so
    two changes at once must commit in cursor order, each describing what
    the other left: otherwise a tab could end on the older picture (a
    rename undone, a newcomer missing). FOR NO KEY UPDATE, so rows that
    merely point at the conversation (messages, events) are not held up.
    SQLite serialises writers anyway.
    """
    return Conversation.objects.select_for_update(no_key=True).get(pk=conversation_id)


def _clean_body(body: str, *, allow_empty: bool = False) -> str:
    body = body.strip()
    if not body and not allow_empty:
        raise ServiceError("empty", "A message cannot be empty.")
    if len(body) > events.MAX_BODY_LENGTH:
        raise ServiceError(
            "too_long",
            f"A message can be at most {events.MAX_BODY_LENGTH:,} characters "
            f"(this one has {len(body):,}).",
        )
    return body


def _render(body: str, conversation_id: int) -> tuple[str, set[int]]:
    """Render `body`; return its HTML and the members it @mentions."""
    names = mentioned_names(body)
    if not names:
        return render(body).html, set()
    # Only the named members are loaded, not a whole space of them.
    members = (
        User.objects.filter(conversation_memberships__conversation_id=conversation_id)
        .annotate(full=Lower(Concat("first_name", Value(" "), "last_name")))
        .filter(full__in=names)
    )
    people = {m.display_name.lower(): (m.pk, m.display_name) for m in members}
    # Mentioned are those with a chip: not a name in code or a link.
    html, mentioned = render(body, people=people)
    return html, set(mentioned)


def _active_people(user_ids: Iterable[int]) -> list[User]:
    ids = set(user_ids)
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(people) != len(ids):
        raise ServiceError("unknown_person", "Some of those people do not exist.")
    return people


def _announce_joined(conversation: Conversation, people: Iterable[User]) -> None:
    """Tell each new member's sockets to follow the conversation."""
    stream = events.conversation_group(conversation.pk)
    for member in people:
        publish_on_commit(
            events.conversation_joined(conversation.pk),
            groups=[user_group(member.pk)],
            follow=[stream],
        )


def get_or_create_direct(user: User, *, other_id: int) -> Conversation:
    """Return the one direct conversation between `user` and `other_id`."""
    (other,) = _active_people([other_id])
    low, high = sorted((user.pk, other.pk))
    key = f"{low}:{high}"
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT, direct_key=key, created_by=user
            )
            people = {user.pk: user, other.pk: other}.values()
            Membership.objects.bulk_create(
                Membership(conversation=conversation, user=p) for p in people
            )
            _announce_joined(conversation, people)
    except IntegrityError:  # both people opened it at once; one row won
        return Conversation.objects.get(direct_key=key)
    return conversation


def _clean_title(title: str) -> str:
    """Return a group's name stripped; "" leaves the group unnamed."""
    title = title.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise ServiceError(
            "too_long",
            f"A name can be at most {MAX_TITLE_LENGTH} characters "
            f"(this one has {len(title)}).",
        )
    return title


def create_group(user: User, *, title: str, member_ids: Iterable[int]) -> Conversation:
    """Create a group conversation of `user` and `member_ids`."""
    title = _clean_title(title)
    ids = set(member_ids) | {user.pk}
    if len(ids) < 2:
        raise ServiceError("too_few", "A group needs at least one other person.")
    if len(ids) > MAX_GROUP_SIZE:
        raise ServiceError(
            "too_many", f"A group can have at most {MAX_GROUP_SIZE} people."
        )
    people = _active_people(ids)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, title=title, created_by=user
        )
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in people
        )
        _announce_joined(conversation, people)
    return conversation


def add_members(user: User, *, conversation_id: int, member_ids: Iterable[int]) -> None:
    """Add people to a group conversation `user` belongs to."""
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind != Conversation.Kind.GROUP:
        # A direct conversation is between exactly two people, for ever:
        # adding a third would show them a history written for two.
        raise ServiceError(
            "not_a_group", "Only group conversations can take new people."
        )
    current = set(conversation.memberships.values_list("user_id", flat=True))
    new = set(member_ids) - current
    if not new:
        return
    if len(current | new) > MAX_GROUP_SIZE:
        raise ServiceError(
            "too_many", f"A group can have at most {MAX_GROUP_SIZE} people."
        )
    people = _active_people(new)
    with transaction.atomic():
        _lock_conversation(conversation.pk)
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in people
        )
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        _record(conversation.pk, events.conversation_updated(refreshed))
        _announce_joined(conversation, people)


def rename_conversation(user: User, *, conversation_id: int, name: str) -> Conversation:
    """Rename a group conversation `user` belongs to; return it.

    An empty `name` leaves the group unnamed: pages then call it after its
    other members. The same name again changes nothing and tells no one.
    """
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind == Conversation.Kind.DIRECT:
        # A direct conversation is named after the other person, for each
        # of the two; a name would be one person's label on the other.
        raise ServiceError(
            "not_a_group",
            "A direct conversation cannot be renamed: it is named after the "
            "other person.",
        )
    if conversation.kind != Conversation.Kind.GROUP:
        raise ServiceError(
            "not_a_group",
            "A space's chat is named after its space: rename the space instead.",
        )
    name = _clean_title(name)
    with transaction.atomic():
        locked = _lock_conversation(conversation.pk)
        if locked.title == name:
            return locked
        locked.title = name
        locked.save(update_fields=["title"])
        refreshed = with_members(Conversation.objects.filter(pk=locked.pk)).get()
        _record(locked.pk, events.conversation_updated(refreshed))
    return refreshed


def leave_conversation(user: User, *, conversation_id: int) -> None:
    """Leave a group conversation; its events stop reaching `user` at once."""
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind != Conversation.Kind.GROUP:
        raise ServiceError("not_a_group", "You can only leave group conversations.")
    with transaction.atomic():
        _lock_conversation(conversation.pk)
        Membership.objects.filter(conversation=conversation, user=user).delete()
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        _record(conversation.pk, events.conversation_updated(refreshed))
        publish_on_commit(
            events.conversation_left(conversation.pk),
            groups=[user_group(user.pk)],
            unfollow=[events.conversation_group(conversation.pk)],
        )


def send_message(
    sender: User,
    *,
    conversation_id: int,
    body: str,
    client_id: str,
    thread_id: int | None = None,
    attachment_ids: Sequence[int] = (),
) -> tuple[Message, bool]:
    """Store a message and publish `message.new`; return (message, created).

    A repeated `client_id` from the same sender returns the stored message
    with created=False, so a client can retry a send it is unsure of.
    `attachment_ids` are the sender's own unsent uploads to this
    conversation (Http404 for any other); with them the body may be empty.
    """
    conversation = get_conversation_for_user(sender, conversation_id)
    client_id = client_id.strip()
    if not client_id or len(client_id) > 64:
        raise ServiceError("invalid", "client_id must be 1 to 64 characters.")
    existing = Message.objects.filter(sender=sender, client_id=client_id).first()
    if existing is not None:
        # Before the attachments are checked: a retry's are already sent.
        return _same_send(existing, conversation.pk)
    attachment_ids = list(dict.fromkeys(attachment_ids))
    if len(attachment_ids) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise ServiceError(
            "too_many_attachments",
            f"A message can have at most {MAX_ATTACHMENTS_PER_MESSAGE} attachments.",
        )
    body = _clean_body(body, allow_empty=bool(attachment_ids))
    take_token(
        "message.send",
        sender.pk,
        burst=settings.MESSAGE_SEND_BURST,
        per_minute=settings.MESSAGE_SEND_PER_MINUTE,
    )
    root = None
    if thread_id is not None:
        root = Message.objects.filter(pk=thread_id, conversation=conversation).first()
        if root is None:
            raise ServiceError(
                "not_found", "That thread is not in this conversation.", status=404
            )
        root = root.thread_root or root  # replies to replies join the thread
    html, mentioned = _render(body, conversation.pk) if body else ("", set())
    accepted_at = time.time()
    try:
        with transaction.atomic():
            # The row lock makes one conversation's messages commit in id
            # order, so a reader never sees message n+1 before message n.
            Conversation.objects.filter(pk=conversation.pk).update(
                last_message_at=timezone.now()
            )
            message = Message.objects.create(
                conversation=conversation,
                sender=sender,
                client_id=client_id,
                body=body,
                body_html=html,
                thread_root=root,
            )
            if mentioned:
                message.mentions.set(mentioned)
            attachments = _attach(sender, conversation, message, attachment_ids)
            # Writing a message means having read up to it.
            Membership.objects.filter(conversation=conversation, user=sender).update(
                last_read_id=Greatest(F("last_read_id"), message.pk)
            )
            _record(
                conversation.pk,
                events.message_new(
                    message,
                    accepted_at=accepted_at,
                    mentions=sorted(mentioned),
                    attachments=attachments,
                ),
                message_id=message.pk,
            )
    except IntegrityError:
        # The same client_id raced in from another tab or process.
        existing = Message.objects.get(sender=sender, client_id=client_id)
        return _same_send(existing, conversation.pk)
    return message, True


def _attach(
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


def _same_send(existing: Message, conversation_id: int) -> tuple[Message, bool]:
    if existing.conversation_id != conversation_id:
        raise ServiceError(
            "client_id_reused", "That client_id was already used for another message."
        )
    return existing, False


def edit_message(user: User, *, message_id: int, body: str) -> Message:
    """Change the text of one of `user`'s own messages."""
    message = get_message_for_user(user, message_id)
    if message.sender_id != user.pk:
        raise ServiceError(
            "forbidden", "You can only edit your own messages.", status=403
        )
    if message.is_deleted:
        raise ServiceError("deleted", "That message was deleted.", status=409)
    body = _clean_body(body)
    html, mentioned = _render(body, message.conversation_id)
    with transaction.atomic():
        message = _lock_message(message.pk)
        if message.is_deleted:
            raise ServiceError("deleted", "That message was deleted.", status=409)
        if body == message.body:
            return message
        message.body, message.body_html = body, html
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "body_html", "edited_at"])
        message.mentions.set(mentioned)
        _forget_old_text(message)
        _record(
            message.conversation_id,
            events.message_edited(message),
            message_id=message.pk,
        )
    return message


def delete_message(user: User, *, message_id: int) -> Message:
    """Delete one of `user`'s messages, leaving a tombstone in its place."""
    message = get_message_for_user(user, message_id)
    if message.sender_id != user.pk:
        raise ServiceError(
            "forbidden", "You can only delete your own messages.", status=403
        )
    with transaction.atomic():
        message = _lock_message(message.pk)
        if message.is_deleted:
            return message
        message.deleted_at = timezone.now()
        message.body = message.body_html = ""
        message.save(update_fields=["deleted_at", "body", "body_html"])
        message.reactions.all().delete()
        message.mentions.clear()
        _delete_attachments(Attachment.objects.filter(message=message))
        _forget_old_text(message)
        _record(
            message.conversation_id,
            events.message_deleted(message),
            message_id=message.pk,
        )
    return message


def _delete_attachments(attachments: "QuerySet[Attachment]") -> int:
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
        return _delete_attachments(
            Attachment.objects.filter(message__isnull=True, created_at__lt=before)
        )


def add_reaction(user: User, *, message_id: int, emoji: str) -> Message:
    """Add `user`'s `emoji` to a message (again: no change)."""
    return _change_reaction(user, message_id, emoji, add=True)


def remove_reaction(user: User, *, message_id: int, emoji: str) -> Message:
    """Take `user`'s `emoji` off a message (not there: no change)."""
    return _change_reaction(user, message_id, emoji, add=False)


def _change_reaction(user: User, message_id: int, emoji: str, *, add: bool) -> Message:
    message = get_message_for_user(user, message_id)
    emoji = emoji.strip()
    if not emoji or len(emoji) > 32 or any(c.isspace() for c in emoji):
        raise ServiceError("invalid", "A reaction is one emoji.")
    with transaction.atomic():
        # Locked, so the summary recorded below is the newest at its cursor.
        message = _lock_message(message.pk)
        if message.is_deleted:
            raise ServiceError("deleted", "That message was deleted.", status=409)
        if add:
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        else:
            Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        _record(
            message.conversation_id,
            events.reaction_changed(message),
            message_id=message.pk,
        )
    return message


def mark_read(user: User, *, conversation_id: int, message_id: int) -> int:
    """Move `user`'s read marker up to `message_id`; return the marker.

    Every tab and device of `user` hears `read.updated`.
    """
    conversation = get_conversation_for_user(user, conversation_id)
    newest = (
        Message.objects.filter(conversation=conversation, id__lte=message_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if newest is None:
        raise ServiceError(
            "not_found", "No such message in this conversation.", status=404
        )
    with transaction.atomic():
        Membership.objects.filter(
            Q(last_read_id__lt=newest), conversation=conversation, user=user
        ).update(last_read_id=newest)
        marker = Membership.objects.get(
            conversation=conversation, user=user
        ).last_read_id
        payload = events.read_updated(
            conversation.pk,
            marker,
            unread=unread_in(user, conversation.pk),
            mentions=unread_mentions_in(user, conversation.pk),
            total_unread=total_unread(user),
        )
        publish_on_commit(payload, groups=[user_group(user.pk)])
    return marker


def set_typing(user: User, *, conversation_id: int, active: bool) -> None:
    """Tell the other members `user` is (or stopped) typing. Not stored."""
    if not is_member(user.pk, conversation_id):
        raise Http404("No such conversation.")
    publish(
        events.typing(conversation_id, user, active=active),
        groups=[events.conversation_group(conversation_id)],
        skip_user=user.pk,  # nobody needs their own typing indicator
    )
