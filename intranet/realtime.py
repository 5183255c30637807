"""The one way events leave the server: publish() to channel-layer groups.

Every service that changes something people can see calls publish() from
transaction.on_commit, so no socket hears of a row that could still roll
back. The channel layer is best effort; clients catch up from the database
after a reconnect (docs/realtime.md).
"""

import asyncio
import atexit
import concurrent.futures
import json
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
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


class _PublishLoop:
    """One event loop, in a daemon thread, for publish() from plain threads.

    async_to_sync in a thread with no server loop above it (a management
    command, the scheduler, a test, the bench) makes a new event loop per
    call, and channels_redis a new connection per loop: about 9 ms a
    publish against 2 ms on a loop that stays. Layers bind connections to
    the loop that opened them, so every plain-thread publish runs on this
    one, and it closes them (channels_redis does so in loop.close()) when
    the process exits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._registered = False

    def run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run `coroutine` on the loop and wait for it, so that one
        thread's publishes keep their order."""
        sending = asyncio.run_coroutine_threadsafe(coroutine, self._running())
        try:
            # apublish gives up by PUBLISH_SECONDS; this bound is for a
            # loop stopped under it (at exit), never to hang a caller.
            sending.result(timeout=PUBLISH_SECONDS + 1)
        except concurrent.futures.TimeoutError:
            sending.cancel()
            logger.warning("publish failed: the publish loop did not answer")

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked child inherits the object, not the thread.
            if self._loop is None or self._loop.is_closed() or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._serve, args=(loop,), name="publish-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread, self._pid = loop, thread, os.getpid()
                if not self._registered:
                    atexit.register(self.stop)
                    self._registered = True
            return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            # A send given up on (apublish) may still be pending: cancel it,
            # briefly wait, then close (which closes channels_redis's
            # connections on this loop).
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=1))
            loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def stop(self, timeout: float = PUBLISH_SECONDS) -> None:
        """Stop the loop and close the layer's connections on it; the next
        publish() from a plain thread starts another."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or self._pid != os.getpid():
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)


_publish_loop = _PublishLoop()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that a sync view's thread belongs to (the
    server's, under Daphne: SyncToAsync marks its threads), as
    async_to_sync finds it; None in a plain thread."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


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
    Under the server, it runs on the server's loop; from a plain thread,
    on the one publish loop (_PublishLoop).
    """
    options: dict[str, Any] = {
        "groups": list(groups),
        "skip_user": skip_user,
        "follow": list(follow),
        "unfollow": list(unfollow),
    }
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        in_a_loop = False
    else:
        in_a_loop = True
    if in_a_loop or _server_loop() is not None:
        # In a loop's own thread this raises, as before: await apublish.
        async_to_sync(apublish)(event, **options)
    else:
        _publish_loop.run(apublish(event, **options))


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
