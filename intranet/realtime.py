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


def channel_message(event: Event, *, skip_user: int | None = None) -> dict[str, Any]:
    """Wrap `event` for the channel layer, JSON-encoded once.

    A space's message goes to every member's socket as the same text frame,
    so it is encoded here, not once per socket.
    """
    return {
        "type": "event.publish",
        "kind": event["type"],
        "text": json.dumps(event, ensure_ascii=False, separators=(",", ":")),
        "skip_user": skip_user,
    }


async def apublish(
    event: Event, *, groups: Iterable[str], skip_user: int | None = None
) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always set
        return
    message = channel_message(event, skip_user=skip_user)
    for group in groups:
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
