"""REST endpoints for conversations and messages: parse, check access
through the selectors, call one service, answer JSON."""

import datetime
from collections.abc import AsyncIterator
from typing import IO, Annotated, Any, Literal

from asgiref.sync import sync_to_async
from django.http import FileResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view

from intranet.api import ERRORS, Error, require_scope
from intranet.search.pages import RankCursor
from intranet.validation import Id, Text
from messaging import events, selectors, services
from messaging.models import Conversation, StoredFile
from messaging.upload_names import keep_sent_names, sent_name
from profiles.types import AuthedRequest

router = Router(tags=["messaging"])


# At most a whole group's worth at once; the service judges the group's
# size itself.
MemberIds = Annotated[list[Id], Field(min_length=1, max_length=services.MAX_GROUP_SIZE)]


class ConversationIn(Schema):
    kind: Literal["direct", "group"]
    members: MemberIds
    title: Text = ""


class ReadIn(Schema):
    message: Id


class RenameIn(Schema):
    # The service strips it and judges its length, so a bad name gets a
    # sentence (400) rather than a schema error (422).
    name: Text


class MembersIn(Schema):
    members: MemberIds


class HistoryQuery(Schema):
    before: Id | None = None
    after: Id | None = None
    around: Id | None = None
    limit: int = Field(
        default=selectors.HISTORY_PAGE, ge=1, le=selectors.HISTORY_PAGE_MAX
    )


# What the endpoints answer: the builders' dicts (messaging.events, the
# selectors), checked against their models on the way out.


class ConversationOut(events.ConversationDataOut):
    """A conversation as the caller sees it."""

    title: str = Field(description="What to call it, for the caller")
    name: str = Field(description="A group's own name; empty when it has none")


class HistoryMessageOut(events.MessageOut):
    reply_count: int = Field(description="Replies in its thread")


class HistoryPage(events.Out):
    messages: list[HistoryMessageOut]


class ThreadOut(events.Out):
    root: events.MessageOut
    replies: list[events.MessageOut]


class ReadOut(events.Out):
    last_read_id: int


def _conversation_out(conversation: Conversation, viewer) -> dict[str, Any]:
    (conversation,) = selectors.with_members(
        Conversation.objects.filter(pk=conversation.pk)
    )
    data = events.conversation_data(conversation)
    # `title` is what to call it; `name` is a group's own name ("" when it
    # has none, and then the title lists the other members).
    data["title"] = selectors.display_title(conversation, viewer)
    data["name"] = conversation.title
    return data


@router.get(
    "/conversations",
    response={200: list[selectors.ConversationSummaryOut], **ERRORS},
)
def list_conversations(request: AuthedRequest):
    """Your conversations, most recent first, with unread counts."""
    require_scope(request, "read")
    return [s.as_dict() for s in selectors.conversation_summaries(request.user)]


@router.post(
    "/conversations",
    response={200: ConversationOut, 201: ConversationOut, **ERRORS},
)
def create_conversation(request: AuthedRequest, data: ConversationIn):
    """Open the direct conversation with one person, or create a group."""
    require_scope(request, "write")
    if data.kind == "direct":
        if len(data.members) != 1:
            return Status(
                400, {"error": "A direct conversation is with exactly one person."}
            )
        conversation = services.get_or_create_direct(
            request.user, other_id=data.members[0]
        )
        return Status(200, _conversation_out(conversation, request.user))
    conversation = services.create_group(
        request.user, title=data.title, member_ids=data.members
    )
    return Status(201, _conversation_out(conversation, request.user))


@router.get(
    "/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS}
)
def get_conversation(request: AuthedRequest, conversation_id: Id):
    require_scope(request, "read")
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    return _conversation_out(conversation, request.user)


@router.patch(
    "/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS}
)
def rename_conversation(request: AuthedRequest, conversation_id: Id, data: RenameIn):
    """Rename a group you are in; `""` leaves it unnamed. Every member's tabs
    hear `conversation.updated`."""
    require_scope(request, "write")
    conversation = services.rename_conversation(
        request.user, conversation_id=conversation_id, name=data.name
    )
    return _conversation_out(conversation, request.user)


@router.post("/conversations/{conversation_id}/members", response={204: None, **ERRORS})
def add_members(request: AuthedRequest, conversation_id: Id, data: MembersIn):
    require_scope(request, "write")
    services.add_members(
        request.user, conversation_id=conversation_id, member_ids=data.members
    )
    return Status(204, None)


@router.post("/conversations/{conversation_id}/leave", response={204: None, **ERRORS})
def leave(request: AuthedRequest, conversation_id: Id):
    require_scope(request, "write")
    services.leave_conversation(request.user, conversation_id=conversation_id)
    return Status(204, None)


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: HistoryPage, **ERRORS},
)
def list_messages(
    request: AuthedRequest, conversation_id: Id, query: Query[HistoryQuery]
):
    """One page of history by id cursor: `before`, `after` or `around` an id."""
    require_scope(request, "read")
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    messages = selectors.message_history(
        conversation,
        before=query.before,
        after=query.after,
        around=query.around,
        limit=query.limit,
    )
    return {
        "messages": [
            {**events.message_data(m), "reply_count": m.reply_count}  # type: ignore[attr-defined]
            for m in messages
        ]
    }


@router.post(
    "/conversations/{conversation_id}/messages",
    response={200: events.MessageOut, 201: events.MessageOut, **ERRORS},
)
def send_message(
    request: AuthedRequest, conversation_id: Id, data: events.MessageContent
):
    """Send a message; the same `client_id` again returns the stored one (200)."""
    require_scope(request, "write")
    message, created = services.send_message(
        request.user,
        conversation_id=conversation_id,
        body=data.body,
        client_id=data.client_id,
        thread_id=data.thread,
        attachment_ids=data.attachments,
    )
    return Status(201 if created else 200, events.message_data(message))


@router.post(
    "/conversations/{conversation_id}/attachments",
    response={201: events.AttachmentOut, **ERRORS, 413: Error, 415: Error},
)
@decorate_view(keep_sent_names)
def upload_attachment(
    request: AuthedRequest, conversation_id: Id, file: File[UploadedFile]
):
    """Upload a file (multipart, field `file`) to send with a message.

    What it is comes from its content: images (PNG, JPEG, GIF, WebP), PDF,
    UTF-8 text, Office and OpenDocument files, zip. Send it by listing its
    id in a message's `attachments` within a day.
    """
    require_scope(request, "write")
    attachment = services.upload_attachment(
        request.user,
        conversation_id=conversation_id,
        upload=file,
        name=sent_name(file),
        size=file.size or 0,
    )
    return Status(201, events.attachment_data(attachment))


# Served files may be anything a person uploaded: the browser must not
# guess another type (nosniff), run anything in them, or let another site
# embed them.
SERVED_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; "
    "style-src 'unsafe-inline'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Access can end (a deleted message, leaving): revalidate every time.
    "Cache-Control": "private, no-cache",
}


async def _chunks(stream: IO[bytes], size: int = 64 * 1024) -> AsyncIterator[bytes]:
    # An async iterator: Daphne then streams the file instead of Django
    # reading all of it into memory first.
    read = sync_to_async(stream.read, thread_sensitive=False)
    while chunk := await read(size):
        yield chunk


def _serve(
    stream: IO[bytes], *, content_type: str, name: str, inline: bool
) -> FileResponse:
    response = FileResponse(stream, content_type=content_type)
    # FileResponse took the length from the file and will close it; stream
    # it asynchronously.
    response.streaming_content = _chunks(stream)
    # The whole name as its uploader sent it (FileResponse would keep only
    # what follows a "/"), quoted or as RFC 5987 filename* by Django.
    disposition = content_disposition_header(as_attachment=not inline, filename=name)
    if disposition:  # always: a stored name is never empty
        response["Content-Disposition"] = disposition
    for header, value in SERVED_FILE_HEADERS.items():
        response[header] = value
    return response


# The OpenAPI description of a served file: bytes, not JSON.
SERVED_FILE = {
    "responses": {
        200: {
            "description": "The file, as the type detected at upload",
            "content": {
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _served_type(attachment: StoredFile) -> str:
    if attachment.content_type == "text/plain":
        return "text/plain; charset=utf-8"
    return attachment.content_type


def serve_stored_file(attachment: StoredFile, *, thumbnail: bool = False):
    """Answer with a stored file (images inline, everything else as a
    download) or its thumbnail; the caller has checked access. Feeds
    serves posts' files with it too."""
    if not thumbnail:
        return _serve(
            attachment.file.open("rb"),
            content_type=_served_type(attachment),
            name=attachment.name,
            inline=attachment.is_image,
        )
    if not attachment.thumbnail:
        return Status(404, {"error": "That attachment has no thumbnail."})
    return _serve(
        attachment.thumbnail.open("rb"),
        content_type="image/webp",
        name=f"{attachment.name}.webp",
        inline=True,
    )


@router.get(
    "/attachments/{attachment_id}", response={200: events.AttachmentOut, **ERRORS}
)
def get_attachment(request: AuthedRequest, attachment_id: Id):
    require_scope(request, "read")
    attachment = selectors.get_attachment_for_user(request.user, attachment_id)
    return events.attachment_data(attachment)


@router.get(
    "/attachments/{attachment_id}/file",
    response={200: None, **ERRORS},
    url_name="attachment_file",
    openapi_extra=SERVED_FILE,
)
def download_attachment(request: AuthedRequest, attachment_id: Id):
    """The file itself: images inline, everything else as a download."""
    require_scope(request, "read")
    attachment = selectors.get_attachment_for_user(request.user, attachment_id)
    return serve_stored_file(attachment)


@router.get(
    "/attachments/{attachment_id}/thumbnail",
    response={200: None, **ERRORS},
    url_name="attachment_thumbnail",
    openapi_extra=SERVED_FILE,
)
def attachment_thumbnail(request: AuthedRequest, attachment_id: Id):
    """An image's thumbnail (WebP, at most 400 pixels a side)."""
    require_scope(request, "read")
    attachment = selectors.get_attachment_for_user(request.user, attachment_id)
    return serve_stored_file(attachment, thumbnail=True)


@router.post("/conversations/{conversation_id}/read", response={200: ReadOut, **ERRORS})
def mark_read(request: AuthedRequest, conversation_id: Id, data: ReadIn):
    require_scope(request, "write")
    marker = services.mark_read(
        request.user, conversation_id=conversation_id, message_id=data.message
    )
    return {"last_read_id": marker}


@router.get("/messages/{message_id}", response={200: events.MessageOut, **ERRORS})
def get_message(request: AuthedRequest, message_id: Id):
    require_scope(request, "read")
    return events.message_data(selectors.get_message_for_user(request.user, message_id))


@router.get("/messages/{message_id}/thread", response={200: ThreadOut, **ERRORS})
def get_thread(request: AuthedRequest, message_id: Id):
    require_scope(request, "read")
    root = selectors.get_message_for_user(request.user, message_id)
    return {
        "root": events.message_data(root),
        "replies": [events.message_data(m) for m in selectors.thread_messages(root)],
    }


@router.patch("/messages/{message_id}", response={200: events.MessageOut, **ERRORS})
def edit_message(request: AuthedRequest, message_id: Id, data: events.MessageText):
    require_scope(request, "write")
    message = services.edit_message(request.user, message_id=message_id, body=data.body)
    return events.message_data(message)


@router.delete("/messages/{message_id}", response={204: None, **ERRORS})
def delete_message(request: AuthedRequest, message_id: Id):
    require_scope(request, "write")
    services.delete_message(request.user, message_id=message_id)
    return Status(204, None)


@router.post(
    "/messages/{message_id}/reactions",
    response={200: events.ReactionChangedOut, **ERRORS},
)
def add_reaction(request: AuthedRequest, message_id: Id, data: events.ReactionIn):
    require_scope(request, "write")
    message = services.add_reaction(
        request.user, message_id=message_id, emoji=data.emoji
    )
    return events.reaction_changed(message)


@router.delete(
    "/messages/{message_id}/reactions/{emoji}",
    response={200: events.ReactionChangedOut, **ERRORS},
)
def remove_reaction(request: AuthedRequest, message_id: Id, emoji: Text):
    require_scope(request, "write")
    message = services.remove_reaction(request.user, message_id=message_id, emoji=emoji)
    return events.reaction_changed(message)


class SearchQueryParams(Schema):
    q: Text = ""
    conversation: Id | None = None
    sender: Id | None = Field(default=None, alias="from")
    after: datetime.date | None = None
    before: datetime.date | None = None
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(
        default=selectors.SEARCH_PAGE, ge=1, le=selectors.SEARCH_PAGE_MAX
    )
    sort: Literal["relevance", "newest"] = Field(
        default="relevance",
        description="Most relevant first (of the newest 1,000 matches) or newest first",
    )


@router.get("/search/messages", response={200: selectors.SearchPage, **ERRORS})
def search_messages(request: AuthedRequest, query: Query[SearchQueryParams]):
    """Search your conversations' messages, most relevant or newest first.

    `q` takes words (all must match), "a phrase", -word to exclude and `or`
    between alternatives. `from` is a person's id; `after` (on or after) and
    `before` (strictly before) are days in your time zone. `sort` is
    `relevance` (the default: the newest 1,000 matches ranked) or `newest`.
    Pass `next_cursor` as `cursor`, with the same `sort`, for more; a
    cursor of the other sort answers 400. A `conversation` that is not
    yours answers 404.
    """
    require_scope(request, "read")
    cursor = (
        selectors.parse_search_cursor(query.cursor, query.sort)
        if query.cursor
        else None
    )
    results = selectors.search_messages(
        request.user,
        query.q,
        conversation_id=query.conversation,
        sender_id=query.sender,
        after=query.after,
        before=query.before,
        cursor=cursor,
        limit=query.limit,
        sort=query.sort,
    )
    next_cursor = results.next_cursor
    return {
        "results": [hit.as_dict() for hit in results.hits],
        "next_cursor": (
            str(next_cursor) if isinstance(next_cursor, RankCursor) else next_cursor
        ),
    }
