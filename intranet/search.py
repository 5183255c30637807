"""Full-text search on PostgreSQL and on SQLite, for any app's text columns.

An app declares what it indexes with a FullTextIndex (a model and its text
columns, most important first) and adds the database's machinery in its own
migrations; this module holds what differs between the databases and what
every search shares: reading the query, and turning a marked-up excerpt
into safe HTML. It knows no app: the models come from the apps.

- PostgreSQL: a stored generated column `search_vector` (one weight per
  column, A first) with a GIN index, matched with websearch_to_tsquery;
  ts_headline marks the hits, ts_rank ranks.
- SQLite: an external-content FTS5 table `<table>_fts` with the same
  columns, kept in step by triggers. The query is translated from the same
  websearch syntax into FTS5 quoted phrases, so nothing a person types
  reaches FTS5's own syntax; snippet() marks the hits, bm25() ranks.

Both databases mark hits with two private-use characters, never with HTML:
mark_snippet() escapes all the text and then turns only those into <mark>.
docs/architecture.md ("Search") explains the choices.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import FloatField, Max, QuerySet, Subquery, Value, Window
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from intranet.errors import ServiceError

# English stemming: "deploy" finds "deployed" and "deploying". Every
# generated column's definition names the same configuration.
CONFIG = "english"
MAX_QUERY_LENGTH = 200
# Hit markers: private-use characters, which no database turns into markup
# and mark_snippet() replaces after escaping everything else.
START, STOP = "\ue000", "\ue001"
LT = "\ue002"
SNIPPET_WORDS = 30
# A text too short for an excerpt is shown whole up to this length.
PLAIN_SNIPPET_CHARS = 240
# A count of hits stops here ("1,000+"): counting every hit of a common
# word in a million rows would cost more than the page.
COUNT_CAP = 1000
# PostgreSQL's weights, one per indexed column in order.
WEIGHTS = "ABCD"
# "Most relevant" ranks only the newest RANK_WINDOW matches the reader may
# see, so a common word in a million rows costs one bounded read plus the
# ranking of at most this many rows, never a rank for every match. The same
# number as COUNT_CAP: a count of "1,000+" is exactly where ranking stops.
RANK_WINDOW = COUNT_CAP
SORTS = ("relevance", "newest")

# Control characters (NUL above all, which PostgreSQL text cannot hold)
# and lone surrogates (which no database encoding can hold) are spaces to
# a search.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_HIT = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
# Markdown that reads as noise in a one-line excerpt; the words stay.
_MARKDOWN_NOISE = re.compile(r"\*\*|~~|`")


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of the query."""

    text: str  # as typed, without its quotes or minus
    words: tuple[str, ...]  # its letters-and-digits runs
    quoted: bool = False

    def websearch(self) -> str:
        return f'"{self.text}"' if self.quoted else self.text

    def fts5(self) -> str:
        # Words hold no quote, so the phrase cannot end early.
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Alternative:
    """Terms that must all match, and terms that must not."""

    wanted: tuple[Term, ...]
    excluded: tuple[Term, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A query in websearch syntax: any of its alternatives may match."""

    alternatives: tuple[Alternative, ...]

    def websearch(self) -> str:
        """Return the query rebuilt for websearch_to_tsquery."""
        return " or ".join(
            " ".join(
                [t.websearch() for t in alt.wanted]
                + ["-" + t.websearch() for t in alt.excluded]
            )
            for alt in self.alternatives
        )

    def fts5(self) -> str:
        """Return the query as FTS5 quoted phrases and parenthesised
        operators (FTS5 binds NOT tighter than AND, AND than OR), so FTS5
        never sees an operator, column filter or prefix a person typed."""
        parts = []
        for alt in self.alternatives:
            expression = "(" + " AND ".join(t.fts5() for t in alt.wanted) + ")"
            for term in alt.excluded:
                expression = f"({expression} NOT {term.fts5()})"
            parts.append(expression)
        return "(" + " OR ".join(parts) + ")"

    @property
    def words(self) -> list[str]:
        """Return the words looked for, for marking text no database
        excerpted (a person's name)."""
        return [w for alt in self.alternatives for t in alt.wanted for w in t.words]


def parse_query(query: str) -> ParsedQuery:
    """Read `query` as PostgreSQL's websearch_to_tsquery does.

    Words must all match, "a phrase" must match in order, -word must not
    match, and `or` separates alternatives: `a b or c` is (a and b) or c.
    Unknown punctuation is ignored, so no input is a syntax error. An
    alternative with no word to look for is dropped (FTS5 cannot search
    for "not x" alone). Raise ServiceError (400) for an empty or overlong
    query, or one with nothing left to look for.
    """
    text = " ".join(_CONTROL.sub(" ", query).split())
    if not text:
        raise ServiceError("empty", "Type a word or two to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise ServiceError(
            "too_long",
            f"A search can be at most {MAX_QUERY_LENGTH} characters "
            f"(this one has {len(text):,}).",
        )
    alternatives: list[Alternative] = []
    wanted: list[Term] = []
    excluded: list[Term] = []

    def close() -> None:
        if wanted:
            alternatives.append(Alternative(tuple(wanted), tuple(excluded)))
        wanted.clear()
        excluded.clear()

    for match in _TOKEN.finditer(text):
        quoted_minus, quoted, minus, bare = match.groups()
        if bare is not None and bare.lower() == "or" and not minus:
            close()
            continue
        typed = quoted if quoted is not None else bare
        words = tuple(_WORD.findall(typed))
        if not words:
            continue
        term = Term(typed, words, quoted=quoted is not None)
        (excluded if quoted_minus or minus else wanted).append(term)
    close()
    if not alternatives:
        raise ServiceError(
            "no_words",
            "Search for at least one word; a search of only -exclusions "
            "or punctuation finds nothing.",
        )
    return ParsedQuery(tuple(alternatives))


@dataclass(frozen=True)
class FullTextIndex:
    """A model's text columns, indexed for search on both databases.

    The app's migrations build the index: on PostgreSQL a generated
    `search_vector` column (weights A, B, … in `columns` order) with a GIN
    index; on SQLite an FTS5 table named `fts_table`, with `columns` in
    order, kept in step by triggers.
    """

    model: type[models.Model]
    columns: tuple[str, ...] = ("body",)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    def matching(self, rows: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """Return `rows` narrowed to those that match `parsed`."""
        if connection.vendor == "postgresql":
            return rows.alias(search_vector=self._vector()).filter(
                search_vector=_tsquery(parsed)
            )
        return rows.filter(
            # The query is a parameter; the table name is a constant.
            pk__in=RawSQL(  # noqa: S611
                f"SELECT rowid FROM {self.fts_table} "  # noqa: S608
                f"WHERE {self.fts_table} MATCH %s",
                (parsed.fts5(),),
            )
        )

    def ranked(self, rows: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """Return the matching `rows` annotated with `rank`, higher is
        better: a hit in the first column counts most."""
        rows = self.matching(rows, parsed)
        if connection.vendor == "postgresql":
            return rows.annotate(rank=SearchRank(self._vector(), _tsquery(parsed)))
        return self._bm25(rows, parsed)

    def rank_window(
        self, rows: QuerySet, parsed: ParsedQuery, *, ceiling: int | None = None
    ) -> QuerySet:
        """Return the newest RANK_WINDOW of `rows` that match `parsed`
        (with an id at most `ceiling`), annotated with `rank`, higher is
        better, and `window_top`, the window's highest id; order them by
        `-rank` and then `-pk` (the newer of equals first).

        `rows` must already hold only what the reader may see: the window
        is taken from them, so nothing hidden is ranked or crowds out what
        is visible. PostgreSQL ranks with ts_rank_cd (cover density: hits
        close together count more) over the weighted vector, divided by
        1 + log(length) so a long text is not found by its size alone;
        SQLite with FTS5's bm25().
        """
        candidates = self.matching(rows, parsed)
        if ceiling is not None:
            candidates = candidates.filter(pk__lte=ceiling)
        window = candidates.order_by("-pk").values("pk")[:RANK_WINDOW]
        ranked = self.model._default_manager.filter(pk__in=window)
        # window_top is the ceiling a next page's cursor keeps. PostgreSQL:
        # a window function over the rows the page is cut from, so the
        # window is read once. SQLite runs a window function as a subquery,
        # where bm25() cannot answer, so it reads the window's top once more
        # (an uncorrelated subquery, run once).
        if connection.vendor == "postgresql":
            return ranked.annotate(
                window_top=Window(Max("pk")),
                rank=SearchRank(
                    self._vector(),
                    _tsquery(parsed),
                    normalization=Value(1),
                    cover_density=True,
                ),
            )
        # One full-text query joined to the window: bm25() counts each
        # word's rows once for the statement, where a subquery a row would
        # count them again for every row.
        quoted = connection.ops.quote_name(self.table)
        ranked = ranked.annotate(window_top=Subquery(window[:1]))
        return ranked.extra(  # noqa: S610  constants and a parameter
            select={"rank": f"-bm25({self.fts_table}, {self._bm25_weights()})"},
            tables=[self.fts_table],
            where=[
                f"{self.fts_table} MATCH %s",
                f"{self.fts_table}.rowid = {quoted}.id",
            ],
            params=[parsed.fts5()],
        )

    def _bm25_weights(self) -> str:
        # The first column counts most, as weights A, B, … on PostgreSQL.
        return ", ".join(str(10.0 / (i + 1)) for i in range(len(self.columns)))

    def _bm25(self, rows: QuerySet, parsed: ParsedQuery) -> QuerySet:
        # bm25() is smaller for better matches, and only answers inside a
        # full-text query: one per row, fine for the few rows ranked.
        weights = self._bm25_weights()
        quoted = connection.ops.quote_name(self.table)
        return rows.annotate(
            rank=RawSQL(  # noqa: S611
                f"SELECT -bm25({self.fts_table}, {weights}) FROM {self.fts_table} "  # noqa: S608
                f"WHERE {self.fts_table} MATCH %s AND rowid = {quoted}.id",
                (parsed.fts5(),),
                output_field=FloatField(),
            )
        )

    def excerpts(
        self, ids: list[int], parsed: ParsedQuery
    ) -> dict[int, tuple[str, ...]]:
        """Return each row's columns cut around their hits, hits between
        START and STOP, in one query; the excerpt of a column without a
        hit is its start."""
        if not ids:
            return {}
        if connection.vendor == "postgresql":
            return self._headlines(ids, parsed)
        marks = ", ".join("%s" for _ in ids)
        snippets = ", ".join(
            f"snippet({self.fts_table}, {i}, %s, %s, %s, %s)"
            for i in range(len(self.columns))
        )
        params: list[str | int] = [START, STOP, "…", SNIPPET_WORDS] * len(self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {snippets} FROM {self.fts_table} "  # noqa: S608
                f"WHERE {self.fts_table} MATCH %s AND rowid IN ({marks})",
                [*params, parsed.fts5(), *ids],
            )
            return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}

    def _vector(self) -> "_VectorColumn":
        return _VectorColumn(self.table)

    def _headlines(
        self, ids: list[int], parsed: ParsedQuery
    ) -> dict[int, tuple[str, ...]]:
        query = _tsquery(parsed)
        annotations = {
            f"excerpt_{i}": SearchHeadline(
                # ts_headline drops anything that looks like an HTML tag; a
                # stand-in for "<" keeps the text as written.
                Replace(column, Value("<"), Value(LT)),
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
            )
            for i, column in enumerate(self.columns)
        }
        fields = [*annotations, *self.columns]
        result = {}
        for pk, *values in (
            self.model._default_manager.filter(pk__in=ids)
            .annotate(**annotations)
            .values_list("pk", *fields)
        ):
            count = len(self.columns)
            result[pk] = tuple(
                _add_ellipses((excerpt or "").replace(LT, "<"), text or "")
                for excerpt, text in zip(values[:count], values[count:], strict=True)
            )
        return result


@dataclass(frozen=True)
class RankCursor:
    """Where a page of ranked results continues: an offset into the ranked
    window, and the highest id of each kind's window when the first page
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


class _VectorColumn(Expression):
    """The table's `search_vector` column, which is not in the model
    (SQLite has none), so it is named here.

    Unlike a RawSQL naming the table, it follows the table when Django
    renames it in a subquery (rank_window's window): a RawSQL would point
    at the outer query's row and turn the window into a correlated
    subquery run once a row.
    """

    output_field = SearchVectorField()

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias

    def relabeled_clone(self, change_map: Mapping[str, str]) -> "_VectorColumn":
        return _VectorColumn(change_map.get(self.alias, self.alias))

    # A list, not the tuple the stubs name: the search lookups add their
    # own list of parameters to it.
    def as_sql(self, compiler, connection) -> tuple[str, list]:  # type: ignore[override]
        # No user input: a table alias and a column name.
        return f"{compiler.quote_name_unless_alias(self.alias)}.search_vector", []


def capped_count(rows: QuerySet) -> int:
    """Return how many `rows` there are, at most COUNT_CAP (one query)."""
    return rows.order_by().values("pk")[:COUNT_CAP].count()


def _tsquery(parsed: ParsedQuery) -> SearchQuery:
    # The query as parse_query() understood it, so both databases answer
    # the same question; PostgreSQL's parser still reads each term as
    # typed (a host name, an email, a version number).
    return SearchQuery(parsed.websearch(), config=CONFIG, search_type="websearch")


def _add_ellipses(excerpt: str, body: str) -> str:
    """Mark where ts_headline cut `body` (snippet() does this itself)."""
    plain = excerpt.replace(START, "").replace(STOP, "").strip()
    at = body.find(plain)
    if not plain or at < 0:
        return excerpt
    before = "… " if body[:at].strip() else ""
    after = " …" if body[at + len(plain) :].strip() else ""
    return f"{before}{excerpt}{after}"


def mark_snippet(excerpt: str, body: str) -> SafeString:
    """Return `excerpt` as HTML: all text escaped, hits in <mark>.

    `excerpt` is the database's copy of `body` with hits between START and
    STOP. A body that itself contains those characters could fake a hit, so
    it gets a plain, unmarked excerpt instead.
    """
    if not excerpt or any(c in body for c in (START, STOP, LT)):
        plain = " ".join(_MARKDOWN_NOISE.sub("", body).split())
        if len(plain) > PLAIN_SNIPPET_CHARS:
            plain = plain[:PLAIN_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
        return escape(plain.replace(START, "").replace(STOP, "").replace(LT, ""))
    parts = []
    position = 0
    for hit in _HIT.finditer(excerpt):
        parts.append(_text(excerpt[position : hit.start()]))
        parts.append(f"<mark>{_text(hit.group(1))}</mark>")
        position = hit.end()
    parts.append(_text(excerpt[position:]))
    return mark_safe("".join(parts).strip())  # noqa: S308  every part escaped


def mark_words(text: str, parsed: ParsedQuery) -> SafeString:
    """Return `text` escaped, with every word of the query in it in <mark>,
    as people_matching() matches (a name, which no database excerpted:
    "ali" marks "Ali" in "Alice")."""
    words = sorted({w.lower() for w in parsed.words}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile(
        "(" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE
    )
    parts = []
    position = 0
    for hit in pattern.finditer(text):
        parts.append(str(escape(text[position : hit.start()])))
        parts.append(f"<mark>{escape(hit.group(1))}</mark>")
        position = hit.end()
    parts.append(str(escape(text[position:])))
    return mark_safe("".join(parts))  # noqa: S308  every part escaped


def _text(fragment: str) -> str:
    fragment = fragment.replace(START, "").replace(STOP, "")
    fragment = _MARKDOWN_NOISE.sub("", fragment)
    return str(escape(re.sub(r"\s+", " ", fragment)))
