"""publish() from a plain thread (a management command, the scheduler,
the bench) runs on one kept event loop, so a run of publishes shares one
connection to the channel layer; under a server loop (a sync view in
Daphne's threads) it runs on that loop, as async_to_sync does. With the
configured layer: in-memory by default, Redis in the PostgreSQL + Redis
run."""

import asyncio
import json
import os
import subprocess
import sys
import threading
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from intranet import realtime


def the_layer() -> Any:
    layer = get_channel_layer()
    assert layer is not None
    return layer


def listening(group: str) -> str:
    layer = the_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def received(channel: str, n: int) -> list[int]:
    layer = the_layer()

    async def take() -> list[dict]:
        return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(n)]

    return [json.loads(m["text"])["n"] for m in async_to_sync(take)()]


def loops_of_publish(monkeypatch) -> list[asyncio.AbstractEventLoop]:
    """Record the loop each apublish runs on."""
    seen: list[asyncio.AbstractEventLoop] = []
    original = realtime.apublish

    async def recording(event, **options):
        seen.append(asyncio.get_running_loop())
        await original(event, **options)

    monkeypatch.setattr(realtime, "apublish", recording)
    return seen


def test_publishes_from_a_plain_thread_share_one_loop_and_keep_order(monkeypatch):
    group = f"test.loop.{uuid.uuid4().hex}"
    channel = listening(group)
    loops = loops_of_publish(monkeypatch)

    def fail(*args, **kwargs):
        raise AssertionError("a plain thread went through async_to_sync")

    monkeypatch.setattr(realtime, "async_to_sync", fail)

    # 90: a channel holds 100 messages (the layers' default capacity).
    def send(first: int) -> None:
        for n in range(first, first + 30):
            realtime.publish({"type": "test.n", "n": n}, groups=[group])

    threads_before = threading.active_count()
    for first in (0, 30):  # two threads, one after the other
        worker = threading.Thread(target=send, args=(first,))
        worker.start()
        worker.join()
    send(60)  # and the test's own thread, plain too
    assert received(channel, 90) == list(range(90))
    assert len(set(loops)) == 1 and loops[0] is realtime._publish_loop.loop
    # The loop's thread is the only one added, whatever the count.
    assert threading.active_count() <= threads_before + 1
    layer = the_layer()
    if hasattr(layer, "_layers"):  # channels_redis: connections per loop
        assert loops[0] in layer._layers


def test_stopping_the_loop_closes_its_connections_and_a_new_one_starts(
    monkeypatch,
):
    group = f"test.loop.{uuid.uuid4().hex}"
    channel = listening(group)
    realtime.publish({"type": "test.n", "n": 1}, groups=[group])
    first = realtime._publish_loop.loop
    assert first is not None
    realtime._publish_loop.stop()
    assert first.is_closed()
    assert not any(t.name == "publish-loop" for t in threading.enumerate())
    layer = the_layer()
    if hasattr(layer, "_layers"):
        assert first not in layer._layers
    realtime.publish({"type": "test.n", "n": 2}, groups=[group])
    assert realtime._publish_loop.loop not in (None, first)
    assert received(channel, 2) == [1, 2]


async def test_under_a_server_loop_a_sync_caller_publishes_on_it(monkeypatch):
    group = f"test.loop.{uuid.uuid4().hex}"
    layer = the_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    loops = loops_of_publish(monkeypatch)

    def fail(coroutine):
        coroutine.close()
        raise AssertionError("a server thread used the publish loop")

    monkeypatch.setattr(realtime._publish_loop, "run", fail)
    for n in range(20):
        await sync_to_async(realtime.publish)(
            {"type": "test.n", "n": n}, groups=[group]
        )
    got = [json.loads((await layer.receive(channel))["text"])["n"] for _ in range(20)]
    assert got == list(range(20))
    assert set(loops) == {asyncio.get_running_loop()}
    # In the loop's own thread it is refused, as async_to_sync refuses.
    with pytest.raises(RuntimeError, match="AsyncToSync"):
        realtime.publish({"type": "test.n", "n": 0}, groups=[group])


EXITING = """
import django
django.setup()
from intranet import realtime
for n in range(30):
    realtime.publish({"type": "test.n", "n": n}, groups=["test.exit"])
print("published", flush=True)
"""


def test_a_process_that_published_exits_cleanly():
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-c", EXITING],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "intranet.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "published"
    for trouble in ("Traceback", "Exception ignored", "Unclosed", "destroyed"):
        assert trouble not in done.stderr, done.stderr
