"""What onboarding plugs into the socket: the journeys a person follows
(their own, their reports', those they buddy). HR's board comes on HR's
stream (profiles.realtime)."""

from intranet.plugins import StreamQuery, streams
from intranet.sql import table
from onboarding import events
from onboarding.models import Enrollment
from profiles.models import User


@streams
def onboarding_streams() -> StreamQuery:
    journeys = f"{table(Enrollment)} e"
    open_ = "e.ended_at IS NULL"
    return StreamQuery(
        f"SELECT e.person_id, %s || e.id FROM {journeys}"  # noqa: S608
        f" WHERE {open_} AND e.person_id IN (SELECT id FROM asked)"
        f" UNION ALL SELECT e.buddy_id, %s || e.id FROM {journeys}"
        f" WHERE {open_} AND e.buddy_id IN (SELECT id FROM asked)"
        f" UNION ALL SELECT p.manager_id, %s || e.id FROM {journeys}"
        f" JOIN {table(User)} p ON p.id = e.person_id"
        f" WHERE {open_} AND p.manager_id IN (SELECT id FROM asked)",
        (events.ENROLLMENT_STREAMS,) * 3,
    )
