"""URLs of an object by its ids, without a reverse() each time.

A feed page links every post and comment to several views (react, pin,
delete, comment, its permalink): some three hundred URLs a page, and
reverse() walks the resolver for each. The shape of a route with ids
never changes while the process runs, so it is reversed once, with
stand-in ids, and filled in after.
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# An id no row has, that every `<id:…>` and `<slug:…>` route accepts (19
# digits at most).
_STAND_IN = 918273645546372819


@lru_cache(maxsize=128)
def _shape(name: str, prefix: str, ids: int) -> list[str]:
    return reverse(name, args=[_STAND_IN] * ids).split(str(_STAND_IN))


def link(name: str, *pks: int) -> str:
    """reverse(name, args=pks) for a route taking only ids."""
    head, *rest = _shape(name, get_script_prefix(), len(pks))
    return head + "".join(
        f"{int(pk)}{part}" for pk, part in zip(pks, rest, strict=True)
    )


def slug_link(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for a route taking only a slug (a space's
    page: the nav and every card link one)."""
    head, tail = _shape(name, get_script_prefix(), 1)
    return head + quote(slug, safe="") + tail
