"""Announcements over the real socket: the scheduled post reaches every
connected member when the worker publishes it, not before; acknowledgement
counts reach the author and HR, not members."""

import datetime

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from feeds import services
from testkit.sockets import next_event, signed_in_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_scheduled_post_goes_live_at_its_time_and_counts_go_to_staff(
    hanna, chris, alice, bob, company
):
    announcement = await database_sync_to_async(services.announce)(
        chris,
        space_id=company.pk,
        body="Pay day moves",
        must_read=True,
        publish_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    sockets = {p: await signed_in_socket(p) for p in (hanna, chris, alice, bob)}
    try:
        # Due in ten minutes: the worker's run now publishes nothing.
        assert await database_sync_to_async(services.publish_due)() == 0
        assert await sockets[alice].receive_nothing(timeout=0.3)
        later = timezone.now() + datetime.timedelta(minutes=10)
        assert await database_sync_to_async(services.publish_due)(now=later) == 1
        new = await next_event(sockets[alice], "post.new")
        assert new["post"]["body"] == "Pay day moves"
        assert new["post"]["must_read"] is True
        await next_event(sockets[bob], "post.new")
        post_id = new["post"]["id"]
        await database_sync_to_async(services.acknowledge)(alice, post_id=post_id)
        for staff in (hanna, chris):
            counted = await next_event(sockets[staff], "announcement.acknowledged")
            assert counted == {
                "type": "announcement.acknowledged",
                "post": post_id,
                "acknowledged": 1,
                "expected": 4,
            }
        # Members get no counts: only their notification and the post.
        while not await sockets[bob].receive_nothing(timeout=0.3):
            event = await sockets[bob].receive_json_from()
            assert event["type"] != "announcement.acknowledged"
        await database_sync_to_async(announcement.refresh_from_db)()
        assert announcement.post_id == post_id
    finally:
        for ws in sockets.values():
            await ws.disconnect()
