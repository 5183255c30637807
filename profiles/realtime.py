"""What profiles plugs into the socket: presence, kept fresh by `ping`, and
HR's stream for the people who hold the HR role."""

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool

from intranet.plugins import Budget, StreamQuery, command, on_connect, streams
from intranet.sql import table
from profiles import presence, roles
from profiles.models import User


class Ping(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Whether the tab is in use (false while hidden or idle).
    active: StrictBool = True


@on_connect
def arrived(user) -> None:
    presence.local_writer().note(user.pk, active=True)


# A tab pings every 25 s.
@command("ping", Ping, budget=Budget(burst=5, per_second=1))
async def ping(user, data: Ping) -> dict[str, Any]:
    presence.local_writer().note(user.pk, active=data.active)
    return {"type": "pong"}


@streams
def hr_stream() -> StreamQuery:
    """HR follow HR_STREAM; the recheck drops a former HR person's within
    its interval."""
    condition, params = roles.holding(roles.MANAGE_ONBOARDING)
    return StreamQuery(
        f"SELECT u.id, %s FROM {table(User)} u"  # noqa: S608 - tables only
        f" WHERE u.id IN (SELECT id FROM asked) AND {condition}",
        (roles.HR_STREAM, *params),
    )
