"""The one way events leave the server: publish() to channel-layer groups.

Every service that changes something people can see calls publish() from
transaction.on_commit, so no socket hears of a row that could still roll
back. The channel layer is best effort; clients catch up from the database
after a reconnect (docs/realtime.md).
"""

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from intranet.models import Event as StoredEvent
from intranet.plugins import user_stream

Event = dict[str, Any]

logger = logging.getLogger(__name__)

# Streams are channel-layer groups: one name for both.
user_group = user_stream

# publish() runs on the path of every send, after the commit: a frozen
# Redis must not hold a send (and the database thread behind it) for the
# layer's 15 s read timeout. Past this, the event is dropped like any other
# the layer loses, and the hubs, which hear the same silence, close their
# sockets so that tabs catch up (intranet.hub).
PUBLISH_SECONDS = 3.0


def encode(event: Event) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def channel_message(
    group: str,
    text: str,
    *,
    kind: str,
    skip_user: int | None = None,
    follow: Iterable[str] = (),
    unfollow: Iterable[str] = (),
) -> dict[str, Any]:
    """Wrap an encoded event for the channel layer.

    Each process's hub (intranet.hub) receives it once per group and writes
    `text` to its sockets in `group` as is: a space's message is encoded
    once, not once per socket. Its sockets start following the streams in
    `follow` (and stop following those in `unfollow`) before they are
    written to, so nothing published to a new stream after this is missed.
    """
    return {
        "type": "event.publish",
        "group": group,
        "kind": kind,
        "text": text,
        "skip_user": skip_user,
        "follow": list(follow),
        "unfollow": list(unfollow),
    }


async def apublish(
    event: Event,
    *,
    groups: Iterable[str],
    skip_user: int | None = None,
    follow: Iterable[str] = (),
    unfollow: Iterable[str] = (),
) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always set
        return
    text = encode(event)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PUBLISH_SECONDS
    for group in groups:
        message = channel_message(
            group,
            text,
            kind=event["type"],
            skip_user=skip_user,
            follow=follow,
            unfollow=unfollow,
        )
        sending = asyncio.ensure_future(layer.group_send(group, message))
        done, _ = await asyncio.wait({sending}, timeout=deadline - loop.time())
        # Best effort by design: the change is already committed, and
        # every tab catches up from the database when its socket comes
        # back (sync). Failing here would turn an outage of the channel
        # layer into failed sends.
        if not done:
            sending.cancel()  # not awaited: a frozen server may not let go
            logger.warning("publish to %s failed: no answer in time", group)
        elif sending.exception() is not None:
            logger.warning("publish to %s failed", group, exc_info=sending.exception())


def publish(
    event: Event,
    *,
    groups: Iterable[str],
    skip_user: int | None = None,
    follow: Iterable[str] = (),
    unfollow: Iterable[str] = (),
) -> None:
    """Send `event` to every socket in `groups` (but not to `skip_user`'s).

    Call from transaction.on_commit when the event describes stored data.
    """
    async_to_sync(apublish)(
        event,
        groups=list(groups),
        skip_user=skip_user,
        follow=list(follow),
        unfollow=list(unfollow),
    )


def publish_on_commit(event: Event, *, groups: Iterable[str], **options: Any) -> None:
    """Publish `event` once the current transaction commits (now if none)."""
    targets = list(groups)
    transaction.on_commit(lambda: publish(event, groups=targets, **options))


def record(stream: str, event: Event, *, subject: str = "") -> Event:
    """Store `event` in the catch-up log of `stream` and publish it there
    on commit; return it with its `cursor`.

    Call inside transaction.atomic(), with the change the event describes:
    durable before live. `subject` names the object the event is about
    (`message.1007`) so rewrite() can find it.
    """
    row = StoredEvent.objects.create(stream=stream, subject=subject, payload=event)
    published = {**event, "cursor": row.pk}
    publish_on_commit(published, groups=[stream])
    return published


# Subjects per DELETE in forget(): a bounded IN list, however many there are.
SUBJECTS_PER_QUERY = 1000


def forget(subjects: Iterable[str], *, stream_prefix: str) -> int:
    """Delete the stored events about `subjects` in the streams whose names
    start with `stream_prefix`; return how many went.

    For an audience that shrinks: a stream's followers must no longer
    catch up on what it may not show them now.
    """
    names = list(subjects)
    deleted = 0
    for start in range(0, len(names), SUBJECTS_PER_QUERY):
        deleted += StoredEvent.objects.filter(
            subject__in=names[start : start + SUBJECTS_PER_QUERY],
            stream__startswith=stream_prefix,
        ).delete()[0]
    return deleted


def rewrite(subject: str, change: Callable[[Event], Event]) -> int:
    """Replace every stored event about `subject` by `change(event)`;
    return how many changed.

    Call inside transaction.atomic() when the subject's text is edited or
    removed: the log must not hand the old text to a tab catching up.
    """
    changed = 0
    for row in StoredEvent.objects.filter(subject=subject).select_for_update():
        payload = change(row.payload)
        if payload != row.payload:
            row.payload = payload
            row.save(update_fields=["payload"])
            changed += 1
    return changed
