from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intranet.errors import ServiceError
from profiles.imports import import_org_fields
from profiles.models import User


class Command(BaseCommand):
    help = (
        "Update people's organisational fields (title, department, team, "
        "manager, start date, external_id) from a CSV file, as an HR person."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="actor", required=True, help="Email of the HR person."
        )

    def handle(self, *args, file: Path, actor: str, **options) -> None:
        hr = User.objects.filter(email__iexact=actor, is_active=True).first()
        if hr is None:
            raise CommandError(f"Nobody active is {actor}.")
        try:
            result = import_org_fields(hr, file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"Updated {result.updated}, unchanged {result.unchanged}, "
            f"refused {len(result.problems)}."
        )
