"""What every page with posts on it shares (a space's, a post's, the home
feed): the posts decorated for the partial, a page of them, and the
context the tab's catch-up starts from."""

import uuid
from typing import Any

from django.http import Http404

from feeds import events, selectors
from feeds.models import Post
from intranet import sync
from intranet.validation import parse_id
from profiles.models import User
from profiles.roles import is_hr
from profiles.types import AuthedRequest

# The reactions offered in one tap; any other emoji can be typed.
QUICK_REACTIONS = ["👍", "❤️", "🎉", "😂", "👀", "🙏"]


def decorate(
    posts: list[Post], viewer: User, *, hosts: set[str] | None = None
) -> list[Post]:
    """Give each post what the post partial shows: its reaction chips,
    where the viewer may see it its reach, and cards for the links to
    Canteen's pages the viewer may see (no queries but reach's and the
    cards' own)."""
    reach = selectors.reach_for_page(posts, viewer)
    previews = selectors.link_previews(posts, viewer, hosts=hosts or set())
    # HR sees every announcement's reach and acknowledgements; asked only
    # when the page holds one (the permissions cost two queries).
    hr = any(getattr(p, "from_announcement", False) for p in posts) and is_hr(viewer)
    for post in posts:
        post.sees_acknowledgements = getattr(post, "from_announcement", False) and (  # type: ignore[attr-defined]
            hr or post.author_id == viewer.pk
        )
        post.previews = previews.get(post.pk, [])  # type: ignore[attr-defined]
        post.reaction_list = events.reaction_summary(post.post_reactions)  # type: ignore[attr-defined]
        post.reach = reach.get(post.pk)  # type: ignore[attr-defined]
        for comment in post.latest_comments:  # type: ignore[attr-defined]
            comment.reaction_list = events.reaction_summary(comment.comment_reactions)  # type: ignore[attr-defined]
    return posts


def feed_page(
    load, *, before: int | None, limit: int = selectors.FEED_PAGE
) -> tuple[list[Post], int | None]:
    """Return a page of posts from `load(before=…, limit=…)` and the id to
    ask the next page below, if there are older posts."""
    posts = load(before=before, limit=limit + 1)
    if len(posts) > limit:
        return posts[:limit], posts[limit - 1].pk
    return posts, None


def before_param(request: AuthedRequest) -> int | None:
    """`?before=<post id>`; a malformed one is a 404 (no such page)."""
    raw = request.GET.get("before")
    if raw is None:
        return None
    before = parse_id(raw)
    if before is None:
        raise Http404("No such page.")
    return before


def page_context(request: AuthedRequest) -> dict[str, Any]:
    """What every page with a post on it needs. Call it before loading the
    posts: an event committed in between is then replayed by the tab's
    first catch-up instead of being missed (feed.js)."""
    return {
        "cursor": sync.latest_cursor(),
        "quick_reactions": QUICK_REACTIONS,
        # A fresh one each render: a form sent twice posts once.
        "client_id": uuid.uuid4().hex,
        "here": request.get_full_path(),
    }
