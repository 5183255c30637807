"""What a post or comment says: checked for size, rendered, and the
people it @mentions found among those who may read the space."""

from django.db.models import Value
from django.db.models.functions import Concat, Lower

from feeds.models import Space
from feeds.selectors.access import SpaceAccess
from intranet.errors import ServiceError
from intranet.markdown import mentioned_names, render
from profiles.models import User

# @**all** mentions everyone in the space, if the author may.
EVERYONE = "all"


def _clean(body: str, *, limit: int, what: str) -> str:
    body = body.strip()
    if not body:
        raise ServiceError("empty", f"A {what} cannot be empty.")
    if len(body) > limit:
        raise ServiceError(
            "too_long",
            f"A {what} can be at most {limit:,} characters "
            f"(this one has {len(body):,}).",
        )
    return body


def _render(body: str, access: SpaceAccess) -> tuple[str, set[int], bool]:
    """Render `body`; return its HTML, the people it @mentions (who may
    read the space) and whether it mentions the whole space."""
    names = mentioned_names(body)
    people: dict[str, tuple[int, str]] = {}
    if names:
        candidates = User.objects.filter(is_active=True)
        if access.space.visibility != Space.Visibility.OPEN:
            candidates = candidates.filter(space_memberships__space=access.space)
        found = candidates.annotate(
            full=Lower(Concat("first_name", Value(" "), "last_name"))
        ).filter(full__in=names)
        people = {p.display_name.lower(): (p.pk, p.display_name) for p in found}
        if EVERYONE in names and access.can_mention_all:
            people[EVERYONE] = (0, EVERYONE)
    html, mentioned = render(body, people=people)
    return html, {pk for pk in mentioned if pk}, 0 in mentioned
