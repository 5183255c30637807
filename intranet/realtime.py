"""The one way events leave the server: publish() to channel-layer groups.

Every service that changes something people can see calls publish() from
transaction.on_commit, so no socket hears of a row that could still roll
back. The channel layer is best effort; clients catch up from the database
after a reconnect (docs/realtime.md).
"""

import json
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

Event = dict[str, Any]

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """Return the group every socket of one user joins."""
    return f"user.{user_id}"


def encode(event: Event) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def channel_message(
    group: str, text: str, *, kind: str, skip_user: int | None = None
) -> dict[str, Any]:
    """Wrap an encoded event for the channel layer.

    Each process's hub (intranet.hub) receives it once per group and writes
    `text` to its sockets in `group` as is: a space's message is encoded
    once, not once per socket.
    """
    return {
        "type": "event.publish",
        "group": group,
        "kind": kind,
        "text": text,
        "skip_user": skip_user,
    }


async def apublish(
    event: Event, *, groups: Iterable[str], skip_user: int | None = None
) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always set
        return
    text = encode(event)
    for group in groups:
        message = channel_message(group, text, kind=event["type"], skip_user=skip_user)
        try:
            await layer.group_send(group, message)
        except Exception:
            # Best effort by design: the change is already committed, and
            # every tab catches up from the database when its socket comes
            # back (sync). Failing here would turn an outage of the channel
            # layer into failed sends.
            logger.warning("publish to %s failed", group, exc_info=True)


def publish(
    event: Event, *, groups: Iterable[str], skip_user: int | None = None
) -> None:
    """Send `event` to every socket in `groups` (but not to `skip_user`'s).

    Call from transaction.on_commit when the event describes stored data.
    """
    async_to_sync(apublish)(event, groups=list(groups), skip_user=skip_user)
