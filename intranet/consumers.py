"""The one WebSocket every browser tab opens (/ws/).

It stays thin: authenticate at connect, join the user's groups, validate
each inbound event against its schema, call one service, and push published
events down. Errors become `error` events; the socket stays open.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pydantic
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import Http404

from intranet import events
from intranet.errors import ServiceError
from intranet.realtime import user_group
from messaging import events as messaging_events
from messaging import selectors as messaging_selectors
from messaging import services as messaging
from profiles import presence
from profiles.models import User
from profiles.selectors import session_is_current

logger = logging.getLogger(__name__)

Handler = Callable[["RealtimeConsumer", dict[str, Any]], Awaitable[None]]


def _validate(schema: type[pydantic.BaseModel], content: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(content)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "event"
        raise events.InvalidEvent("invalid", f"{field}: {first['msg']}.") from None


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    user: User
    user_id: int
    conversation_groups: set[str]
    watchdog: asyncio.Task | None = None

    async def connect(self) -> None:
        user = self.scope["user"]
        assert user is not None  # AuthMiddlewareStack always sets it
        # Accept first so the client sees a close code, not a bare HTTP 403.
        await self.accept()
        if not user.is_authenticated:
            await self.close(code=events.CLOSE_UNAUTHENTICATED)
            return
        self.user = cast(User, user)
        self.user_id = user.pk
        self.conversation_groups = set()
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.sync_conversation_groups()
        self.watchdog = asyncio.create_task(self.watch_session())
        await database_sync_to_async(presence.mark_seen)(user.pk, active=True)
        await self.send_json(events.hello(user_id=user.pk))

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        if not hasattr(self, "user_id"):
            return
        await self.channel_layer.group_discard(
            user_group(self.user_id), self.channel_name
        )
        for group in self.conversation_groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def sync_conversation_groups(self) -> None:
        """Join the groups of the user's conversations and leave the rest."""
        ids = await database_sync_to_async(messaging_selectors.conversation_ids_for)(
            self.user_id
        )
        wanted = {messaging_events.conversation_group(i) for i in ids}
        for group in wanted - self.conversation_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in self.conversation_groups - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.conversation_groups = wanted

    async def watch_session(self) -> None:
        """Close the socket soon after its session ends, and keep its
        conversation groups true to the database.

        Channels checks the session only at connect; signing out, being
        deactivated or leaving a conversation must still reach a socket that
        is already open, even if the event saying so was lost.
        """
        session_key = self.scope["session"].session_key
        while True:
            await asyncio.sleep(settings.SOCKET_SESSION_RECHECK_SECONDS)
            current = await database_sync_to_async(session_is_current)(
                session_key, self.user_id
            )
            if not current:
                await self.close(code=events.CLOSE_SESSION_ENDED)
                return
            await self.sync_conversation_groups()

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            await self.send_json(events.error("invalid", "Send JSON text frames."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json(events.error("bad_json", "That was not valid JSON."))
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
        await database_sync_to_async(presence.mark_seen)(self.user_id, active=active)
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
            self.user, data.since
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

    # Outbound: events services published to one of our groups.

    async def event_publish(self, message: dict[str, Any]) -> None:
        if message.get("skip_user") == self.user_id:
            return
        if message["kind"] in {"conversation.joined", "conversation.left"}:
            await self.sync_conversation_groups()
        await self.send(text_data=message["text"])
