"""Probe the parts Canteen cannot work without, within a deadline.

A load balancer asks /healthz every few seconds and gives up on a slow
answer: a probe must answer within DEADLINE_SECONDS whatever the database
and Redis do. A frozen Redis or database raises nothing, it just never
answers, so each check runs against the clock and one that has not
answered in time fails with "no answer within … s".
"""

import asyncio
import concurrent.futures
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

logger = logging.getLogger(__name__)

# Both checks run at once; the answer comes within this, leaving a loaded
# process time to answer within 3 s.
DEADLINE_SECONDS = 1.5

# One thread for the database check: a query that hangs holds it, and the
# next probes wait for that same query instead of piling up threads.
_database_thread = concurrent.futures.ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="healthz-database"
)
_database_probe: concurrent.futures.Future | None = None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()[:300]


def _query_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own; no request will close it


async def _round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("the channel layer returned another message")


async def _within_deadline(name: str, probe: asyncio.Future) -> str | None:
    """Return None if `probe` succeeds in time, else why not."""
    done, _ = await asyncio.wait({probe}, timeout=DEADLINE_SECONDS)
    if not done:
        # Cancelled, not awaited: a call stuck on a frozen server may take
        # its own time to notice.
        probe.cancel()
        problem = f"no answer within {DEADLINE_SECONDS:g} s"
    elif probe.exception() is None:
        return None
    else:
        problem = _describe(probe.exception())  # type: ignore[arg-type]
    logger.warning("healthz: %s failed: %s", name, problem)
    return problem


def _start_database_probe() -> asyncio.Future:
    global _database_probe
    if _database_probe is None or _database_probe.done():
        _database_probe = _database_thread.submit(_query_database)
    return asyncio.wrap_future(_database_probe)


async def check_all() -> dict[str, str | None]:
    """Return {check: None if it passed, else why not} within the deadline."""
    database, layer = await asyncio.gather(
        _within_deadline("database", _start_database_probe()),
        _within_deadline("channel layer", asyncio.ensure_future(_round_trip())),
    )
    return {"database": database, "channel_layer": layer}


def check_database() -> str | None:
    """Return None if the database answers, else why not."""
    return async_to_sync(check_all)()["database"]


def check_channel_layer() -> str | None:
    """Return None if a message makes a round trip through the layer."""
    return async_to_sync(check_all)()["channel_layer"]
