"""The registry of `make bench` scenarios: each is a small function
registered with a name (what `--only` takes), a description, what it needs
and where its figures go; bench/scenarios.py registers them in the order
they run."""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.run import Bench


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
