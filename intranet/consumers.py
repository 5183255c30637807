"""The one WebSocket every browser tab opens (/ws/).

It stays thin: authenticate at connect, join the user's groups, validate
each inbound event against its schema, call one service, and push published
events down. Errors become `error` events; the socket stays open.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pydantic
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import Http404, parse_cookie

from intranet import events
from intranet.errors import ServiceError
from intranet.hub import CLOSE_LAYER_LOST, Hub, local_hub
from intranet.realtime import encode, user_group
from intranet.validation import InvalidInput, decode_json
from messaging import events as messaging_events
from messaging import selectors as messaging_selectors
from messaging import services as messaging
from messaging.events import conversation_group
from profiles import presence
from profiles.models import User
from profiles.selectors import current_session_keys, session_user

logger = logging.getLogger(__name__)

Handler = Callable[["RealtimeConsumer", dict[str, Any]], Awaitable[None]]

MEMBERSHIP_EVENTS = {"conversation.joined", "conversation.left"}
MAX_INBOUND_CHARACTERS = 65_536
# A socket that cannot join its groups in this time is refused with 4503
# (the hub itself notices a silent layer within a few seconds).
ATTACH_SECONDS = 10.0


def _validate(schema: type[pydantic.BaseModel], content: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(content)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "event"
        raise events.InvalidEvent("invalid", f"{field}: {first['msg']}.") from None


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    # No channel of its own: the process's hub (intranet.hub) receives each
    # event once and pushes it to this socket (an unconfigured alias gives
    # no channel layer).
    channel_layer_alias = "none"

    user: User
    user_id: int
    session_key: str
    password_hash: str
    hub: Hub | None = None

    async def connect(self) -> None:
        # Accept first so the client sees a close code, not a bare HTTP 403.
        await self.accept()
        session_key = _session_key(self.scope)
        try:
            arrival = await database_sync_to_async(_arrive)(session_key)
        except Exception as exc:
            await self.refuse("the database failed", exc)
            return
        if arrival is None:
            await self.close(code=events.CLOSE_UNAUTHENTICATED)
            return
        self.user, groups = arrival
        self.user_id = self.user.pk
        presence.local_writer().note(self.user_id, active=True)
        self.session_key = session_key
        # The session was checked against this password at connect; the
        # hub's recheck closes the socket if it changes.
        self.password_hash = self.user.password
        self.hub = local_hub(recheck_sockets)
        try:
            await asyncio.wait_for(self.hub.attach(self, groups), ATTACH_SECONDS)
        except Exception as exc:
            await self.refuse("joining the groups failed", exc)
            return
        # hello comes after the groups are joined: from here on the tab
        # misses nothing published.
        await self.send_json(events.hello(user_id=self.user_id))

    async def refuse(self, why: str, exc: Exception) -> None:
        """Close with 4503 a connect this process cannot serve now: the
        client backs off and tries again, where an error (1011) looks like
        a working server that hung up."""
        logger.warning("socket refused: %s: %r", why, exc)
        await self.close(code=CLOSE_LAYER_LOST)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # UTF-8 rather than \u escapes, as for published events: a smaller
        # frame, and the size the sync batches are measured in.
        return encode(content)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch first closes stale database connections: a trip
        # to the single database thread for every frame, which made connect
        # bursts queue. Every query here runs in database_sync_to_async,
        # which does that cleanup itself, in its thread.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            await self.hub.detach(self)

    async def push(self, kind: str, text: str) -> None:
        """Write an event the hub received for one of our groups."""
        if kind in MEMBERSHIP_EVENTS and self.hub is not None:
            group = conversation_group(json.loads(text)["conversation"])
            if kind == "conversation.joined":
                await self.hub.join(self, group)
            else:
                await self.hub.leave(self, group)
        await self.send(text_data=text)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            await self.send_json(events.error("invalid", "Send JSON text frames."))
            return
        if len(text_data) > MAX_INBOUND_CHARACTERS:
            # Daphne's frame limit is 1 MiB so that large events can go out;
            # nothing a client sends needs more than this.
            await self.send_json(
                events.error(
                    "too_large", "Send at most 65,536 characters in one event."
                )
            )
            return
        try:
            # Bounded in depth, and every string valid text, so neither the
            # decoder nor an error reply quoting the frame can raise.
            content = decode_json(text_data)
        except InvalidInput as exc:
            await self.send_json(events.error("bad_json", str(exc)))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs) -> None:
        client_id = content.get("client_id") if isinstance(content, dict) else None
        try:
            event_type, client_id, content = events.parse_inbound(content)
            handler = self.handlers.get(event_type)
            if handler is None:
                raise events.InvalidEvent(
                    "unknown_type", f"Unknown event type {event_type!r}."
                )
            await handler(self, content)
        except events.InvalidEvent as exc:
            await self.send_error(exc.code, exc.message, client_id)
        except ServiceError as exc:
            await self.send_error(exc.code, exc.message, client_id)
        except Http404 as exc:
            await self.send_error("not_found", str(exc) or "Not found.", client_id)

    async def send_error(self, code: str, message: str, client_id: Any) -> None:
        cid = client_id if isinstance(client_id, str) else None
        await self.send_json(events.error(code, message, client_id=cid))

    # Inbound handlers: validate, call one service, answer.

    async def handle_ping(self, content: dict[str, Any]) -> None:
        # The browser says whether its tab is in use: active, or idle/hidden.
        active = content.get("active") is not False
        presence.local_writer().note(self.user_id, active=active)
        await self.send_json(events.pong())

    async def handle_message_send(self, content: dict[str, Any]) -> None:
        data = _validate(messaging_events.MessageSend, content)
        message, _ = await database_sync_to_async(messaging.send_message)(
            self.user,
            conversation_id=data.conversation,
            body=data.body,
            client_id=data.client_id,
            thread_id=data.thread,
            attachment_ids=data.attachments,
        )
        payload = await database_sync_to_async(messaging_events.message_ack)(message)
        await self.send_json(payload)

    async def handle_message_edit(self, content: dict[str, Any]) -> None:
        data = _validate(messaging_events.MessageEdit, content)
        await database_sync_to_async(messaging.edit_message)(
            self.user, message_id=data.message, body=data.body
        )

    async def handle_message_delete(self, content: dict[str, Any]) -> None:
        data = _validate(messaging_events.MessageRef, content)
        await database_sync_to_async(messaging.delete_message)(
            self.user, message_id=data.message
        )

    async def handle_reaction(self, content: dict[str, Any], *, add: bool) -> None:
        data = _validate(messaging_events.ReactionChange, content)
        await database_sync_to_async(messaging.toggle_reaction)(
            self.user, message_id=data.message, emoji=data.emoji, add=add
        )

    async def handle_reaction_add(self, content: dict[str, Any]) -> None:
        await self.handle_reaction(content, add=True)

    async def handle_reaction_remove(self, content: dict[str, Any]) -> None:
        await self.handle_reaction(content, add=False)

    async def handle_read(self, content: dict[str, Any]) -> None:
        data = _validate(messaging_events.MarkRead, content)
        await database_sync_to_async(messaging.mark_read)(
            self.user, conversation_id=data.conversation, message_id=data.message
        )

    async def handle_typing(self, content: dict[str, Any], *, active: bool) -> None:
        data = _validate(messaging_events.ConversationRef, content)
        await database_sync_to_async(messaging.set_typing)(
            self.user, conversation_id=data.conversation, active=active
        )

    async def handle_typing_start(self, content: dict[str, Any]) -> None:
        await self.handle_typing(content, active=True)

    async def handle_typing_stop(self, content: dict[str, Any]) -> None:
        await self.handle_typing(content, active=False)

    async def handle_sync(self, content: dict[str, Any]) -> None:
        data = _validate(messaging_events.Sync, content)
        result = await database_sync_to_async(messaging_selectors.events_since)(
            self.user, data.since, seen=data.seen
        )
        await self.send_json(messaging_events.sync_result(result))

    handlers: dict[str, Handler] = {
        "ping": handle_ping,
        "message.send": handle_message_send,
        "message.edit": handle_message_edit,
        "message.delete": handle_message_delete,
        "reaction.add": handle_reaction_add,
        "reaction.remove": handle_reaction_remove,
        "read": handle_read,
        "typing.start": handle_typing_start,
        "typing.stop": handle_typing_stop,
        "sync": handle_sync,
    }


def groups_by_user(user_ids: list[int]) -> dict[int, set[str]]:
    """The groups each user's sockets receive: their own and their
    conversations'."""
    conversations = messaging_selectors.conversation_ids_by_user(user_ids)
    return {
        user_id: {user_group(user_id)}
        | {conversation_group(c) for c in conversations.get(user_id, ())}
        for user_id in user_ids
    }


def _session_key(scope: Any) -> str:
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookies = parse_cookie(value.decode("latin-1"))
            return cookies.get(settings.SESSION_COOKIE_NAME, "")
    return ""


def _arrive(session_key: str) -> tuple[User, set[str]] | None:
    """Who the session signs in, with their groups; None if nobody. One trip
    to the database thread (Channels' session and auth middleware took
    three), as connects come in bursts after an outage."""
    user = session_user(session_key)
    if user is None:
        return None
    return user, groups_by_user([user.pk])[user.pk]


def _recheck(
    sessions: list[tuple[str, int, str]],
) -> tuple[set[str], dict[int, set[str]]]:
    current = current_session_keys(sessions)
    return current, groups_by_user(sorted({user_id for _, user_id, _ in sessions}))


async def recheck_sockets(hub: Hub, sockets: list[Any]) -> None:
    """Close sockets whose session ended; make every other socket's groups
    match the database. A few queries per process, whatever the number of
    sockets."""
    if not sockets:
        return
    sessions = [(s.session_key, s.user_id, s.password_hash) for s in sockets]
    current, groups = await database_sync_to_async(_recheck)(sessions)
    for socket in sockets:
        if socket.session_key not in current:
            await hub.detach(socket)
            await socket.close(code=events.CLOSE_SESSION_ENDED)
        else:
            await hub.subscribe(socket, groups[socket.user_id])
