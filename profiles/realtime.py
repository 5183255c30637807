"""What profiles plugs into the socket: presence, kept fresh by `ping`, and
HR's stream for the people who hold the HR role."""

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool

from intranet.plugins import Budget, command, on_connect, streams
from profiles import presence, roles


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
def hr_stream(user_ids: list[int]) -> dict[int, set[str]]:
    """HR follow HR_STREAM; the recheck drops a former HR person's within
    its interval."""
    held = roles.holders(user_ids, roles.MANAGE_ONBOARDING)
    return {user_id: {roles.HR_STREAM} for user_id in held}
