"""Shared by every write: the catch-up log and the row locks."""

from typing import Any

from intranet.realtime import record
from messaging import events
from messaging.models import Conversation, Message


def record_event(
    conversation_id: int, payload: dict[str, Any], *, message_id: int | None = None
) -> dict[str, Any]:
    """Store `payload` in the conversation's catch-up log and publish it on
    commit; return it with its cursor. Call inside transaction.atomic()."""
    subject = f"message.{message_id}" if message_id else ""
    return record(events.conversation_group(conversation_id), payload, subject=subject)


def lock_message(message_id: int) -> Message:
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


def lock_conversation(conversation_id: int) -> Conversation:
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
