"""task.updated over the real ASGI socket: the journey's people and HR
hear it, an outsider does not."""

import datetime

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Permission
from django.utils import timezone

from onboarding import services
from onboarding.models import Step, Task
from profiles import roles
from profiles.factories import UserFactory
from testkit.sockets import next_event, signed_in_socket
from tests.base import make_people

pytestmark = pytest.mark.django_db(transaction=True)


def _world():
    people = make_people()
    bob, carol = people["bob"], people["carol"]
    hana = UserFactory.create(first_name="Hana")
    # A flush between transactional tests drops the migration's groups.
    hana.user_permissions.add(
        Permission.objects.get(codename=roles.MANAGE_ONBOARDING.split(".")[1])
    )
    nina = UserFactory.create(first_name="Nina", department=bob.department, manager=bob)
    dan = UserFactory.create(first_name="Dan", department=carol.department)
    journey = services.create_journey(hana, name="New starter", kind="new_starter")
    services.add_step(
        hana,
        journey_id=journey.pk,
        title="Read the handbook",
        owner=Step.Owner.STARTER,
        due_day=1,
    )
    services.add_step(
        hana,
        journey_id=journey.pk,
        title="Ninety days",
        owner=Step.Owner.HR,
        due_day=90,
    )
    enrollment, _ = services.enroll(
        nina,
        start_date=timezone.localdate() - datetime.timedelta(days=1),
        journey=journey,
        buddy=dan,
        by=hana,
    )
    task = Task.objects.get(enrollment=enrollment, title="Read the handbook")
    return {"hana": hana, "bob": bob, "nina": nina, "dan": dan, "carol": carol}, task


async def test_completing_a_step_reaches_the_journeys_people_and_hr_live():
    people, task = await database_sync_to_async(_world)()
    sockets = {name: await signed_in_socket(p) for name, p in people.items()}
    try:
        await database_sync_to_async(services.set_task_done)(
            people["nina"], task=task, done=True
        )
        for name in ("hana", "bob", "nina", "dan"):
            event = await next_event(sockets[name], "task.updated")
            assert event["task"]["id"] == task.pk, name
            assert event["progress"]["percent"] == 50
        assert await sockets["carol"].receive_nothing(timeout=0.3)
    finally:
        for ws in sockets.values():
            await ws.disconnect()


async def test_ending_a_journey_reaches_its_people_and_hr_live():
    people, task = await database_sync_to_async(_world)()
    sockets = {name: await signed_in_socket(p) for name, p in people.items()}
    try:
        enrollment = await database_sync_to_async(lambda: task.enrollment)()
        await database_sync_to_async(services.end_enrollment)(
            people["hana"], enrollment=enrollment
        )
        for name in ("hana", "bob", "nina", "dan"):
            event = await next_event(sockets[name], "enrollment.ended")
            assert event["enrollment"] == enrollment.pk, name
        assert await sockets["carol"].receive_nothing(timeout=0.3)
        # Ending it again publishes nothing.
        await database_sync_to_async(services.end_enrollment)(
            people["hana"], enrollment=enrollment
        )
        assert await sockets["hana"].receive_nothing(timeout=0.3)
    finally:
        for ws in sockets.values():
            await ws.disconnect()
