"""The one WebSocket every browser tab opens (/ws/).

It stays thin: authenticate at connect, join the user's group, validate each
inbound event, hand it to a service, and push published events down.
"""

import asyncio
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from intranet import events
from intranet.realtime import user_group
from profiles.selectors import session_is_current

logger = logging.getLogger(__name__)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]
    user_id: int
    watchdog: asyncio.Task | None = None

    async def connect(self) -> None:
        user = self.scope["user"]
        assert user is not None  # AuthMiddlewareStack always sets it
        # Accept first so the client sees a close code, not a bare HTTP 403.
        await self.accept()
        if not user.is_authenticated:
            await self.close(code=events.CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.groups_joined = [user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.watchdog = asyncio.create_task(self.watch_session())
        await self.send_json(events.hello(user_id=user.pk))

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def watch_session(self) -> None:
        """Close the socket soon after its session ends.

        Channels checks the session only at connect; signing out or being
        deactivated must still cut off a socket that is already open.
        """
        session_key = self.scope["session"].session_key
        user_id = self.user_id
        while True:
            await asyncio.sleep(settings.SOCKET_SESSION_RECHECK_SECONDS)
            current = await database_sync_to_async(session_is_current)(
                session_key, user_id
            )
            if not current:
                await self.close(code=events.CLOSE_SESSION_ENDED)
                return

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
            cid = client_id if isinstance(client_id, str) else None
            await self.send_json(events.error(exc.code, exc.message, client_id=cid))

    async def handle_ping(self, content: dict[str, Any]) -> None:
        await self.send_json(events.pong())

    handlers = {
        "ping": handle_ping,
    }

    async def event_publish(self, message: dict[str, Any]) -> None:
        """Push an event that a service published to one of our groups."""
        await self.send_json(message["event"])
