"""Sending, editing and deleting messages."""

import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Greatest, Lower
from django.utils import timezone

from intranet.errors import ServiceError
from intranet.events import MAX_CLIENT_ID_LENGTH
from intranet.markdown import mentioned_names, render
from intranet.ratelimit import take_token
from intranet.realtime import rewrite
from messaging import events
from messaging.models import Attachment, Conversation, Membership, Message
from messaging.selectors import get_conversation_for_user, get_message_for_user
from messaging.services.attachments import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    attach_files,
    delete_attachments,
)
from messaging.services.log import lock_message, record_event
from profiles.models import User


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
    if not client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise ServiceError(
            "invalid", f"client_id must be 1 to {MAX_CLIENT_ID_LENGTH} characters."
        )
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
            attachments = attach_files(sender, conversation, message, attachment_ids)
            # Writing a message means having read up to it.
            Membership.objects.filter(conversation=conversation, user=sender).update(
                last_read_id=Greatest(F("last_read_id"), message.pk)
            )
            record_event(
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
        message = lock_message(message.pk)
        if message.is_deleted:
            raise ServiceError("deleted", "That message was deleted.", status=409)
        if body == message.body:
            return message
        message.body, message.body_html = body, html
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "body_html", "edited_at"])
        message.mentions.set(mentioned)
        _forget_old_text(message)
        record_event(
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
        message = lock_message(message.pk)
        if message.is_deleted:
            return message
        message.deleted_at = timezone.now()
        message.body = message.body_html = ""
        message.save(update_fields=["deleted_at", "body", "body_html"])
        message.reactions.all().delete()
        message.mentions.clear()
        delete_attachments(Attachment.objects.filter(message=message))
        _forget_old_text(message)
        record_event(
            message.conversation_id,
            events.message_deleted(message),
            message_id=message.pk,
        )
    return message
