"""Probe the parts Canteen cannot work without."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

logger = logging.getLogger(__name__)

LAYER_TIMEOUT_SECONDS = 2.0


def check_database() -> str | None:
    """Return None if the database answers, else why not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("healthz: database failed: %s", exc)
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


async def _round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("the channel layer returned another message")


def check_channel_layer() -> str | None:
    """Return None if a message makes a round trip through the layer."""

    async def probe() -> None:
        await asyncio.wait_for(_round_trip(), LAYER_TIMEOUT_SECONDS)

    try:
        async_to_sync(probe)()
    except Exception as exc:
        logger.warning("healthz: channel layer failed: %r", exc)
        if isinstance(exc, TimeoutError):
            return f"no answer within {LAYER_TIMEOUT_SECONDS:g} s"
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None
