"""A scheduled announcement is published exactly once, however many
workers race for it (PostgreSQL: the claim's row lock; SQLite serialises
writers anyway)."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from threading import Barrier

import pytest
from django.db import connection, connections, transaction

from feeds import services
from feeds.models import Announcement, Post, Reader

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers anyway"
    ),
    pytest.mark.django_db(transaction=True),
]


def scheduled(hanna, company, clock) -> Announcement:
    announcement = services.announce(
        hanna,
        space_id=company.pk,
        body="Town hall at 4",
        must_read=True,
        publish_at=clock.now + datetime.timedelta(minutes=5),
    )
    clock.advance(minutes=5)
    return announcement


def in_thread(call):
    def run():
        try:
            return call()
        finally:
            connections.close_all()

    return run


def test_a_second_publisher_waits_for_the_first_and_publishes_nothing(
    hanna, company, clock
):
    announcement = scheduled(hanna, company, clock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            assert services.publish_announcement(announcement.pk) is not None
            second = pool.submit(in_thread(services.publish_due))
            with pytest.raises(FutureTimeout):  # waiting on the claimed row
                second.result(timeout=0.5)
        assert second.result(timeout=5) == 0
    assert Post.objects.count() == 1
    assert Reader.objects.filter(announcement=announcement).count() == 3


def test_two_workers_at_once_publish_once(hanna, company, clock):
    announcement = scheduled(hanna, company, clock)
    start = Barrier(2)

    def worker():
        start.wait(timeout=5)
        return services.publish_due()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(in_thread(worker)) for _ in range(2)]
        published = sorted(run.result(timeout=10) for run in runs)
    assert published == [0, 1]
    assert Post.objects.filter(announcement=announcement).count() == 1
