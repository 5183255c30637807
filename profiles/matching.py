"""The one rule for finding people by name: fold, then look for each word.

Folding drops accents and case and spells out letters that have no
accent to drop: "Alícia" is "alicia", "Gieß" is "giess", "Łukasz" is
"lukasz", "Ørsted" is "orsted". Names, email, job title and skills are
stored folded in `User.search_key`, and a query is folded the same way, so
a plain LIKE finds them on SQLite and on PostgreSQL alike (no unaccent
extension, no collation to agree on). The browser folds with the same
rule in frontend/static/frontend/js/fold.js (the pickers' and the
@mention list's filtering); tests/profiles/test_matching.py holds both to
the same examples.
"""

import unicodedata

# Letters NFKD leaves whole: spelled the way people type them without
# the key for it.
_SPELLED = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i
    }
)


def fold(text: str) -> str:
    """Return `text` lower-cased, without accents, with ß as ss."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold()


def query_words(query: str) -> list[str]:
    """Return the folded words of a search, each to be found somewhere."""
    return fold(query).split()
