"""Sockets as a signed-in browser tab opens them.

Two kinds: `signed_in_socket` drives the ASGI application in this process
(channels' WebsocketCommunicator, for tests on the test database), and
`dial`/`open_socket` connect a real `websockets` client to a listening
server (the scale-out tests and `make bench`). Both send the Origin of the
site itself: the socket refuses any other.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

if TYPE_CHECKING:
    from channels.testing import WebsocketCommunicator

    from profiles.models import User

# The server's own cap (the Procfile's --websocket-max-message-size).
MAX_FRAME_BYTES = 2**20


# In this process, through the ASGI application.


def socket_headers(
    session_key: str | None = None, origin: str = "http://localhost"
) -> list[tuple[bytes, bytes]]:
    """The handshake headers of a page on `origin`, signed in or not."""
    from testkit.personas import cookie_header

    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if session_key:
        headers.append((b"cookie", cookie_header(session_key).encode()))
    return headers


async def signed_in_socket(
    user: User, *, path: str = "/ws/", origin: str = "http://localhost"
) -> WebsocketCommunicator:
    """Sign `user` in, connect to `path` and read the `hello`."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from intranet.asgi import application
    from testkit.personas import session_cookie_for

    session_key = await database_sync_to_async(session_cookie_for)(user)
    ws = WebsocketCommunicator(
        application, path, headers=socket_headers(session_key, origin=origin)
    )
    connected, _ = await ws.connect()
    assert connected
    hello = await ws.receive_json_from()
    assert hello == {"type": "hello", "user": user.pk}, hello
    return ws


async def next_event(
    ws: WebsocketCommunicator, event_type: str, timeout: float = 3
) -> dict[str, Any]:
    """Return the next event of `event_type`, skipping others."""
    while True:
        event = await ws.receive_json_from(timeout=timeout)
        if event["type"] == event_type:
            return event


async def next_events(
    ws: WebsocketCommunicator, *event_types: str, timeout: float = 3
) -> list[dict[str, Any]]:
    """Return the next event of each of `event_types`, in whatever order
    they come, skipping others."""
    found: dict[str, dict[str, Any]] = {}
    while len(found) < len(event_types):
        event = await ws.receive_json_from(timeout=timeout)
        if event["type"] in event_types:
            found.setdefault(event["type"], event)
    return [found[t] for t in event_types]


# Over the network, to a real server.


def origin_of(url: str) -> Origin:
    """The page origin that serves socket `url`: its scheme, host and port."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}[parts.scheme]
    return Origin(f"{scheme}://{parts.netloc}")


def dial(url: str, cookie: str, **options: Any) -> connect:
    """Connect to `url` with `cookie` (a Cookie header) as the site's own
    page would; await it, or use it with `async with`. `options` go to
    websockets' connect()."""
    return connect(
        url,
        origin=origin_of(url),
        additional_headers={"Cookie": cookie},
        max_size=MAX_FRAME_BYTES,
        # Loopback: never through an HTTP proxy from the environment.
        proxy=None,
        **options,
    )


async def open_socket(
    url: str,
    cookie: str,
    *,
    open_timeout: float = 60,
    hello_timeout: float = 30,
    **options: Any,
) -> ClientConnection:
    """Connect and read the `hello`; raise if another event comes first."""
    ws = await dial(url, cookie, open_timeout=open_timeout, **options)
    hello = json.loads(await asyncio.wait_for(ws.recv(), hello_timeout))
    if hello.get("type") != "hello":
        await ws.close()
        raise RuntimeError(f"expected hello, got {hello}")
    return ws
