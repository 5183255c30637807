"""The `make bench` scenarios, registered in the order they run.

Each is a small function registered (bench/registry.py) with a name (what
`--only` takes), a description and what it needs; the run (bench/run.py)
provides what it needs before it starts. The ones that build a company of
their own run as a process of their own: Django is set up once per
process, and their database is another.
"""

import asyncio
import subprocess
import sys

from bench.delivery import crowd, flooded, one_to_one, saturate
from bench.fleet import idle_fleet
from bench.harness import RESULTS_DIR, ROOT, reference_server
from bench.profile import sampled
from bench.registry import REGISTRY, Need, scenario
from bench.run import Bench

__all__ = ["REGISTRY"]


def progress(label: str, figures: dict) -> None:
    import json

    shown = {k: v for k, v in figures.items() if k != "steps"}
    print(f"  {label}: {json.dumps(shown)}", flush=True)


def in_own_process(module: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=True)


# The scenarios, in the order they run.


@scenario(
    "pages",
    "every page and main API read of a 5,000-person company with a million "
    "messages (bench/pages.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="pages",
)
def pages(bench: Bench) -> None:
    in_own_process("bench.pages")


@scenario(
    "feeds",
    "home and space feeds of a 5,000-person company with 200,000 posts, and a "
    "post's delivery to a 1,000-member space (bench/feeds.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="feeds",
)
def feeds(bench: Bench) -> None:
    # Its own process and database, kept between runs while its recipe holds.
    in_own_process("bench.feeds")


@scenario(
    "search",
    "the one search for a heavy and a light user: one-word, two-word and "
    "phrase queries on the demo company (bench/search.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="search",
)
def search(bench: Bench) -> None:
    # Its own process and database, kept between runs while its recipe holds.
    in_own_process("bench.search")


@scenario(
    "onboarding",
    "HR's board with 500 starters, the acknowledgements of a must-read to "
    "5,000 people, and 5,000 acknowledgements in a minute with the live count "
    "(bench/onboarding.py, its own process)",
    needs=(Need.POSTGRESQL,),
    results="onboarding",
)
def onboarding(bench: Bench) -> None:
    in_own_process("bench.onboarding")


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
    in_own_process(
        "bench.capacity",
        "--people",
        str(args.people),
        "--steps",
        *map(str, args.steps),
        "--setups",
        *args.setups,
    )
