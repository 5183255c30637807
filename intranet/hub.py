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

A layer can be lost without an error: a frozen Redis (a stalled host, a
network that drops packets) refuses nothing, and every call just waits for
its read timeout. So the hub sends itself a heartbeat through the layer
every HEARTBEAT_SECONDS, and takes SILENCE_SECONDS in which nothing at all
came back as the layer being lost, allowing more when its event loop runs
late. A process too busy to read its heartbeats soon enough (thousands of
sockets pinging) whose writes still go through is not lost: taking it for
lost would close every socket and bring them all back at once.
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
HEARTBEAT = "hub.heartbeat"
HEARTBEAT_SECONDS = 1.0
# Well above a healthy round trip (a millisecond) and a busy process's
# delay, and short enough for tabs to say "Reconnecting…" within 5 s.
SILENCE_SECONDS = 3.0
# A round trip through the layer waits its turn in the event loop about
# this many times.
LAG_ROUND_TRIPS = 4
# A loop whose timer runs this late is busy; an idle one runs on time.
BUSY_LAG_SECONDS = 0.1
# Heartbeats go out but none has come back this long, however busy the
# process: the reader is stuck.
DEAF_SECONDS = 30.0
RECANCEL_SECONDS = 0.25


class Dropped(Exception):
    """The socket was dropped while it attached: the hub lost the layer
    (and closed it with 4503), or the socket went away."""


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
        self.starting: asyncio.Future[str] | None = None
        # When the reader last heard from the layer (or went back to
        # waiting on it after delivering).
        self.heard_at = 0.0
        # When the layer last took a heartbeat (Redis answered the write).
        self.sent_at = 0.0
        self.heartbeat: asyncio.Future | None = None

    @property
    def sockets(self) -> list[Subscriber]:
        return list(self.groups_of)

    async def attach(self, socket: Subscriber, groups: Iterable[str]) -> None:
        """Start delivering `groups`' events to `socket`.

        Raise Dropped if the socket was dropped meanwhile, or the layer's
        error."""
        # Indexed before the first await: the hub stays up while it joins.
        self.groups_of.setdefault(socket, set())
        try:
            await self._start()
            await self.subscribe(socket, set(groups))
        except BaseException:
            # No waiting for the leaves: a caller that gave up on a frozen
            # layer must not wait for it again here.
            self._drop(socket)
            raise
        if socket not in self.groups_of:
            raise Dropped

    async def _start(self) -> None:
        """Open the hub's channel and start its tasks, once however many
        sockets attach at the same time."""
        if self.starting is None:
            self.starting = asyncio.ensure_future(self.layer.new_channel())
        starting = self.starting
        try:
            channel = await asyncio.shield(starting)
        except BaseException:
            if self.starting is starting and starting.done():
                self.starting = None  # the next attach tries again
            raise
        if self.starting is starting and not self.tasks:
            self.channel = channel
            self.heard_at = self.sent_at = time.monotonic()
            self.tasks = [
                asyncio.create_task(self._read(), name="hub-read"),
                asyncio.create_task(self._watch(), name="hub-watch"),
                asyncio.create_task(self._keep_alive(), name="hub-keep-alive"),
            ]

    async def detach(self, socket: Subscriber) -> None:
        await self._settle(self._drop(socket), strict=False)

    def _drop(self, socket: Subscriber) -> list[asyncio.Future | None]:
        """Forget `socket` now and return the layer calls that follow.

        Safe whatever happened meanwhile: a socket can be dropped by its
        own disconnect, a failed attach, a recheck and the hub losing the
        layer, in any order."""
        groups = self.groups_of.pop(socket, None)
        if groups is None:
            return []
        calls = [self._discard(socket, group) for group in list(groups)]
        if not self.groups_of:
            self._stop()
        return calls

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
                self.heard_at = time.monotonic()
                if message.get("type") == HEARTBEAT:
                    continue
                await self.deliver(message)
                # Time spent delivering is not silence of the layer.
                self.heard_at = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("the hub lost the channel layer", exc_info=True)
            await self._fail()

    async def _keep_alive(self) -> None:
        """Send heartbeats; fail the hub when the layer has gone silent.

        A busy event loop (a storm of connects, thousands of pings) runs
        every step of a round trip late, by about as much as this loop's
        own sleep overruns: the silence allowed grows by a few times that
        lag, so a process that is only busy keeps its sockets."""
        before = time.monotonic()
        lag = 0.0
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            now = time.monotonic()
            late = now - before - HEARTBEAT_SECONDS
            if late > SILENCE_SECONDS / 2:
                # This process itself was held up: what went unheard
                # meanwhile says nothing about the layer.
                self.heard_at = self.sent_at = now
            before = now
            # The recent worst lag, fading by a fifth a beat.
            lag = max(late, lag * 0.8)
            silence = now - self.heard_at
            if layer_lost(silence, since_sent=now - self.sent_at, lag=lag):
                logger.warning(
                    "the channel layer has not answered for %.1f s "
                    "(event loop %.2f s late): closing this process's sockets",
                    silence,
                    lag,
                )
                await self._fail()
                return
            if self.heartbeat is None or self.heartbeat.done():
                # Not awaited: a send that hangs must not stop the count.
                self.heartbeat = asyncio.ensure_future(self._beat())
                self.heartbeat.add_done_callback(_retrieve)

    async def _beat(self) -> None:
        await self.layer.send(self.channel, {"type": HEARTBEAT})
        self.sent_at = time.monotonic()

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
                _cancel_until_done(task)
        self.tasks = []
        self.starting = None
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            self.heartbeat = None
        loop = asyncio.get_running_loop()
        if _hubs.get(loop) is self:
            del _hubs[loop]


def _cancel_until_done(task: asyncio.Task) -> None:
    """Cancel `task`, and again until it has ended.

    A read inside channels_redis (redis-py under it) can swallow a
    cancellation and wait on Redis again; one cancel would then leave the
    hub's reader running for good, and its event loop could never close.
    """
    if not task.done():
        task.cancel()
        task.get_loop().call_later(RECANCEL_SECONDS, _cancel_until_done, task)


def layer_lost(silence: float, *, since_sent: float, lag: float) -> bool:
    """Whether `silence` seconds without hearing from the layer, the last
    heartbeat it took `since_sent` seconds ago, and an event loop running
    `lag` seconds late mean the layer is lost."""
    allowed = SILENCE_SECONDS + LAG_ROUND_TRIPS * lag
    if silence <= allowed:
        return False
    if since_sent > allowed:
        return True  # nothing came back and nothing went out: frozen or gone
    # Heartbeats go out but none comes back: a busy process reads them
    # late, an idle one is deaf (a reader stuck in the layer's client).
    return lag < BUSY_LAG_SECONDS or silence > DEAF_SECONDS


def _retrieve(future: asyncio.Future) -> None:
    # A failed heartbeat shows as silence; its error needs no report.
    if not future.cancelled():
        future.exception()


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
