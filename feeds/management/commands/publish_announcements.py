"""Publish due announcements and unpin expired ones: once, or every N
seconds (the embedded default's stand-in for the worker)."""

import time

from django.core.management.base import BaseCommand, CommandParser

from feeds.services.announcements import publish_due


class Command(BaseCommand):
    help = (
        "Publish scheduled announcements whose time has come (late ones "
        "too) and unpin expired pins. Safe beside workers: each is "
        "published once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS (default: once).",
        )

    def handle(self, *args, every: int = 0, **options) -> None:
        if every < 0:
            self.stderr.write("--every takes a number of seconds, 1 or more.")
            raise SystemExit(2)
        while True:
            published = publish_due()
            if published or not every:
                self.stdout.write(f"Published {published} announcement(s).")
            if not every:
                return
            time.sleep(every)
