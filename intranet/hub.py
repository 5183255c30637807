"""Per-process fan-out: one channel-layer channel per process, not per socket.

Channels' default gives every socket its own channel: an event for a group
of 1,000 sockets becomes 1,000 channel-layer messages, 1,000 Redis pops and
1,000 dispatches, each with a hop through the database thread. `make bench`
measured that ceiling at about 1,500 deliveries a second per process.

Here each process (each event loop) has one Hub. Sockets tell it which
groups they want; the hub joins each group on the channel layer once, with
its one channel, and writes every event it receives to its local sockets in
that group as the frame that was JSON-encoded once by the publisher
(intranet.realtime). The channel layer is best effort (docs/realtime.md):
if the hub loses it, it closes its sockets with 4503 so their tabs
reconnect and catch up from the database.
"""

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# Group joins and leaves on the channel layer under way at once, per
# process: enough to overlap Redis round trips in a storm of connects, and
# far below the connection pool's limit (5,000 at once exhausted it).
LAYER_CALLS_AT_ONCE = 64

# The client reconnects with backoff and catches up. (Autobahn, under
# Daphne, refuses 1012 "service restart": servers may send 1000 or 3000-4999.)
CLOSE_LAYER_LOST = 4503

# Rounds of the session recheck that may fail in a row (the database is
# down, say) before the hub closes its sockets rather than keep serving
# sessions it cannot check.
RECHECK_FAILURES_TOLERATED = 3


class Subscriber(Protocol):
    """What the hub needs of a socket (intranet.consumers.RealtimeConsumer)."""

    user_id: int

    async def push(self, kind: str, text: str) -> None: ...

    async def close(self, code: int | bool | None = None) -> None: ...


Recheck = Callable[["Hub", list[Subscriber]], Awaitable[None]]


class Hub:
    """The sockets of one process, indexed by group."""

    def __init__(self, layer: BaseChannelLayer, recheck: Recheck) -> None:
        self.layer = layer
        self.recheck = recheck
        self.channel = ""
        self.members: dict[str, set[Subscriber]] = {}
        self.groups_of: dict[Subscriber, set[str]] = {}
        self.tasks: list[asyncio.Task] = []
        # The latest layer call (join or leave) of each group still under
        # way; the next call for that group waits for it.
        self.layer_calls: dict[str, asyncio.Future] = {}
        self.layer_slots = asyncio.Semaphore(LAYER_CALLS_AT_ONCE)
        self.group_refresh_at = 0.0

    @property
    def sockets(self) -> list[Subscriber]:
        return list(self.groups_of)

    async def attach(self, socket: Subscriber, groups: Iterable[str]) -> None:
        """Start delivering `groups`' events to `socket`."""
        if not self.tasks:
            self.channel = await self.layer.new_channel()
            self.tasks = [
                asyncio.create_task(self._read(), name="hub-read"),
                asyncio.create_task(self._watch(), name="hub-watch"),
            ]
        self.groups_of.setdefault(socket, set())
        try:
            await self.subscribe(socket, set(groups))
        except BaseException:
            await self._forget(socket)
            raise

    async def detach(self, socket: Subscriber) -> None:
        if socket in self.groups_of:
            await self._forget(socket)

    async def _forget(self, socket: Subscriber) -> None:
        groups = list(self.groups_of[socket])
        calls = [self._discard(socket, group) for group in groups]
        del self.groups_of[socket]
        if not self.groups_of:
            self._stop()
        await self._settle(calls, strict=False)

    async def subscribe(self, socket: Subscriber, groups: set[str]) -> None:
        """Make `groups` exactly the groups `socket` receives."""
        current = self.groups_of.get(socket)
        if current is None:  # detached meanwhile
            return
        calls = [self._add(socket, group) for group in groups - current]
        calls += [self._discard(socket, group) for group in current - groups]
        await self._settle(calls)

    async def join(self, socket: Subscriber, group: str) -> None:
        groups = self.groups_of.get(socket)
        if groups is not None and group not in groups:
            await self._settle([self._add(socket, group)])

    async def leave(self, socket: Subscriber, group: str) -> None:
        if group in self.groups_of.get(socket, ()):
            await self._settle([self._discard(socket, group)])

    # The local index changes at once (no await in between, so nothing
    # interleaves); the layer hears of a group's first local member and of
    # its last one leaving. Those calls run concurrently across groups: a
    # storm of connects used to queue on one Redis round trip after another
    # behind a single lock. Calls for the same group still go in order, so a
    # leave and a join racing on one group end with the hub in it.

    def _add(self, socket: Subscriber, group: str) -> asyncio.Future | None:
        local = self.members.setdefault(group, set())
        first = not local
        local.add(socket)
        self.groups_of[socket].add(group)
        if first:
            return self._call_layer(group, self.layer.group_add)
        # Someone else's join may still be on its way: wait for it too.
        return self.layer_calls.get(group)

    def _discard(self, socket: Subscriber, group: str) -> asyncio.Future | None:
        self.groups_of.get(socket, set()).discard(group)
        local = self.members.get(group, set())
        local.discard(socket)
        if local:
            return None
        self.members.pop(group, None)
        return self._call_layer(group, self._leave_layer_group)

    async def _leave_layer_group(self, group: str, channel: str) -> None:
        try:
            await self.layer.group_discard(group, channel)
        except Exception:
            # Harmless: the layer expires the membership, and the hub
            # ignores events for groups it no longer has sockets in.
            logger.warning("group_discard %s failed", group, exc_info=True)

    def _call_layer(
        self, group: str, call: Callable[[str, str], Awaitable[None]]
    ) -> asyncio.Future:
        before = self.layer_calls.get(group)
        channel = self.channel

        async def in_turn() -> None:
            if before is not None:
                # Its outcome is its own callers' business.
                await asyncio.wait([before])
            async with self.layer_slots:
                await call(group, channel)

        task = asyncio.ensure_future(in_turn())
        self.layer_calls[group] = task

        def done(finished: asyncio.Future) -> None:
            if self.layer_calls.get(group) is finished:
                del self.layer_calls[group]
            if not finished.cancelled():
                finished.exception()  # retrieved: the awaiting callers report it

        task.add_done_callback(done)
        return task

    @staticmethod
    async def _settle(
        calls: list[asyncio.Future | None], *, strict: bool = True
    ) -> None:
        """Wait for these layer calls; the first failure raises if `strict`."""
        pending = [call for call in calls if call is not None]
        if pending:
            await asyncio.gather(*pending, return_exceptions=not strict)

    async def deliver(self, message: dict[str, Any]) -> None:
        """Write one published event to the local sockets of its group.

        Sockets first follow the streams it names in `follow` (and leave
        those in `unfollow`): a newcomer's tab then gets everything
        published to the new stream after this event.
        """
        skip_user = message.get("skip_user")
        kind, text = message["kind"], message["text"]
        follow, unfollow = message.get("follow", ()), message.get("unfollow", ())
        for socket in tuple(self.members.get(message.get("group", ""), ())):
            if socket.user_id == skip_user:
                continue
            try:
                for stream in follow:
                    await self.join(socket, stream)
                for stream in unfollow:
                    await self.leave(socket, stream)
                await socket.push(kind, text)
            except Exception:
                logger.exception("delivery to a socket failed")

    async def _read(self) -> None:
        try:
            while True:
                message = await self.layer.receive(self.channel)
                await self.deliver(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("the hub lost the channel layer", exc_info=True)
            await self._fail()

    async def _watch(self) -> None:
        """Recheck every socket's session and groups in one batch.

        Channels checks a session only at connect; signing out, deactivation
        and leaving a conversation must reach open sockets within seconds
        even if the event saying so was lost.
        """
        failures = 0
        while True:
            await asyncio.sleep(settings.SOCKET_SESSION_RECHECK_SECONDS)
            try:
                await self.recheck(self, self.sockets)
                await self._refresh_groups()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("socket recheck failed")
                failures += 1
                if failures >= RECHECK_FAILURES_TOLERATED:
                    # Fail closed: a signed-out or deactivated person's
                    # socket must not go on receiving events while the
                    # check cannot run. Every tab comes back through a
                    # fresh connect, which checks its session again.
                    await self._fail()
                    return

    async def _refresh_groups(self) -> None:
        # The layer forgets group members after group_expiry (a day for
        # channels_redis) and forgets everything when Redis restarts empty.
        expiry = getattr(self.layer, "group_expiry", 86400)
        now = time.monotonic()
        if now < self.group_refresh_at:
            return
        self.group_refresh_at = now + expiry / 4
        for group in list(self.members):
            await self.layer.group_add(group, self.channel)

    async def _fail(self) -> None:
        sockets = self.sockets
        self.members.clear()
        self.groups_of.clear()
        self._stop()
        for socket in sockets:
            try:
                await socket.close(code=CLOSE_LAYER_LOST)
            except Exception:
                logger.warning("closing a socket failed", exc_info=True)

    def _stop(self) -> None:
        current = asyncio.current_task()
        for task in self.tasks:
            if task is not current:
                task.cancel()
        self.tasks = []
        loop = asyncio.get_running_loop()
        if _hubs.get(loop) is self:
            del _hubs[loop]


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = (
    weakref.WeakKeyDictionary()
)


def local_hub(recheck: Recheck) -> Hub:
    """Return this event loop's hub, creating it on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        layer = get_channel_layer()
        assert layer is not None, "CHANNEL_LAYERS is always configured"
        hub = _hubs[loop] = Hub(layer, recheck)
    return hub
