"""What apps plug into the kernel's socket, catch-up log and demo.

The kernel (`intranet/`) knows no feature. Each installed app may keep a
`realtime` module, imported once at start-up the way the admin finds each
app's `admin.py` (IntranetConfig.ready), that declares:

- its inbound socket commands, one schema and one handler each
  (`@command("message.send", MessageSend)`);
- the streams its users follow (`@streams`): a conversation, a space. Every
  socket follows `user.<id>` as well. The same statement decides, at every
  recheck, whether a socket may keep a stream, and which streams a `sync`
  replays: what it selects is the access rule for live events;
- what happens when a socket connects (`@on_connect`), without the database.

An app's `pages` module adds to other apps' pages the same way: a section on
a person's profile (`@profile_section`), so profiles shows a person's spaces
and posts without knowing feeds exists; and what its Jinja2 partials may
call (`@jinja_global`): a person's avatar or presence dot, drawn the same in
every app's partials.
"""

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pydantic
from django.contrib.auth.base_user import AbstractBaseUser

from intranet.sql import rows

Event = dict[str, Any]
# A handler gets the socket's user and the validated command; it returns an
# event to answer the socket with, or None. Plain functions run in the
# database thread; coroutine functions run on the event loop and must not
# touch the database.
Handler = Callable[[Any, Any], Event | Awaitable[Event | None] | None]


@dataclass(frozen=True)
class StreamQuery:
    """A statement selecting `(user id, stream name)` rows for the users in
    the table `asked(id)`, e.g. `SELECT user_id, %s || space_id FROM
    members WHERE user_id IN (SELECT id FROM asked)`, with its bound
    `params`.

    SQL, not a function: every connect, sync and recheck asks for a user's
    streams, and the kernel joins every app's statement into one, a single
    round trip to the database (a reconnect storm is thousands at once).
    """

    sql: str
    params: tuple[Any, ...] = ()


# Called when streams are first asked for (table names need the database).
StreamSource = Callable[[], StreamQuery]


@dataclass(frozen=True)
class Budget:
    """How many of one command a socket may send: a burst, then a rate.

    A browser stays far below it; a script flooding typing to a big space
    or looping sync gets `rate_limited` errors instead of load on everyone.
    """

    burst: int
    per_second: float


DEFAULT_BUDGET = Budget(burst=30, per_second=5)


# A budget, or a function returning one when it depends on settings.
BudgetRule = Budget | Callable[[], Budget]


@dataclass(frozen=True)
class Command:
    name: str
    schema: type[pydantic.BaseModel]
    handler: Handler
    rule: BudgetRule
    in_loop: bool  # a coroutine handler: no trip to the database thread

    @property
    def budget(self) -> Budget:
        return self.rule if isinstance(self.rule, Budget) else self.rule()


_commands: dict[str, Command] = {}
_stream_sources: list[StreamSource] = []
_connect_hooks: list[Callable[[AbstractBaseUser], None]] = []


def command(
    event_type: str,
    schema: type[pydantic.BaseModel],
    *,
    budget: BudgetRule = DEFAULT_BUDGET,
) -> Callable[[Handler], Handler]:
    """Register the handler of inbound socket event `event_type`."""

    def register(handler: Handler) -> Handler:
        if event_type in _commands:
            raise ValueError(f"Two handlers for socket command {event_type!r}.")
        _commands[event_type] = Command(
            name=event_type,
            schema=schema,
            handler=handler,
            rule=budget,
            in_loop=asyncio.iscoroutinefunction(handler),
        )
        return handler

    return register


def streams(source: StreamSource) -> StreamSource:
    """Register a function returning the StreamQuery of the streams users
    follow (besides their own `user.<id>`)."""
    _stream_sources.append(functools.cache(source))
    return source


def on_connect(hook: Callable[[AbstractBaseUser], None]) -> Callable:
    """Register a function to call, on the event loop, when a signed-in
    socket connects."""
    _connect_hooks.append(hook)
    return hook


def commands() -> dict[str, Command]:
    return _commands


def connect_hooks() -> list[Callable[[AbstractBaseUser], None]]:
    return _connect_hooks


def user_stream(user_id: int) -> str:
    """Return the stream every socket of one user follows."""
    return f"user.{user_id}"


# Rechecks ask about every user of a process at once; a bounded IN list
# keeps a process with tens of thousands of sockets within what the
# database takes in one statement.
USERS_PER_QUERY = 1000


def streams_by_user(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """Return the streams each user follows, whatever app they belong to,
    in one statement per USERS_PER_QUERY users."""
    ids = sorted(set(user_ids))
    result = {user_id: {user_stream(user_id)} for user_id in ids}
    queries = [source() for source in _stream_sources]
    if not queries:
        return result
    selects = " UNION ALL ".join(query.sql for query in queries)
    params = [param for query in queries for param in query.params]
    for start in range(0, len(ids), USERS_PER_QUERY):
        chunk = ids[start : start + USERS_PER_QUERY]
        asked = ", ".join(["(%s)"] * len(chunk))
        statement = f"WITH asked(id) AS (VALUES {asked}) {selects}"
        for user_id, stream in rows(statement, [*chunk, *params]):
            result[user_id].add(stream)
    return result


def streams_of(user_id: int) -> set[str]:
    return streams_by_user([user_id])[user_id]


@dataclass(frozen=True)
class DemoPart:
    """One app's share of the demo company, registered by its demo.py.

    `build(size=, seed=, progress=)` makes `total(size)` things for a
    company of about `size` people (calling `progress(n)` as it goes) and
    returns a line for the summary. `loaded()` says whether the demo is
    there already; `welcome` is printed on every run (who to sign in as).
    """

    label: str
    unit: str
    total: Callable[[int], int]
    build: Callable[..., str]
    loaded: Callable[[], bool] | None = None
    welcome: Callable[[], str] | None = None


_demo_parts: list[DemoPart] = []


def demo_part(part: DemoPart) -> DemoPart:
    """Register an app's part of the demo; parts build in INSTALLED_APPS
    order, so an app's part can use what the apps before it made."""
    _demo_parts.append(part)
    return part


def demo_parts() -> list[DemoPart]:
    return _demo_parts


@dataclass(frozen=True)
class Section:
    """A part of a page that another app renders: its template and context,
    and an optional template of buttons for the page's header."""

    template: str
    context: dict[str, Any]
    actions: str | None = None


# Gets (viewer, person); returns the section, or None to show nothing.
ProfileSection = Callable[[Any, Any], Section | None]
_profile_sections: list[ProfileSection] = []


def profile_section(source: ProfileSection) -> ProfileSection:
    """Register a section of every person's profile, in INSTALLED_APPS order."""
    _profile_sections.append(source)
    return source


def profile_sections(viewer: Any, person: Any) -> list[Section]:
    """The sections other apps add to `person`'s profile, as `viewer` sees it."""
    found = (source(viewer, person) for source in _profile_sections)
    return [section for section in found if section is not None]


_jinja_globals: dict[str, Callable[..., Any]] = {}


def jinja_global(function: Callable[..., Any]) -> Callable[..., Any]:
    """Offer `function` to every Jinja2 partial under its own name
    (intranet/jinja.py), as an app's template tag is offered to Django's."""
    assert function.__name__ not in _jinja_globals, function.__name__
    _jinja_globals[function.__name__] = function
    return function


def jinja_globals() -> dict[str, Callable[..., Any]]:
    return dict(_jinja_globals)
