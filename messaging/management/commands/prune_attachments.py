import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from messaging.services import prune_unsent_attachments


class Command(BaseCommand):
    help = (
        "Delete uploads never sent or posted, older than --hours "
        "(default 24), and their files. Run daily or more often."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options) -> None:
        if hours < 1:
            raise CommandError("--hours must be at least 1.")
        before = timezone.now() - datetime.timedelta(hours=hours)
        deleted = prune_unsent_attachments(before=before)
        self.stdout.write(f"Deleted {deleted} unsent uploads older than {hours} hours.")
