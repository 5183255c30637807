"""The query language of every search: PostgreSQL's websearch syntax, read
once in Python so both databases answer the same question."""

import re
from dataclasses import dataclass

from intranet.errors import ServiceError

MAX_QUERY_LENGTH = 200

# Control characters (NUL above all, which PostgreSQL text cannot hold)
# and lone surrogates (which no database encoding can hold) are spaces to
# a search.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


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
