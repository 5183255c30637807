"""manage.py import_starters FILE.csv: the page's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intranet.errors import ServiceError
from onboarding import imports
from onboarding.models import Journey
from profiles import roles
from profiles.models import User


class Command(BaseCommand):
    help = (
        "Import new starters from a CSV file (columns: "
        + ", ".join(imports.COLUMNS)
        + ", optional buddy_email) and enroll each once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--journey",
            help="The journey's name (default: the first new-starter journey).",
        )
        parser.add_argument(
            "--as",
            dest="hr",
            help="Email of the HR person enrolling them (default: the first "
            "person in HR).",
        )

    def handle(self, *args, **options) -> None:
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        journey = self._journey(options["journey"])
        hr = self._hr(options["hr"])
        try:
            text = imports.decode(data)
            rows, _ = imports.parse(text)
            with tqdm(total=len(rows), unit="people", disable=None) as bar:
                result = imports.import_starters(
                    hr, text=text, journey=journey, progress=bar.update
                )
        except ServiceError as error:
            raise CommandError(error.message) from None
        for bad in result.bad:
            self.stderr.write(f"Line {bad.line}: {bad.reason}")
        self.stdout.write(result.summary)

    def _journey(self, name: str | None) -> Journey:
        journeys = Journey.objects.order_by("pk")
        found = (
            journeys.filter(name=name).first()
            if name
            else journeys.filter(kind=Journey.Kind.NEW_STARTER).first()
        )
        if found is None:
            raise CommandError(
                f"No journey called {name!r}." if name else "Define a journey first."
            )
        return found

    def _hr(self, email: str | None) -> User:
        people = User.objects.filter(is_active=True).order_by("pk")
        if email:
            person = people.filter(email__iexact=email).first()
        else:
            person = people.filter(groups__name=roles.HR).first()
        if person is None or not roles.is_hr(person):
            raise CommandError(
                f"{email} is not in HR." if email else "No one is in HR: pass --as."
            )
        return person
