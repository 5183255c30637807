"""URLs of one object by its id, without a reverse() each time.

A feed page links every post and comment to several views (react, pin,
delete, comment, its permalink): some three hundred URLs a page, and
reverse() walks the resolver for each. The shape of a route with one id
never changes while the process runs, so it is reversed once, with a
stand-in id, and filled in after.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

# An id no row has, that every `<id:…>` route accepts (19 digits at most).
_STAND_IN = 918273645546372819


@lru_cache(maxsize=128)
def _shape(name: str, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
    return head, tail


def link(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a route taking one id."""
    head, tail = _shape(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"
