"""How much of a search is read: the capped count, the window that "most
relevant" ranks, and the cursor that pages through it."""

from dataclasses import dataclass

from django.db.models import QuerySet

# A count of hits stops here ("1,000+"): counting every hit of a common
# word in a million rows would cost more than the page.
COUNT_CAP = 1000
# "Most relevant" ranks only the newest RANK_WINDOW matches the reader may
# see, so a common word in a million rows costs one bounded read plus the
# ranking of at most this many rows, never a rank for every match. The same
# number as COUNT_CAP: a count of "1,000+" is exactly where ranking stops.
RANK_WINDOW = COUNT_CAP
# "Most relevant" first, as Slack does once there is a query; "Newest" is
# the order chat search used before. Every search that ranks offers both.
SORT_LABELS = {"relevance": "Most relevant", "newest": "Newest"}


@dataclass(frozen=True)
class RankCursor:
    """Where a page of ranked results continues: an offset into the ranked
    window, and the highest id of each kind's table when the first page
    was read, so that rows arriving meanwhile do not shift the window and
    no result is shown twice or skipped.

    Written `r<offset>.<ceiling>[.<ceiling>…]`; a newest-first cursor is a
    bare id, so the two are never taken for each other.
    """

    offset: int
    ceilings: tuple[int, ...]

    def __str__(self) -> str:
        return "r" + ".".join(str(n) for n in (self.offset, *self.ceilings))

    @classmethod
    def parse(cls, text: str, *, kinds: int) -> "RankCursor":
        """Return the cursor `text` writes, for a search of `kinds` lists;
        raise ValueError for anything this search could not have given."""
        parts = text[1:].split(".") if text.startswith("r") else []
        if len(parts) != kinds + 1 or not all(
            p.isascii() and p.isdigit() and len(p) <= 18 for p in parts
        ):
            raise ValueError("not a ranked cursor")
        offset, *ceilings = (int(p) for p in parts)
        if offset > RANK_WINDOW * kinds:
            raise ValueError("past the ranked window")
        return cls(offset, tuple(ceilings))


def capped_count(rows: QuerySet) -> int:
    """Return how many `rows` there are, at most COUNT_CAP (one query)."""
    return rows.order_by().values("pk")[:COUNT_CAP].count()
