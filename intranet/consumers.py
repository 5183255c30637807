"""The one WebSocket every browser tab opens (/ws/).

It knows no feature. At connect it authenticates the session and follows
the user's streams (every app's, intranet.plugins); each inbound event is
checked against the socket's budget, validated against its command's one
schema and handed to that command's handler; published events go down as
they come. Errors become `error` events; the socket stays open.
"""

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

import pydantic
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404, parse_cookie

from intranet import events, plugins, sessions, sync
from intranet.budgets import SocketBudgets, budgets_of
from intranet.errors import ServiceError
from intranet.hub import CLOSE_LAYER_LOST, Hub, local_hub
from intranet.realtime import encode
from intranet.validation import InvalidInput, decode_json

logger = logging.getLogger(__name__)

MAX_INBOUND_CHARACTERS = 65_536
# Every frame, whatever it holds. A browser sends a few a second at most
# (pings, typing, sends, read marks, a catch-up's syncs); a script writing
# thousands would keep the process busy just refusing them, so past this
# the socket is closed (4429) instead of answered frame by frame.
FRAME_BUDGET = plugins.Budget(burst=200, per_second=40)
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

    user: AbstractBaseUser
    user_id: int
    session_key: str
    password_hash: str
    hub: Hub | None = None
    # The streams the connect read, while its first catch-up runs.
    connect_streams: set[str] | None = None

    async def connect(self) -> None:
        # Accept first so the client sees a close code, not a bare HTTP 403.
        await self.accept()
        self.flooding = False
        session_key = _session_key(self.scope)
        # The session's buckets, known before any query: a script that
        # reconnects the moment it is closed for flooding is closed again
        # here, at the cost of a handshake, not a session lookup.
        self.budgets = budgets_of(session_key) if session_key else SocketBudgets()
        if self.budgets.take("frames", FRAME_BUDGET):
            self.flooding = True
            await self.close(code=events.CLOSE_FLOODING)
            return
        try:
            arrival = await database_sync_to_async(_arrive)(session_key)
        except Exception as exc:
            await self.refuse("the database failed", exc)
            return
        if arrival is None:
            await self.close(code=events.CLOSE_UNAUTHENTICATED)
            return
        self.user, streams = arrival
        self.user_id = self.user.pk
        self.session_key = session_key
        # The session was checked against this password at connect; the
        # hub's recheck closes the socket if it changes.
        self.password_hash = self.user.password
        for hook in plugins.connect_hooks():
            hook(self.user)
        self.hub = local_hub(recheck_sockets)
        try:
            await asyncio.wait_for(self.hub.attach(self, streams), ATTACH_SECONDS)
        except Exception as exc:
            await self.refuse("following the streams failed", exc)
            return
        # hello comes after the streams are followed: from here on the tab
        # misses nothing published.
        await self.send_json(events.hello(user_id=self.user_id))
        first_sync = _sync_in_url(self.scope)
        if first_sync is not None:
            # The tab put its cursor in the URL: its catch-up starts now,
            # without waiting for it to ask (a reconnect storm is thousands
            # of these at once), with the streams the connect just read
            # (the same access check, moments ago: three queries fewer).
            self.connect_streams = streams
            try:
                await self.receive_json({"type": "sync", **first_sync})
            finally:
                self.connect_streams = None

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
        """Write an event the hub received for one of our streams."""
        await self.send(text_data=text)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.flooding:
            return  # closing: frames already queued are not worth reading
        if self.budgets.take("frames", FRAME_BUDGET):
            self.flooding = True
            logger.warning(
                "socket of user %s closed: flooding frames",
                getattr(self, "user_id", None),
            )
            await self.close(code=events.CLOSE_FLOODING)
            return
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
            await self.handle(event_type, content)
        except events.RateLimitedEvent as exc:
            await self.send_error(
                exc.code, exc.message, client_id, retry_after=exc.retry_after
            )
        except events.InvalidEvent as exc:
            await self.send_error(exc.code, exc.message, client_id)
        except ServiceError as exc:
            await self.send_error(exc.code, exc.message, client_id)
        except Http404 as exc:
            await self.send_error("not_found", str(exc) or "Not found.", client_id)
        except Exception:
            # A database hiccup must not close the socket: every tab would
            # reconnect at once. The client may retry (sends are idempotent).
            logger.exception("socket command %r failed", content.get("type"))
            await self.send_error(
                "server_error", "Something went wrong; try again.", client_id
            )

    async def handle(self, event_type: str, content: dict[str, Any]) -> None:
        if event_type == "sync":
            self.spend(event_type, sync.SYNC_BUDGET)
            await self.handle_sync(_validate(sync.Sync, content))
            return
        command = plugins.commands().get(event_type)
        if command is None:
            raise events.InvalidEvent(
                "unknown_type", f"Unknown event type {event_type!r}."
            )
        self.spend(event_type, command.budget)
        data = _validate(command.schema, content)
        if command.in_loop:
            reply = await command.handler(self.user, data)  # type: ignore[misc]
        else:
            reply = await database_sync_to_async(command.handler)(self.user, data)
        if reply is not None:
            await self.send_json(reply)

    def spend(self, event_type: str, budget: plugins.Budget) -> None:
        wait = self.budgets.take(event_type, budget)
        if wait:
            raise events.RateLimitedEvent(wait)

    async def handle_sync(self, data: sync.Sync) -> None:
        result = await database_sync_to_async(_sync)(
            self.user_id, data.since, data.seen, self.connect_streams
        )
        await self.send_json(result.as_event())

    async def send_error(
        self, code: str, message: str, client_id: Any, **extra: Any
    ) -> None:
        cid = client_id if isinstance(client_id, str) else None
        await self.send_json({**events.error(code, message, client_id=cid), **extra})


def _session_key(scope: Any) -> str:
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookies = parse_cookie(value.decode("latin-1"))
            return cookies.get(settings.SESSION_COOKIE_NAME, "")
    return ""


def _sync_in_url(scope: Any) -> dict[str, Any] | None:
    """The `since` and `seen` a tab put in the socket's URL, or None."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "since" not in query:
        return None

    def number(text: str) -> int | str:
        # Not a number: left as text for the schema to refuse.
        return int(text) if text.isdigit() and len(text) <= 19 else text

    seen = [p for p in ",".join(query.get("seen", [])).split(",") if p]
    return {"since": number(query["since"][0]), "seen": [number(p) for p in seen]}


def _arrive(session_key: str) -> tuple[AbstractBaseUser, set[str]] | None:
    """Who the session signs in, with their streams; None if nobody. One
    trip to the database thread (Channels' session and auth middleware took
    three), as connects come in bursts after an outage."""
    user = sessions.session_user(session_key)
    if user is None:
        return None
    return user, plugins.streams_of(user.pk)


def _sync(
    user_id: int, since: int, seen: list[int], streams: set[str] | None = None
) -> sync.SyncResult:
    # The streams are read again at every sync: that is its access check
    # (the connect's own catch-up reuses what the connect read).
    if streams is None:
        streams = plugins.streams_of(user_id)
    return sync.events_since(streams, since, seen=seen)


def _recheck(
    sockets: list[tuple[str, int, str]],
) -> tuple[set[str], dict[int, set[str]]]:
    current = sessions.current_session_keys(sockets)
    return current, plugins.streams_by_user(user_id for _, user_id, _ in sockets)


async def recheck_sockets(hub: Hub, sockets: list[Any]) -> None:
    """Close sockets whose session ended; make every other socket's streams
    match the database. A few queries per thousand sockets."""
    if not sockets:
        return
    keys = [(s.session_key, s.user_id, s.password_hash) for s in sockets]
    current, streams = await database_sync_to_async(_recheck)(keys)
    for socket in sockets:
        if socket.session_key not in current:
            await hub.detach(socket)
            await socket.close(code=events.CLOSE_SESSION_ENDED)
        else:
            await hub.subscribe(socket, streams[socket.user_id])
