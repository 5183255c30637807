"""Announcements: HR and communicators write, the scheduler publishes
(publishing), readers acknowledge and the author nudges once
(acknowledgements)."""

from feeds.services.announcements.acknowledgements import (
    acknowledge,
    acknowledgement_counts,
    managed_announcement,
    may_follow_acknowledgements,
    nudge,
)
from feeds.services.announcements.publishing import (
    ANNOUNCEABLE,
    MAX_LOCATION_LENGTH,
    MAX_LOCATIONS,
    announce,
    expire_pins,
    publish_announcement,
    publish_due,
)

__all__ = [
    "ANNOUNCEABLE",
    "MAX_LOCATIONS",
    "MAX_LOCATION_LENGTH",
    "acknowledge",
    "acknowledgement_counts",
    "announce",
    "expire_pins",
    "managed_announcement",
    "may_follow_acknowledgements",
    "nudge",
    "publish_announcement",
    "publish_due",
]
