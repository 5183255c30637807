"""Full-text search over messages on PostgreSQL and on SQLite.

messaging.selectors.search_messages is the one entry point; this module
holds what differs between the databases, and what both share: reading the
query, and turning a marked-up excerpt into safe HTML.

- PostgreSQL (migration 0002): a stored generated tsvector column with a GIN
  index, matched with websearch_to_tsquery; ts_headline marks the hits.
- SQLite (migration 0003): an FTS5 index kept in step by triggers. The
  query is translated from the same websearch syntax into FTS5 quoted
  phrases, so nothing a person types reaches FTS5's own syntax; snippet()
  marks the hits.

Both databases mark hits with two private-use characters, never with HTML:
mark_snippet() escapes all the text and then turns only those into <mark>.
docs/architecture.md ("Search") explains the choices.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchVectorField,
)
from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from intranet.errors import ServiceError
from messaging.models import Message

# English stemming: "deploy" finds "deployed" and "deploying". The column's
# definition in migration 0002 names the same configuration.
CONFIG = "english"
FTS_TABLE = "messaging_message_fts"
MAX_QUERY_LENGTH = 200
# Hit markers: private-use characters, which no database turns into markup
# and mark_snippet() replaces after escaping everything else.
START, STOP = "\ue000", "\ue001"
LT = "\ue002"
SNIPPET_WORDS = 30
# A body too short for an excerpt is shown whole up to this length.
PLAIN_SNIPPET_CHARS = 240

# Control characters (NUL above all, which PostgreSQL text cannot hold)
# are spaces to a search.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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


class PostgreSQLSearch:
    """websearch_to_tsquery over the generated `search_vector` column."""

    def _query(self, parsed: ParsedQuery) -> SearchQuery:
        # The query as parse_query() understood it, so both databases
        # answer the same question; PostgreSQL's parser still reads each
        # term as typed (a host name, an email, a version number).
        return SearchQuery(parsed.websearch(), config=CONFIG, search_type="websearch")

    def matching(
        self, messages: QuerySet[Message], parsed: ParsedQuery
    ) -> QuerySet[Message]:
        # The column is not in the model (SQLite has none), so it is named
        # here; alias() keeps the vector itself out of the SELECT.
        column = f"{connection.ops.quote_name(Message._meta.db_table)}.search_vector"
        return messages.alias(
            # No user input in this SQL: a quoted table name and a column.
            search_vector=RawSQL(column, [], output_field=SearchVectorField())  # noqa: S611
        ).filter(search_vector=self._query(parsed))

    def excerpts(self, ids: list[int], parsed: ParsedQuery) -> dict[int, str]:
        if not ids:
            return {}
        headlines = (
            Message.objects.filter(pk__in=ids)
            .annotate(
                excerpt=SearchHeadline(
                    # ts_headline drops anything that looks like an HTML
                    # tag; a stand-in for "<" keeps the text as written.
                    Replace("body", Value("<"), Value(LT)),
                    self._query(parsed),
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                )
            )
            .values_list("pk", "excerpt", "body")
        )
        return {
            pk: _add_ellipses(excerpt.replace(LT, "<"), body)
            for pk, excerpt, body in headlines
        }


class SQLiteSearch:
    """FTS5 MATCH over `messaging_message_fts`."""

    def matching(
        self, messages: QuerySet[Message], parsed: ParsedQuery
    ) -> QuerySet[Message]:
        return messages.filter(
            # The query is a parameter; the table name is a constant.
            pk__in=RawSQL(  # noqa: S611
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                (parsed.fts5(),),
            )
        )

    def excerpts(self, ids: list[int], parsed: ParsedQuery) -> dict[int, str]:
        if not ids:
            return {}
        placeholders = ", ".join("%s" for _ in ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 0, %s, %s, %s, %s) "  # noqa: S608
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND rowid IN ({placeholders})",
                [START, STOP, "…", SNIPPET_WORDS, parsed.fts5(), *ids],
            )
            return dict(cursor.fetchall())


def backend() -> PostgreSQLSearch | SQLiteSearch:
    """Return the search for the database in use."""
    if connection.vendor == "postgresql":
        return PostgreSQLSearch()
    if connection.vendor == "sqlite":
        return SQLiteSearch()
    raise NotImplementedError(f"No message search for {connection.vendor}.")


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


def _text(fragment: str) -> str:
    fragment = fragment.replace(START, "").replace(STOP, "")
    fragment = _MARKDOWN_NOISE.sub("", fragment)
    return str(escape(re.sub(r"\s+", " ", fragment)))
