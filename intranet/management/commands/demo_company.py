from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intranet import demo
from profiles.factories import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo company once (skipped when it is already there)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=demo.DEFAULT_SIZE,
            help=f"Number of people (default {demo.DEFAULT_SIZE}; thousands "
            "for benchmarks).",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, size: int, seed: int, **options) -> None:
        if size < 1:
            raise CommandError("--size must be a positive number of people.")
        if demo.demo_loaded():
            self.stdout.write("The demo company is already loaded.")
        else:
            target = max(size, demo.DEFAULT_SIZE)
            with tqdm(
                total=target,
                unit="people",
                desc="Demo company",
                disable=options["verbosity"] < 1,
            ) as bar:
                counts = demo.build_demo_company(
                    size=size, seed=seed, progress=lambda n: bar.update(n)
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo company: {counts['people']} people in "
                    f"{counts['departments']} departments."
                )
            )
        self.stdout.write(f"Sign in as {demo.DEMO_LOGIN} with password {DEMO_PASSWORD}")
