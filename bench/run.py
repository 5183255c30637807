"""One `make bench` run: its arguments, its figures, and what its scenarios
need. The runner (bench/__main__.py) gives each scenario what it needs
before it starts: the bench people and their Redis once, then one or two
Daphne processes, kept while the next scenario needs the same and stopped
before it needs something else."""

import contextlib
import os
from argparse import Namespace
from typing import Any

from bench.data import database_url, prepare, server_env, up_to_date
from bench.harness import daphne, machine, redis_server, utc_now
from bench.registry import Need
from intranet.config import tune_gc_for_a_server
from testkit.processes import Server


class Bench:
    """One run: its arguments, its figures, and what its scenarios need."""

    def __init__(self, args: Namespace) -> None:
        self.args = args
        self.suffix = "" if args.layer == "redis" else f"-{args.layer}"
        self.results: dict[str, Any] = {
            "machine": machine(),
            "started_at": utc_now(),
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
