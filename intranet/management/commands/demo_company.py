from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intranet import demo
from messaging.demo import MESSAGES_PER_PERSON, build_demo_messages
from profiles.factories import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo company once (skipped when it is already there)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=demo.DEFAULT_SIZE,
            help=f"Number of people (default {demo.DEFAULT_SIZE}; thousands "
            f"for benchmarks, with {MESSAGES_PER_PERSON} messages each).",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, size: int, seed: int, **options) -> None:
        if size < 1:
            raise CommandError("--size must be a positive number of people.")
        if demo.demo_loaded():
            self.stdout.write("The demo company is already loaded.")
        else:
            self.load(
                size=max(size, demo.DEFAULT_SIZE),
                seed=seed,
                quiet=options["verbosity"] < 1,
            )
        # `make run` shows this, so a newcomer knows whom to sign in as.
        width = max(len(p.email) for p in demo.PERSONAS)
        self.stdout.write(
            f"Every demo person's password is {DEMO_PASSWORD}. Sign in as:\n"
            + "\n".join(
                f"  {p.email:<{width}}  {p.first_name} {p.last_name}, {p.who}"
                for p in demo.PERSONAS
            )
        )

    def load(self, *, size: int, seed: int, quiet: bool) -> None:
        with tqdm(total=size, unit="people", desc="People", disable=quiet) as bar:
            counts = demo.build_demo_company(
                size=size, seed=seed, progress=lambda n: bar.update(n)
            )
        messages = size * MESSAGES_PER_PERSON
        with tqdm(total=messages, unit="msg", desc="Messages", disable=quiet) as bar:
            made = build_demo_messages(
                seed=seed,
                login_email=demo.DEMO_LOGIN,
                message_count=messages,
                progress=lambda n: bar.update(n),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo company: {counts['people']} people in "
                f"{counts['departments']} departments, {made:,} messages."
            )
        )
