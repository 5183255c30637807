from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from tqdm import tqdm

from intranet import plugins


class Command(BaseCommand):
    help = (
        "Load the demo company once (skipped when it is already there). "
        "Each app's demo.py adds its part."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=0,
            help="Number of people (default: the small demo; thousands for "
            "benchmarks).",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, size: int, seed: int, **options) -> None:
        if size < 0:
            raise CommandError("--size must be a positive number of people.")
        autodiscover_modules("demo")
        parts = plugins.demo_parts()
        if any(part.loaded and part.loaded() for part in parts):
            self.stdout.write("The demo company is already loaded.")
        else:
            quiet = options["verbosity"] < 1
            lines = []
            for part in parts:
                total = part.total(size)
                with tqdm(
                    total=total, unit=part.unit, desc=part.label, disable=quiet
                ) as bar:
                    lines.append(part.build(size=size, seed=seed, progress=bar.update))
            self.stdout.write(
                self.style.SUCCESS("Loaded the demo company: " + ", ".join(lines))
            )
        for part in parts:
            if part.welcome:
                self.stdout.write(part.welcome())
