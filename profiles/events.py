"""The events profiles publishes (docs/realtime.md)."""

from typing import Any

from intranet.plugins import streams_of
from profiles.models import User

# Streams that carry someone else's posts to the people who follow them
# (feeds' `author.<id>`): a follower of the same person is a stranger to
# this one, so a status is not sent there. Named, not imported: profiles
# sits below feeds.
_OTHER_PEOPLES_STREAMS = ("author.",)


def status_changed(user: User) -> dict[str, Any]:
    """Return `user`'s custom status as it now shows (all empty when it
    is cleared)."""
    return {
        "type": "status.changed",
        "user": user.pk,
        "emoji": user.status_emoji,
        "text": user.status_text,
        "expires_at": (
            user.status_expires_at.isoformat() if user.status_expires_at else None
        ),
    }


def status_audience(user_id: int) -> list[str]:
    """Return the streams whose people may have `user_id` on screen: their
    own tabs and every conversation, space and journey they are in.

    Presence is polled, never pushed, so it has no audience to share; a
    status changes a few times a day, and one send per stream (a space's
    members share one) costs far less than one per person.
    """
    return sorted(
        stream
        for stream in streams_of(user_id)
        if not stream.startswith(_OTHER_PEOPLES_STREAMS)
    )
