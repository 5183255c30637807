"""Publish due announcements and unpin expired ones: once, or every N
seconds (the embedded default's stand-in for the worker)."""

from feeds.services.announcements.publishing import publish_due
from intranet.management.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = (
        "Publish scheduled announcements whose time has come (late ones "
        "too) and unpin expired pins. Safe beside workers: each is "
        "published once."
    )
    done = "Published {} announcement(s)."

    def run_once(self) -> int:
        return publish_due()
