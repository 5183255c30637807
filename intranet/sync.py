"""Catching up: the stored events of every stream a user follows.

A tab names the last cursor it saw; `events_since` returns what came after
in its streams, whichever app wrote it (docs/realtime.md, "Durability").
"""

import datetime
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intranet import sql
from intranet.models import Event
from intranet.plugins import Budget
from intranet.validation import Cursor, Id

SYNC_LIMIT = 500
# How often one may ask for a catch-up, on the socket (per session) and
# over REST (per person): a reconnecting tab needs a few; a script looping
# `since=0` would read the whole log again and again.
SYNC_BUDGET = Budget(burst=20, per_second=2)
# A batch's events, encoded, stay under these (at least one new event goes
# in each batch, so catching up always moves on): Daphne refuses to send a
# frame over --websocket-max-message-size, and a replayed lookback is only
# a safety net, so it gets a small share.
SYNC_MAX_BYTES = 256 * 1024
SYNC_LOOKBACK_BYTES = 32 * 1024
# Event ids are taken at insert and become visible at commit, so a
# transaction that took a lower id can commit after a client saw a higher
# one. A sync replays this many ids below its cursor to catch those; clients
# apply events idempotently, so a replayed event changes nothing, and they
# say which of these ids they have already applied (`seen`), so an
# up-to-date tab is sent none of them.
SYNC_LOOKBACK = 200


class Sync(BaseModel):
    """The `sync` command (socket) and GET /api/v1/events (REST)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    since: Cursor
    # Cursors at or below `since` the tab has applied: the replayed
    # lookback leaves them out.
    seen: list[Id] = Field(default_factory=list, max_length=SYNC_LOOKBACK)


# What `SyncResult.as_event()` answers (the socket's frame and the REST
# body alike). Each event is whatever its app stored, plus its `cursor`.


class SyncBatchOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["sync.batch"]
    events: list[dict[str, Any]] = Field(
        description="Stored events, oldest first, each with its `cursor`"
    )
    cursor: int = Field(description="Pass as `since` for what comes next")
    more: bool = Field(description="More events wait: ask again from `cursor`")


class ResyncRequiredOut(BaseModel):
    """The log no longer reaches back to `since`: reload, then go on from
    `cursor`."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["resync.required"]
    cursor: int


SyncOut = Annotated[SyncBatchOut | ResyncRequiredOut, Field(discriminator="type")]


@dataclass
class SyncResult:
    events: list[dict]
    cursor: int
    more: bool
    resync_required: bool = False

    def as_event(self) -> dict[str, Any]:
        if self.resync_required:
            return {"type": "resync.required", "cursor": self.cursor}
        return {
            "type": "sync.batch",
            "events": self.events,
            "cursor": self.cursor,
            "more": self.more,
        }


def latest_cursor() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def seen_cursors(streams: Collection[str], cursor: int) -> list[int]:
    """The ids of the events in `streams` in the lookback below `cursor`,
    oldest first: what a page rendered at `cursor` already shows."""
    return list(
        Event.objects.filter(
            stream__in=streams, id__gt=cursor - SYNC_LOOKBACK, id__lte=cursor
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def events_since(
    streams: Collection[str], since: int, *, seen: Iterable[int] = ()
) -> SyncResult:
    """Return the stored events of `streams` after `since`, and the late
    commits of the lookback below it that are not in `seen`.

    `streams` are the ones the user follows now (intranet.plugins): that is
    the access check. Raw SQL, one statement (two when the tab lacks a
    replayed event): every reconnect runs this, and Django compiling the
    same queries cost 0.69 ms of CPU a sync against 0.15 ms for these (a
    reconnect storm is thousands at once). Payloads stay JSON text until
    they are taken.
    """
    events = sql.table(Event)
    names = sorted(streams) or [""]  # no stream: the oldest id alone
    asked = max(since, 0)
    seen = {i for i in seen if i <= asked}
    # A payload is read only where it may be sent: new events, and (when
    # the tab names what it has) the replayed ones it lacks, fetched after.
    # An up-to-date tab reads ids only; `NOT IN` 200 bound ids cost more
    # than the replay they saved. The log's oldest id comes in the same
    # statement, tagged 0: one round trip for an up-to-date tab.
    sent_from = asked if seen else asked - SYNC_LOOKBACK
    tagged = sql.rows(
        f"SELECT 0, MIN(id), NULL FROM {events} UNION ALL"  # noqa: S608
        " SELECT 1, id, text FROM ("
        f"SELECT id, CASE WHEN id > %s THEN payload END AS text FROM {events}"
        f" WHERE stream IN ({sql.placeholders(names)}) AND id > %s"
        " ORDER BY id LIMIT %s) AS page",
        [
            sent_from,
            *names,
            asked - SYNC_LOOKBACK,
            SYNC_LOOKBACK + SYNC_LIMIT + 1,
        ],
    )
    oldest = next(pk for tag, pk, _ in tagged if tag == 0)
    if since and oldest is not None and since < oldest - 1:
        # Pruned: the gap cannot be replayed, so say so instead of guessing.
        return SyncResult(
            events=[], cursor=latest_cursor(), more=False, resync_required=True
        )
    since = asked
    found = sorted((pk, text) for tag, pk, text in tagged if tag == 1)
    lacking = [i for i, text in found if text is None and i not in seen]
    late: dict[int, str] = {}
    if lacking:
        statement = (
            f"SELECT id, payload FROM {events}"  # noqa: S608
            f" WHERE id IN ({sql.placeholders(lacking)})"
        )
        late = dict(sql.rows(statement, lacking))
    texts = [(i, text or late[i]) for i, text in found if text or i in late]
    fresh = [row for row in texts if row[0] > since][: SYNC_LIMIT + 1]
    batch = _fill(fresh[:SYNC_LIMIT], SYNC_MAX_BYTES)
    more = len(batch) < len(fresh)
    replayed = [row for row in reversed(texts) if row[0] <= since]
    # The newest replayed events are the likeliest late commits.
    lookback = _fill(replayed, SYNC_LOOKBACK_BYTES, at_least_one=False)[::-1]
    return SyncResult(
        events=[{**json.loads(text), "cursor": i} for i, text in lookback + batch],
        cursor=batch[-1][0] if batch else since,
        more=more,
    )


def _fill(
    rows: list[tuple[int, str]], budget: int, *, at_least_one: bool = True
) -> list[tuple[int, str]]:
    """The leading (id, JSON text) `rows` whose events fit `budget` bytes.

    The stored text is at least as long as the frame's compact encoding, so
    a batch measured by it never outgrows the budget."""
    taken: list[tuple[int, str]] = []
    for row in rows:
        budget -= len(row[1].encode()) + len(',"cursor":') + len(str(row[0]))
        if budget < 0 and (taken or not at_least_one):
            break
        taken.append(row)
    return taken


def prune_events(*, before: datetime.datetime) -> int:
    """Delete catch-up events older than `before`; return how many.

    A tab whose cursor predates what is left gets resync.required.
    """
    deleted, _ = Event.objects.filter(created_at__lt=before).delete()
    return deleted
