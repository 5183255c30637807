"""Hits turned into safe HTML: excerpts the databases marked, and names
no database excerpted."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from intranet.search.query import ParsedQuery

# Hit markers: private-use characters, which no database turns into markup
# and mark_snippet() replaces after escaping everything else.
START, STOP = "\ue000", "\ue001"
LT = "\ue002"
# A text too short for an excerpt is shown whole up to this length.
PLAIN_SNIPPET_CHARS = 240
_HIT = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
# Markdown that reads as noise in a one-line excerpt; the words stay.
_MARKDOWN_NOISE = re.compile(r"\*\*|~~|`")


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
