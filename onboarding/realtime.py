"""What onboarding plugs into the socket: the journeys a person follows
(their own, their reports', those they buddy) and, for HR, the board."""

from intranet.plugins import streams
from onboarding import selectors


@streams
def onboarding_streams(user_ids: list[int]) -> dict[int, set[str]]:
    return selectors.streams_by_user(user_ids)
