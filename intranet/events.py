"""Shapes of the socket's own events (docs/realtime.md).

Inbound events are JSON objects with a string "type"; each app adds its
commands and validates their fields in its own events module.
"""

from typing import Any

# Close codes in the 4000-4999 range are the application's own (RFC 6455).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4403
# Frames far faster than any browser sends: a script, closed rather than
# served, since reading and refusing each frame alone costs the process.
CLOSE_FLOODING = 4429

MAX_CLIENT_ID_LENGTH = 64


class InvalidEvent(ValueError):
    """An inbound event that cannot be handled; the message goes to the client."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RateLimitedEvent(InvalidEvent):
    """The socket spent its budget for this command (intranet.budgets)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited", f"Too many of these; try again in {retry_after} s."
        )
        self.retry_after = retry_after


def error(code: str, message: str, *, client_id: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if client_id is not None:
        event["client_id"] = client_id
    return event


def hello(*, user_id: int) -> dict[str, Any]:
    return {"type": "hello", "user": user_id}


def parse_inbound(content: Any) -> tuple[str, str | None, dict[str, Any]]:
    """Return (type, client_id, content) of a decoded inbound event."""
    if not isinstance(content, dict):
        raise InvalidEvent("invalid", "An event must be a JSON object.")
    client_id = content.get("client_id")
    if client_id is not None and (
        not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH
    ):
        raise InvalidEvent(
            "invalid",
            f"client_id must be a string of at most {MAX_CLIENT_ID_LENGTH} characters.",
        )
    event_type = content.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidEvent("invalid", 'An event needs a "type" string.')
    return event_type, client_id, content
