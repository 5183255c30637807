"""A model's text columns, indexed for search on PostgreSQL and SQLite."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import FloatField, QuerySet, Subquery, Value
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Replace

from intranet.search import pages
from intranet.search.marks import LT, START, STOP
from intranet.search.query import ParsedQuery

# English stemming: "deploy" finds "deployed" and "deploying". Every
# generated column's definition names the same configuration.
CONFIG = "english"
SNIPPET_WORDS = 30
# PostgreSQL's weights, one per indexed column in order.
WEIGHTS = "ABCD"


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
        self,
        rows: QuerySet,
        parsed: ParsedQuery,
        *,
        ceiling: int | None = None,
        best: int | None = None,
    ) -> QuerySet:
        """Return the newest RANK_WINDOW of `rows` that match `parsed`
        (with an id at most `ceiling`), annotated with `rank`, higher is
        better, and `window_ceiling`, the ceiling that keeps this window
        for the pages after this one; order them by `-rank` and then `-pk`
        (the newer of equals first). With `best`, return only the best
        `best` of them (the caller's slice must end there): PostgreSQL then
        reads and joins only those rows.

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
        newest = candidates.order_by("-pk")
        # The ceiling a next page's cursor keeps: the table's highest id
        # now, the last entry of its primary key, so rows that arrive later
        # stay out of the window. The window's own top would keep it as
        # well, but finding it is a scan of its own, up to the whole
        # table's when few matches are visible.
        window_ceiling = Subquery(
            self.model._default_manager.order_by("-pk").values("pk")[:1]
        )
        if connection.vendor == "postgresql":
            return self._rank_window_postgresql(newest, parsed, window_ceiling, best)
        # pages.RANK_WINDOW is read here, not imported: a test shrinks it.
        window = newest.values("pk")[: pages.RANK_WINDOW]
        # One full-text query joined to the window: bm25() counts each
        # word's rows once for the statement, where a subquery a row would
        # count them again for every row.
        quoted = connection.ops.quote_name(self.table)
        ranked = self.model._default_manager.filter(pk__in=window)
        ranked = ranked.annotate(window_ceiling=window_ceiling)
        return ranked.extra(  # noqa: S610  constants and a parameter
            select={"rank": f"-bm25({self.fts_table}, {self._bm25_weights()})"},
            tables=[self.fts_table],
            where=[
                f"{self.fts_table} MATCH %s",
                f"{self.fts_table}.rowid = {quoted}.id",
            ],
            params=[parsed.fts5()],
        )

    def _rank_window_postgresql(
        self,
        newest: QuerySet,
        parsed: ParsedQuery,
        window_ceiling: Subquery,
        best: int | None,
    ) -> QuerySet:
        # The window is ranked in its own statement over (id, rank) alone,
        # read by the one backward scan that finds it, and cut to the best
        # few; only those rows are read again, joined to what the caller
        # selects and ranked once more (the same function on the same row,
        # so the same order). Ranking the joined rows read and joined all
        # of the window first. Django cannot select from a subquery, hence
        # the SQL around the window's own.
        rank = SearchRank(
            self._vector(),
            _tsquery(parsed),
            normalization=Value(1),
            cover_density=True,
        )
        window = newest.annotate(rank=rank).values("pk", "rank")[: pages.RANK_WINDOW]
        # Its tables renamed (U0, …), as in any subquery, so nothing in it
        # can be read as the outer statement's row.
        query = window.query.clone()
        query.bump_prefix(self.model._default_manager.all().query)
        sql, params = query.get_compiler(using=newest.db).as_sql()
        limit = "" if best is None else " LIMIT %s"
        ranked = RawSQL(  # noqa: S611  the window's own SQL and parameters
            f"SELECT w.pk FROM ({sql}) AS w (pk, rank) "  # noqa: S608
            f"ORDER BY w.rank DESC, w.pk DESC{limit}",
            (*params, *([] if best is None else [best])),
        )
        return self.model._default_manager.filter(pk__in=ranked).annotate(
            window_ceiling=window_ceiling, rank=rank
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
