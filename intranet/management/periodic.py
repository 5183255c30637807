"""A management command that does one round of work, once or every N
seconds: the embedded default's and the Procfile's stand-in for a worker's
schedule (publishing announcements, sending reminders)."""

import time

from django.core.management.base import BaseCommand, CommandParser


class PeriodicCommand(BaseCommand):
    # "Published {} announcement(s).": what one round did, by its count.
    done = "{} done."

    def run_once(self) -> int:
        """Do one round; return how many things it did."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, a round every SECONDS (default: once).",
        )

    def handle(self, *args, every: int = 0, **options) -> None:
        if every < 0:
            self.stderr.write("--every takes a number of seconds, 1 or more.")
            raise SystemExit(2)
        while True:
            count = self.run_once()
            # Quiet rounds say nothing when it keeps running.
            if count or not every:
                self.stdout.write(self.done.format(count))
            if not every:
                return
            time.sleep(every)
