"""The registry of `make bench` scenarios.

Each scenario is a small function registered with a name (what `--only`
takes), a description and what it needs. The runner (bench/__main__.py)
runs the chosen ones in the order registered here and gives each what it
needs before it starts: the bench people and their Redis once, then one or
two Daphne processes, kept while the next scenario needs the same and
stopped before it needs something else.
"""

import asyncio
import contextlib
import enum
import os
import platform
import subprocess
import sys
import time
from argparse import Namespace
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.data import database_url, prepare, server_env, up_to_date
from bench.delivery import crowd, flooded, one_to_one, saturate
from bench.fleet import idle_fleet
from bench.harness import (
    RESULTS_DIR,
    ROOT,
    daphne,
    redis_server,
    reference_server,
)
from bench.profile import sampled
from intranet.config import tune_gc_for_a_server
from testkit.processes import Server


class Need(enum.Enum):
    PEOPLE = "the bench people (PostgreSQL, else SQLite) and Redis"
    ONE_DAPHNE = "one Daphne"
    TWO_DAPHNES = "two Daphnes, one per core"
    REFERENCE = "the reference server (bare websockets)"
    POSTGRESQL = "PostgreSQL"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    needs: tuple[Need, ...]
    run: Callable[["Bench"], None]
    # Where its figures go: bench/results/<results>.json.
    results: str = "messaging"


REGISTRY: dict[str, Scenario] = {}


def scenario(
    name: str, description: str, *, needs: tuple[Need, ...], results: str = "messaging"
) -> Callable[[Callable[["Bench"], None]], Callable[["Bench"], None]]:
    def register(run: Callable[["Bench"], None]) -> Callable[["Bench"], None]:
        assert name not in REGISTRY, f"two scenarios named {name!r}"
        REGISTRY[name] = Scenario(name, description, needs, run, results)
        return run

    return register


class Bench:
    """One run: its arguments, its figures, and what its scenarios need."""

    def __init__(self, args: Namespace) -> None:
        self.args = args
        self.suffix = "" if args.layer == "redis" else f"-{args.layer}"
        self.results: dict[str, Any] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "layer": args.layer,
        }
        self.servers: list[Server] = []
        self.setup: dict[str, Any] = {}
        self._env: dict[str, str] = {}
        self._serving: Need | None = None
        self._run = contextlib.ExitStack()
        self._daphnes = contextlib.ExitStack()
        self._caught_up: tuple[int, dict[str, list[int]]] | None = None

    @property
    def space(self) -> dict[str, Any]:
        """The crowd's space, as crowd() and saturate() take it."""
        return {
            "sender_cookie": self.setup["sender"],
            "cookies": self.setup["crowd"],
            "conversation": self.setup["space"],
        }

    def provide(self, needs: tuple[Need, ...]) -> None:
        if Need.PEOPLE in needs and not self.setup:
            self._prepare()
        serving = next(
            (n for n in (Need.ONE_DAPHNE, Need.TWO_DAPHNES) if n in needs), None
        )
        if serving is self._serving:
            return
        self._daphnes.close()
        self.servers = []
        self._serving = serving
        if serving is Need.ONE_DAPHNE:
            self.servers = [self._daphnes.enter_context(daphne(self._env))]
        elif serving is Need.TWO_DAPHNES:
            # One process per core, sharing Redis; the load generator
            # competes with them for the same two cores.
            self.servers = [
                self._daphnes.enter_context(daphne(self._env, core=core))
                for core in (0, 1)
            ]

    def _prepare(self) -> None:
        redis_url = self._run.enter_context(redis_server())
        db_url = database_url()
        env = server_env(redis_url, db_url)
        if self.args.layer == "pubsub":
            env["CHANNELS_URL"] = redis_url.replace("redis://", "redis+pubsub://", 1)
        shared = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL")
        os.environ.update({k: env[k] for k in shared})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
        self._env = env
        self.results["database"] = db_url.split(":", 1)[0]
        self.setup = prepare(self.args.members, self.args.idle)
        # The load generator holds thousands of sockets too: with Python's
        # default thresholds its full collections paused it for up to 1 s in
        # the reconnect storm, so it tunes its collector as the server does.
        tune_gc_for_a_server()

    def caught_up(self) -> tuple[int, dict[str, list[int]]]:
        """The cursor of tabs that were up to date before a storm, and what
        each idle tab names as seen: the crowd's saw the space's events."""
        if self._caught_up is None:
            since, space_seen = up_to_date(self.setup["space"])
            members = set(self.setup["crowd"])
            seen = {c: space_seen if c in members else [] for c in self.setup["idle"]}
            self._caught_up = (since, seen)
        return self._caught_up

    def close(self) -> None:
        self._daphnes.close()
        self._run.close()


def progress(label: str, figures: dict) -> None:
    import json

    shown = {k: v for k, v in figures.items() if k != "steps"}
    print(f"  {label}: {json.dumps(shown)}", flush=True)


# The scenarios, in the order they run.


@scenario(
    "pages",
    "every page and main API read of a 5,000-person company with a million "
    "messages (bench/pages.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="pages",
)
def pages(bench: Bench) -> None:
    # Its own process and database: Django is set up once per process, and
    # the other scenarios' database is another.
    subprocess.run([sys.executable, "-m", "bench.pages"], cwd=ROOT, check=True)


@scenario(
    "feeds",
    "home and space feeds of a 5,000-person company with 200,000 posts, and a "
    "post's delivery to a 1,000-member space (bench/feeds.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="feeds",
)
def feeds(bench: Bench) -> None:
    # Its own process and database, kept between runs while its recipe holds.
    subprocess.run([sys.executable, "-m", "bench.feeds"], cwd=ROOT, check=True)


@scenario(
    "search",
    "the one search for a heavy and a light user: one-word, two-word and "
    "phrase queries on the demo company (bench/search.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="search",
)
def search(bench: Bench) -> None:
    # Its own process and database, kept between runs while its recipe holds.
    subprocess.run([sys.executable, "-m", "bench.search"], cwd=ROOT, check=True)


@scenario(
    "onboarding",
    "HR's board with 500 starters, the acknowledgements of a must-read to "
    "5,000 people, and 5,000 acknowledgements in a minute with the live count "
    "(bench/onboarding.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="onboarding",
)
def onboarding(bench: Bench) -> None:
    subprocess.run([sys.executable, "-m", "bench.onboarding"], cwd=ROOT, check=True)


@scenario(
    "direct",
    "1:1 messages one at a time, 20 a second: delivery and end-to-end latency",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def direct(bench: Bench) -> None:
    (server,) = bench.servers
    bench.results["one_to_one"] = asyncio.run(
        one_to_one(server.url, bench.setup, bench.args.direct_messages)
    )
    progress("1:1", bench.results["one_to_one"])


@scenario(
    "flood",
    "1:1 latency with the space's crowd connected, quiet and while one "
    "member's socket floods typing and sync",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def flood(bench: Bench) -> None:
    (server,) = bench.servers
    bench.results["flood"] = asyncio.run(
        flooded(server.url, bench.setup, bench.args.direct_messages)
    )
    progress("flood", bench.results["flood"])


@scenario(
    "space",
    "a space of --members at 5 and 20 messages a second",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def space(bench: Bench) -> None:
    (server,) = bench.servers
    bench.results["space"] = asyncio.run(
        crowd(
            [server.url],
            **bench.space,
            rates=[5, 20],
            seconds=bench.args.seconds,
            label="space",
        )
    )
    for step in bench.results["space"]:
        progress("space", step)


@scenario(
    "profile",
    "the space at 20 messages a second, sampled with py-spy: where one "
    "Daphne's time goes",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def profile(bench: Bench) -> None:
    (server,) = bench.servers
    raw = RESULTS_DIR / f"profile-space-20{bench.suffix}.txt"
    figures: dict = {}
    asyncio.run(
        crowd(
            [server.url],
            **bench.space,
            rates=[20],
            seconds=bench.args.seconds,
            label="prof",
            around=lambda: sampled(server.process.pid, raw, into=figures),
        )
    )
    bench.results["profile_space_20"] = figures
    progress("profile", figures)


@scenario(
    "saturation",
    "the space's send rate doubled until p99 passes 250 ms or a message is lost",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def saturation(bench: Bench) -> None:
    (server,) = bench.servers
    bench.results["saturation_one_daphne"] = asyncio.run(
        saturate(
            [server.url], **bench.space, seconds=bench.args.seconds / 2, label="sat"
        )
    )
    progress("saturation, 1 Daphne", bench.results["saturation_one_daphne"])


@scenario(
    "two",
    "saturation with the crowd dealt out to two Daphnes on one Redis",
    needs=(Need.PEOPLE, Need.TWO_DAPHNES),
)
def two(bench: Bench) -> None:
    bench.results["saturation_two_daphnes"] = asyncio.run(
        saturate(
            [server.url for server in bench.servers],
            **bench.space,
            seconds=bench.args.seconds / 2,
            label="two",
        )
    )
    progress("saturation, 2 Daphnes", bench.results["saturation_two_daphnes"])


@scenario(
    "idle",
    "--idle sockets on one Daphne: memory and CPU each, connects a second, "
    "and a reconnect storm (profiled)",
    needs=(Need.PEOPLE, Need.ONE_DAPHNE),
)
def idle(bench: Bench) -> None:
    if not bench.args.idle:
        return
    (server,) = bench.servers
    since, seen = bench.caught_up()
    storm_profile: dict = {}
    bench.results["idle"] = asyncio.run(
        idle_fleet(
            [server],
            bench.setup["idle"],
            since,
            seen,
            around=lambda: sampled(
                server.process.pid,
                RESULTS_DIR / f"profile-storm{bench.suffix}.txt",
                into=storm_profile,
                gil=True,
            ),
        )
    )
    bench.results["idle"]["profile_storm"] = storm_profile
    progress("idle", bench.results["idle"])


@scenario(
    "idle-two",
    "the same idle sockets dealt out to two Daphnes, as a load balancer would",
    needs=(Need.PEOPLE, Need.TWO_DAPHNES),
)
def idle_two(bench: Bench) -> None:
    if not bench.args.idle:
        return
    since, seen = bench.caught_up()
    bench.results["idle_two_daphnes"] = asyncio.run(
        idle_fleet(bench.servers, bench.setup["idle"], since, seen)
    )
    progress("idle, 2 Daphnes", bench.results["idle_two_daphnes"])


@scenario(
    "reference",
    "saturation and the reconnect storm against a bare websockets server: "
    "the ceiling of this box without Daphne and Django",
    needs=(Need.REFERENCE,),
)
def reference(bench: Bench) -> None:
    args = bench.args
    with reference_server() as ref:
        bench.results["reference"] = asyncio.run(
            saturate(
                [ref.url],
                "x=1",
                ["x=1"] * args.members,
                0,
                seconds=args.seconds / 2,
                label="ref",
            )
        )
    progress("reference", bench.results["reference"])
    if args.idle:
        tabs = [f"x={n}" for n in range(args.idle)]
        with reference_server() as ref:
            bench.results["reference_idle"] = asyncio.run(
                # It answers no pings: its idle is silence.
                idle_fleet([ref], tabs, 0, {tab: [] for tab in tabs}, heartbeats=False)
            )
        progress("reference, idle", bench.results["reference_idle"])


@scenario(
    "capacity",
    "simulated employees ramped (Locust, one socket each) on the embedded, "
    "one-Daphne and two-Daphne (HAProxy) set-ups until a step passes a limit "
    "(bench/capacity/, its own process)",
    needs=(Need.POSTGRESQL,),
    results="capacity",
)
def capacity(bench: Bench) -> None:
    args = bench.args
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.capacity",
            "--people",
            str(args.people),
            "--steps",
            *map(str, args.steps),
            "--setups",
            *args.setups,
        ],
        cwd=ROOT,
        check=True,
    )
