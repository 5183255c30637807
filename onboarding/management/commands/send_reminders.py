"""Send the daily reminders of tasks due today and late: once, or every N
seconds (the Procfile's `reminders` process)."""

import time

from django.core.management.base import BaseCommand, CommandParser

from onboarding.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send each person their digest of tasks due today and late, once a "
        "day from 8:00 in their time zone. Safe beside other schedulers: "
        "nobody gets it twice."
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
            sent = send_reminders()
            if sent or not every:
                self.stdout.write(f"Sent {sent} reminder(s).")
            if not every:
                return
            time.sleep(every)
