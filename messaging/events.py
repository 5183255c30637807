"""Event shapes for conversations (docs/realtime.md).

Outbound builders return plain dicts; every conversation event that is
stored in the Event log also carries a `cursor` (added by the service).
The REST API answers with the same dicts, described (and checked on the
way out) by the output models below. Inbound schemas validate what a
socket client sends.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from intranet.events import MAX_CLIENT_ID_LENGTH
from intranet.validation import Id, Text
from messaging.models import (
    MAX_EMOJI_LENGTH,
    Attachment,
    Conversation,
    Message,
    StoredFile,
)

MAX_BODY_LENGTH = 10_000


CONVERSATION_STREAMS = "conversation."


def conversation_group(conversation_id: int) -> str:
    return f"{CONVERSATION_STREAMS}{conversation_id}"


def person(user) -> dict[str, Any]:
    return {"id": user.pk, "name": user.display_name, "initials": user.initials}


def attachment_data(attachment: StoredFile) -> dict[str, Any]:
    """The public shape of an attachment; its URLs check access."""
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "label": attachment.kind_label,  # "PDF", "DOC", … for a file's icon
        "is_image": attachment.is_image,
        "width": attachment.width,
        "height": attachment.height,
        "url": attachment.get_absolute_url(),
        "thumbnail_url": attachment.thumbnail_url,
    }


def message_data(
    message: Message,
    *,
    reactions: list[dict[str, Any]] | None = None,
    mentions: list[int] | None = None,
    attachments: list[Attachment] | None = None,
) -> dict[str, Any]:
    """The public shape of a message (REST and socket alike).

    Call with `sender` selected and `reactions`, `mentions` and
    `attachments` prefetched, or pass them (a new message has no
    reactions, so nothing to query).
    """
    deleted = message.is_deleted
    if deleted:
        attachments = []
    elif attachments is None:
        attachments = list(message.attachments.all())
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "sender": person(message.sender),
        "client_id": message.client_id,
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.body_html,
        "thread": message.thread_root_id,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "mentions": mentions
        if mentions is not None
        else [u.pk for u in message.mentions.all()],
        "reactions": []
        if deleted
        else reactions
        if reactions is not None
        else reaction_summary(message),
        "attachments": [attachment_data(a) for a in attachments],
    }


def reaction_summary(message: Message) -> list[dict[str, Any]]:
    counts: dict[str, list[int]] = {}
    for reaction in message.reactions.all():
        counts.setdefault(reaction.emoji, []).append(reaction.user_id)
    return [{"emoji": emoji, "users": users} for emoji, users in counts.items()]


def message_new(
    message: Message,
    *,
    accepted_at: float,
    mentions: list[int],
    attachments: list[Attachment],
) -> dict[str, Any]:
    # accepted_at (server clock, seconds) lets benchmarks measure delivery.
    # A new message has no reactions, and known mentions and attachments:
    # nothing to query.
    return {
        "type": "message.new",
        "message": message_data(
            message, reactions=[], mentions=mentions, attachments=attachments
        ),
        "accepted_at": accepted_at,
    }


def message_ack(message: Message) -> dict[str, Any]:
    """Answer the sending socket: its send is stored (possibly earlier)."""
    return {
        "type": "message.ack",
        "client_id": message.client_id,
        "message": message_data(message),
    }


def message_edited(message: Message) -> dict[str, Any]:
    return {"type": "message.edited", "message": message_data(message)}


def message_deleted(message: Message) -> dict[str, Any]:
    return {"type": "message.deleted", "message": message_data(message)}


def reaction_changed(message: Message) -> dict[str, Any]:
    return {
        "type": "reaction.changed",
        "conversation": message.conversation_id,
        "message": message.pk,
        "reactions": reaction_summary(message),
    }


def conversation_data(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": conversation.title,
        # With job titles: a group's people dialog lists them, and a tab
        # draws a newcomer's row from conversation.updated alone.
        "members": [
            {**person(m.user), "title": m.user.title}
            for m in conversation.memberships.all()
        ],
    }


def conversation_updated(conversation: Conversation) -> dict[str, Any]:
    return {
        "type": "conversation.updated",
        "conversation": conversation_data(conversation),
    }


def conversation_joined(conversation_id: int, *, listed: bool = True) -> dict[str, Any]:
    """`listed=False`: follow the conversation's stream, but it is not in
    the person's list yet (a direct conversation someone else opened,
    still empty)."""
    event: dict[str, Any] = {
        "type": "conversation.joined",
        "conversation": conversation_id,
    }
    if not listed:
        event["listed"] = False
    return event


def conversation_left(conversation_id: int) -> dict[str, Any]:
    return {"type": "conversation.left", "conversation": conversation_id}


def read_updated(
    conversation_id: int,
    last_read_id: int,
    *,
    unread: int,
    mentions: int,
    total_unread: int,
) -> dict[str, Any]:
    return {
        "type": "read.updated",
        "conversation": conversation_id,
        "last_read_id": last_read_id,
        "unread": unread,
        "mentions": mentions,
        "total_unread": total_unread,
    }


def typing(conversation_id: int, user, *, active: bool) -> dict[str, Any]:
    return {
        "type": "typing",
        "conversation": conversation_id,
        "user": person(user),
        "active": active,
    }


# Outbound models: what the builders above return, for the OpenAPI schema.
# The API returns the builders' dicts and ninja checks them against these,
# so the JSON stays the builders' own (a timestamp stays their ISO text,
# a null stays null). A key a builder adds without its model is an error
# (extra="forbid"), never silently dropped.


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ISO 8601 as the builders write it (datetime.isoformat()).
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
ConversationKind = Annotated[
    str, WithJsonSchema({"type": "string", "enum": list(Conversation.Kind.values)})
]


class SenderOut(Out):
    """A person as a message or an event names them (`person()`)."""

    id: int
    name: str
    initials: str


class MemberOut(SenderOut):
    title: str


class AttachmentOut(Out):
    id: int
    name: str
    size: int
    content_type: str
    label: str
    is_image: bool
    width: int | None
    height: int | None
    url: str
    thumbnail_url: str | None


class ReactionOut(Out):
    emoji: str
    users: list[int]


class MessageOut(Out):
    """`message_data()`: a message (a deleted one keeps its place, empty)."""

    id: int
    conversation: int
    sender: SenderOut
    client_id: str
    body: str
    html: str
    thread: int | None
    created_at: Timestamp
    edited_at: Timestamp | None
    deleted: bool
    mentions: list[int]
    reactions: list[ReactionOut]
    attachments: list[AttachmentOut]


class ReactionChangedOut(Out):
    """`reaction_changed()`: a message's reactions after a change."""

    type: Literal["reaction.changed"]
    conversation: int
    message: int
    reactions: list[ReactionOut]


class ConversationDataOut(Out):
    """`conversation_data()`."""

    id: int
    kind: ConversationKind
    title: str
    members: list[MemberOut]


# Inbound: what a client may send. Unknown fields are ignored; wrong types
# are refused rather than coerced ("12" is not a conversation id). Ids and
# texts are intranet.validation's, as in the REST API.


# Each limit once, for the socket and REST alike (messaging.api takes the
# same schemas, the conversation or message then in its path).
ClientId = Annotated[Text, Field(min_length=1, max_length=MAX_CLIENT_ID_LENGTH)]
Emoji = Annotated[Text, Field(min_length=1, max_length=MAX_EMOJI_LENGTH)]


class Inbound(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    client_id: Annotated[Text, Field(max_length=MAX_CLIENT_ID_LENGTH)] | None = None


class MessageContent(Inbound):
    """A new message: POST /api/v1/conversations/{id}/messages."""

    # Markdown; may be empty only with attachments (the service says so).
    body: Text = ""
    client_id: ClientId  # type: ignore[assignment]
    thread: Id | None = None
    attachments: list[Id] = Field(default_factory=list)


class MessageSend(MessageContent):
    """`message.send` on the socket."""

    conversation: Id


class MessageText(Inbound):
    """New text for a message: PATCH /api/v1/messages/{id}."""

    body: Text


class MessageEdit(MessageText):
    """`message.edit` on the socket."""

    message: Id


class MessageRef(Inbound):
    message: Id


class ReactionIn(Inbound):
    """POST /api/v1/messages/{id}/reactions."""

    emoji: Emoji


class ReactionChange(ReactionIn):
    """`reaction.add` and `reaction.remove` on the socket."""

    message: Id


class ConversationRef(Inbound):
    conversation: Id


class MarkRead(Inbound):
    conversation: Id
    message: Id
