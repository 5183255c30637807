import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intranet.sync import prune_events


class Command(BaseCommand):
    help = (
        "Delete replay-log events older than --days (default 7). Run daily; "
        "tabs offline for longer get resync.required and reload."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = prune_events(before=timezone.now() - datetime.timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} events older than {days} days.")
