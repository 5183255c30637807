"""What messaging plugs into the socket: its commands and its streams.

A socket follows `conversation.<id>` for every conversation its user is a
member of; every command calls one service, the same one REST calls.
"""

from typing import Any

from django.conf import settings

from intranet.plugins import Budget, StreamQuery, command, streams
from intranet.sql import table
from messaging import events, services
from messaging.models import Membership


@streams
def conversation_streams() -> StreamQuery:
    return StreamQuery(
        f"SELECT user_id, %s || conversation_id FROM {table(Membership)}"  # noqa: S608
        " WHERE user_id IN (SELECT id FROM asked)",
        (events.CONVERSATION_STREAMS,),
    )


def send_budget() -> Budget:
    """Twice the per-person send limit (MESSAGE_SEND_BURST and _PER_MINUTE):
    a person meets the service's own limit first, with its friendlier
    message; this only stops a script flooding refused sends."""
    return Budget(
        burst=2 * settings.MESSAGE_SEND_BURST,
        per_second=2 * settings.MESSAGE_SEND_PER_MINUTE / 60,
    )


@command("message.send", events.MessageSend, budget=send_budget)
def send(user, data: events.MessageSend) -> dict[str, Any]:
    message, _ = services.send_message(
        user,
        conversation_id=data.conversation,
        body=data.body,
        client_id=data.client_id,
        thread_id=data.thread,
        attachment_ids=data.attachments,
    )
    return events.message_ack(message)


@command("message.edit", events.MessageEdit)
def edit(user, data: events.MessageEdit) -> None:
    services.edit_message(user, message_id=data.message, body=data.body)


@command("message.delete", events.MessageRef)
def delete(user, data: events.MessageRef) -> None:
    services.delete_message(user, message_id=data.message)


@command("reaction.add", events.ReactionChange)
def add_reaction(user, data: events.ReactionChange) -> None:
    services.add_reaction(user, message_id=data.message, emoji=data.emoji)


@command("reaction.remove", events.ReactionChange)
def remove_reaction(user, data: events.ReactionChange) -> None:
    services.remove_reaction(user, message_id=data.message, emoji=data.emoji)


@command("read", events.MarkRead)
def read(user, data: events.MarkRead) -> None:
    services.mark_read(user, conversation_id=data.conversation, message_id=data.message)


# The browser sends typing.start at most every 3 s per composer; this is
# for scripts, which would otherwise fan it out to a whole space.
TYPING_BUDGET = Budget(burst=10, per_second=1)


@command("typing.start", events.ConversationRef, budget=TYPING_BUDGET)
def typing_start(user, data: events.ConversationRef) -> None:
    services.set_typing(user, conversation_id=data.conversation, active=True)


@command("typing.stop", events.ConversationRef, budget=TYPING_BUDGET)
def typing_stop(user, data: events.ConversationRef) -> None:
    services.set_typing(user, conversation_id=data.conversation, active=False)
