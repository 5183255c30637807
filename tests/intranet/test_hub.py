"""The per-process hub: one channel-layer membership per group per process,
and one batched recheck for all of a process's sockets."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intranet import hub
from intranet.consumers import _recheck
from intranet.realtime import apublish
from messaging import services
from messaging.events import conversation_group
from profiles.factories import UserFactory
from testkit.sockets import signed_in_socket
from tests.base import make_people, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    return get_channel_layer()


async def test_a_process_joins_each_group_once_and_fans_out_locally(in_memory_layer):
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    group_chat = await database_sync_to_async(services.create_group)(
        alice, title="Lunch", member_ids=[bob.pk]
    )
    group = conversation_group(group_chat.pk)
    sockets = [await signed_in_socket(p) for p in (alice, alice, bob)]

    # Three sockets, one process: the layer knows a single member, the hub.
    assert len(in_memory_layer.groups[group]) == 1
    event = {"type": "test.hub", "n": 1}
    await apublish(event, groups=[group], skip_user=bob.pk)
    assert await sockets[0].receive_json_from() == event
    assert await sockets[1].receive_json_from() == event
    assert await sockets[2].receive_nothing(timeout=0.2)  # skip_user

    for ws in sockets:
        await ws.disconnect()
    # The last socket out leaves the layer's groups and stops the hub.
    assert not in_memory_layer.groups.get(group)
    assert not hub._hubs


async def test_leaving_a_conversation_stops_its_events_at_once(in_memory_layer):
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    group_chat = await database_sync_to_async(services.create_group)(
        alice, title="Lunch", member_ids=[bob.pk]
    )
    bob_ws = await signed_in_socket(bob)
    await database_sync_to_async(services.leave_conversation)(
        bob, conversation_id=group_chat.pk
    )
    updated = await bob_ws.receive_json_from()  # the member list changed
    assert updated["type"] == "conversation.updated"
    left = await bob_ws.receive_json_from()
    assert left == {"type": "conversation.left", "conversation": group_chat.pk}
    await apublish({"type": "test.hub"}, groups=[conversation_group(group_chat.pk)])
    assert await bob_ws.receive_nothing(timeout=0.2)
    await bob_ws.disconnect()


class SlowLayer:
    """A channel layer whose group calls take a while, recording them."""

    def __init__(self) -> None:
        self.groups: dict[str, set[str]] = {}
        self.calls: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def _call(self, name: str, group: str) -> None:
        self.calls.append((name, group))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        # A leave slower than a join: unordered, a join started after a
        # leave would finish first and the leave would undo it.
        await asyncio.sleep(0.05 if name == "discard" else 0.02)
        self.in_flight -= 1

    async def new_channel(self) -> str:
        return "hub!1"

    async def receive(self, channel: str) -> dict:
        await asyncio.Event().wait()  # nothing is published here
        return {}

    async def group_add(self, group: str, channel: str) -> None:
        await self._call("add", group)
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await self._call("discard", group)
        self.groups.get(group, set()).discard(channel)


class Tab:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    async def push(self, kind: str, text: str) -> None: ...

    async def close(self, code=None) -> None: ...


async def no_recheck(hub, sockets) -> None: ...


async def test_sockets_join_their_groups_at_the_same_time_not_in_turn():
    """A storm of connects must not queue on one Redis round trip after
    another: each socket's new groups go to the layer at once."""
    layer = SlowLayer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tabs = [Tab(n) for n in range(100)]
    await asyncio.gather(
        *(the_hub.attach(t, {f"user.{t.user_id}", "conversation.1"}) for t in tabs)
    )
    assert layer.most_in_flight > 10
    assert layer.most_in_flight <= hub.LAYER_CALLS_AT_ONCE  # the pool's limit
    assert sorted(layer.calls).count(("add", "conversation.1")) == 1
    assert all("hub!1" in layer.groups[f"user.{n}"] for n in range(100))
    await asyncio.gather(*(the_hub.detach(t) for t in tabs))
    assert not any(layer.groups.values())


async def test_a_group_left_and_joined_at_once_stays_joined():
    """The last local socket leaving a group and a new one joining it race
    on the layer; the calls for one group go in order, so the hub stays in
    the group the new socket needs."""
    layer = SlowLayer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    keeper, leaver, joiner = Tab(1), Tab(2), Tab(3)
    await the_hub.attach(keeper, {"user.1"})
    await the_hub.attach(leaver, {"conversation.7"})
    await asyncio.gather(
        the_hub.detach(leaver), the_hub.attach(joiner, {"conversation.7"})
    )
    seven = [name for name, group in layer.calls if group == "conversation.7"]
    assert seven == ["add", "discard", "add"]
    assert layer.groups["conversation.7"] == {"hub!1"}
    assert the_hub.members["conversation.7"] == {joiner}
    for tab in (keeper, joiner):
        await the_hub.detach(tab)


def test_the_recheck_costs_the_same_queries_for_3_or_30_sockets():
    people = list(make_people().values())
    people += [UserFactory.create() for _ in range(27)]
    sessions = [(session_cookie_for(p), p.pk, p.password) for p in people]

    with CaptureQueriesContext(connection) as few:
        _recheck(sessions[:3])
    with CaptureQueriesContext(connection) as many:
        current, groups = _recheck(sessions)
    # The sessions, their users, then every app's streams (chats, spaces
    # and people followed, onboarding journeys, HR's) in one statement.
    assert len(many) == len(few) == 3
    assert current == {key for key, _, _ in sessions}
    assert set(groups) == {p.pk for p in people}


def test_the_recheck_drops_ended_sessions_and_changed_users():
    people = make_people()
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    sessions = {
        p.email: (session_cookie_for(p), p.pk, p.password) for p in (alice, bob, carol)
    }
    alice_again = (session_cookie_for(alice), alice.pk, alice.password)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    carol.set_password("a new password for carol")
    carol.save(update_fields=["password"])
    Session.objects.filter(session_key=alice_again[0]).delete()  # signed out

    current, _ = _recheck([*sessions.values(), alice_again])
    assert current == {sessions[alice.email][0]}


class Layer:
    """A channel layer that can freeze, and whose joins wait for the test."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict] = asyncio.Queue()
        self.frozen = False
        self.joins: list[asyncio.Future] = []

    async def _answer(self) -> None:
        if self.frozen:  # a SIGSTOPped Redis: no error, no answer
            await asyncio.Event().wait()

    async def new_channel(self) -> str:
        return "hub!1"

    async def send(self, channel: str, message: dict) -> None:
        await self._answer()
        self.queue.put_nowait(message)

    async def receive(self, channel: str) -> dict:
        while True:
            message = await self.queue.get()
            await self._answer()
            return message

    async def group_add(self, group: str, channel: str) -> None:
        join = asyncio.get_running_loop().create_future()
        self.joins.append(join)
        await join

    async def group_discard(self, group: str, channel: str) -> None:
        await self._answer()


class Closing(Tab):
    def __init__(self, user_id: int) -> None:
        super().__init__(user_id)
        self.closed_with: int | None = None
        self.closed_at = 0.0

    async def close(self, code=None) -> None:
        self.closed_with = code
        self.closed_at = asyncio.get_running_loop().time()


@pytest.mark.parametrize("dropped_by", ["detach", "lost layer", "both"])
@pytest.mark.parametrize("join_fails", [False, True])
async def test_a_socket_dropped_while_it_attaches_leaves_nothing_behind(
    dropped_by, join_fails
):
    """Attach, detach and the hub losing the layer race in any order: the
    attach ends with Dropped or the layer's error, never a KeyError, and no
    trace of the socket stays in the hub."""
    layer = Layer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tab = Closing(1)
    attaching = asyncio.create_task(the_hub.attach(tab, {"user.1"}))
    while not layer.joins:
        await asyncio.sleep(0)
    detaching = None
    if dropped_by in {"detach", "both"}:
        # It leaves the layer's group after the join under way.
        detaching = asyncio.create_task(the_hub.detach(tab))
        await asyncio.sleep(0)
    if dropped_by in {"lost layer", "both"}:
        await the_hub._fail()
    if join_fails:
        layer.joins[0].set_exception(ConnectionError("Redis went away"))
    else:
        layer.joins[0].set_result(None)
    expected = ConnectionError if join_fails else hub.Dropped
    with pytest.raises(expected):
        await attaching
    if detaching is not None:
        await detaching
    assert tab not in the_hub.groups_of
    assert not any(tab in members for members in the_hub.members.values())
    assert not the_hub.tasks
    if dropped_by == "lost layer":  # a detached socket is not the hub's to close
        assert tab.closed_with == hub.CLOSE_LAYER_LOST


async def test_sockets_attaching_at_once_share_one_channel_and_one_reader():
    layer = Layer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tabs = [Tab(n) for n in range(3)]
    attaching = [asyncio.create_task(the_hub.attach(t, {"user.1"})) for t in tabs]
    while not layer.joins:
        await asyncio.sleep(0)
    layer.joins[0].set_result(None)
    await asyncio.gather(*attaching)
    assert len(the_hub.tasks) == 3  # read, watch, keep alive: once
    for tab in tabs:
        await the_hub.detach(tab)
    assert not the_hub.tasks


@pytest.fixture
def quick_heartbeat(monkeypatch):
    monkeypatch.setattr(hub, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(hub, "SILENCE_SECONDS", 0.3)
    monkeypatch.setattr(hub, "DEAF_SECONDS", 1.5)


async def test_a_frozen_layer_closes_every_socket_with_4503(quick_heartbeat):
    """A frozen Redis raises nothing; the hub hears its heartbeats stop."""
    layer = Layer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tabs = [Closing(n) for n in range(3)]
    attaching = [asyncio.create_task(the_hub.attach(t, {"user.1"})) for t in tabs]
    while not layer.joins:
        await asyncio.sleep(0)
    layer.joins[0].set_result(None)
    await asyncio.gather(*attaching)

    await asyncio.sleep(1.0)  # healthy: heartbeats come back
    assert [t.closed_with for t in tabs] == [None] * 3
    assert not layer.queue.qsize()  # heartbeats are not delivered

    frozen_at = asyncio.get_running_loop().time()
    layer.frozen = True
    for _ in range(100):
        if all(t.closed_with for t in tabs):
            break
        await asyncio.sleep(0.05)
    assert [t.closed_with for t in tabs] == [hub.CLOSE_LAYER_LOST] * 3
    # Closed after the silence (counted from the last heartbeat heard).
    silence = hub.SILENCE_SECONDS - hub.HEARTBEAT_SECONDS
    assert all(t.closed_at - frozen_at >= silence for t in tabs)
    assert not the_hub.groups_of
    assert not the_hub.tasks


class DeafLayer(Layer):
    """A layer that takes every write and never delivers: a reader stuck
    in the layer's client."""

    async def receive(self, channel: str) -> dict:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_an_idle_process_whose_reader_hears_nothing_closes_its_sockets(
    quick_heartbeat, monkeypatch
):
    # However loaded the machine running the test, this process is idle;
    # and its deafness is noticed long before the last resort.
    monkeypatch.setattr(hub, "BUSY_LAG_SECONDS", 1.0)
    monkeypatch.setattr(hub, "DEAF_SECONDS", 10.0)
    layer = DeafLayer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tab = Closing(1)
    attaching = asyncio.create_task(the_hub.attach(tab, {"user.1"}))
    while not layer.joins:
        await asyncio.sleep(0)
    layer.joins[0].set_result(None)
    await attaching
    started = asyncio.get_running_loop().time()
    while tab.closed_with is None:
        assert asyncio.get_running_loop().time() - started < hub.DEAF_SECONDS
        await asyncio.sleep(0.05)
    assert tab.closed_with == hub.CLOSE_LAYER_LOST


@pytest.mark.parametrize(
    ("silence", "since_sent", "lag", "lost"),
    [
        (1.0, 1.0, 0.0, False),  # healthy
        (3.5, 3.5, 0.0, True),  # frozen or gone: nothing back, nothing out
        (3.5, 0.5, 0.0, True),  # writes go out, nothing back, idle: deaf
        (3.5, 3.5, 0.5, False),  # a loop half a second late waits longer
        (5.5, 5.5, 0.5, True),  # ... though not for ever
        (6.0, 0.5, 0.5, False),  # busy, writes go through: reading late
        (31.0, 0.5, 0.5, True),  # ... but never hearing anything is stuck
    ],
)
def test_when_the_layer_counts_as_lost(silence, since_sent, lag, lost):
    assert hub.layer_lost(silence, since_sent=since_sent, lag=lag) is lost


class ClosingTab(Tab):
    def __init__(self, user_id: int) -> None:
        super().__init__(user_id)
        self.closed_with: int | None = None

    async def close(self, code=None) -> None:
        self.closed_with = code


async def test_sockets_close_when_their_sessions_cannot_be_checked(settings):
    """The recheck fails closed: with the database down, a signed-out
    person's socket must not keep receiving events; every tab reconnects
    and its connect checks the session again."""
    settings.SOCKET_SESSION_RECHECK_SECONDS = 0.01
    rounds, down = 0, False

    async def database_down(hub_, sockets) -> None:
        nonlocal rounds
        if down:
            rounds += 1
            raise OSError("connection refused")

    the_hub = hub.Hub(SlowLayer(), database_down)  # type: ignore[arg-type]
    tabs = [ClosingTab(n) for n in (1, 2)]
    for tab in tabs:
        await the_hub.attach(tab, {f"user.{tab.user_id}"})
    down = True
    for _ in range(200):
        if tabs[0].closed_with is not None:
            break
        await asyncio.sleep(0.01)
    assert rounds == hub.RECHECK_FAILURES_TOLERATED
    assert [t.closed_with for t in tabs] == [hub.CLOSE_LAYER_LOST] * 2
    assert not the_hub.sockets


class SwallowingLayer(SlowLayer):
    """A layer whose receive swallows the first cancellation and waits
    again, as a read inside channels_redis sometimes does."""

    def __init__(self) -> None:
        super().__init__()
        self.swallowed = 0

    async def receive(self, channel: str) -> dict:
        while True:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                if self.swallowed:
                    raise
                self.swallowed += 1


async def test_the_reader_stops_even_if_the_layer_swallows_a_cancel():
    """Otherwise the last socket leaving keeps a reader on the layer for
    good, and the process's event loop can never close."""
    layer = SwallowingLayer()
    the_hub = hub.Hub(layer, no_recheck)  # type: ignore[arg-type]
    tab = Tab(1)
    await the_hub.attach(tab, {"user.1"})
    reader = the_hub.tasks[0]
    await the_hub.detach(tab)
    await asyncio.wait({reader}, timeout=2)
    assert reader.cancelled()
    assert layer.swallowed == 1
