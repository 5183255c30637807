"""GET /api/v1/search: one search across people, spaces, posts and comments,
and messages (frontend.search decides; this parses and answers)."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from frontend import search
from intranet.api import ERRORS, require_scope
from intranet.validation import Id
from messaging.events import Out, Timestamp
from profiles.types import AuthedRequest

router = Router(tags=["search"])


class SearchParams(Schema):
    # Any text: the query's own reader turns NUL and other control
    # characters into spaces, so no query is a schema error.
    q: str = ""
    kind: Literal["people", "spaces", "posts", "messages"] | None = None
    space: Id | None = None
    conversation: Id | None = None
    author: Id | None = None
    after: datetime.date | None = None
    before: datetime.date | None = None
    cursor: str | None = Field(default=None, max_length=64)
    limit: int | None = Field(default=None, ge=1, le=search.LIMIT_MAX)
    sort: Literal["relevance", "newest"] = Field(
        default="relevance",
        description="Posts, comments and messages: most relevant first (of "
        "the newest 1,000 matches) or newest first",
    )


class SearchAuthorOut(Out):
    id: int
    name: str


class SearchHitOut(Out):
    """`frontend.search.Hit.as_dict()`."""

    kind: Literal["person", "space", "post", "comment", "message"]
    id: int
    title: str = Field(description="Safe HTML: the name or author, words in <mark>")
    snippet: str = Field(description="Safe HTML: the text escaped, hits in <mark>")
    url: str = Field(description="The page that shows it in context")
    author: SearchAuthorOut | None
    created_at: Timestamp | None
    place: str | None = Field(
        description='Where it is ("in Design", "Direct message with Ana"); '
        "a space's visibility"
    )


class SearchGroupOut(Out):
    kind: Literal["people", "spaces", "posts", "messages"]
    count: int = Field(
        description="How many match that you may see, counted up to 1000"
    )
    results: list[SearchHitOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor`, with this `kind`, for the next page"
    )


class SearchOut(Out):
    groups: list[SearchGroupOut]


@router.get("/search", response={200: SearchOut, **ERRORS})
def search_everything(request: AuthedRequest, query: Query[SearchParams]):
    """Search people, spaces, posts and comments, and messages at once.

    `q` takes words (all must match), "a phrase", -word to exclude and `or`
    between alternatives. Results come grouped by kind (five of each, or
    `limit` of one `kind`), each group with its count of what you may see.
    `space` narrows to posts and comments, `conversation` to messages,
    `author`, `after` (on or after) and `before` (strictly before, days in
    your time zone) to posts, comments and messages. `sort` orders posts,
    comments and messages: `relevance` (the default) ranks the newest
    1,000 matches you may see, `newest` is newest first. Pass a group's
    `next_cursor` as `cursor` with its `kind` and `sort` for more; a cursor
    of the other sort answers 400. A space or conversation you may not
    read answers 404.
    """
    require_scope(request, "read")
    groups = search.search_everything(
        request.user,
        query.q,
        search.Filters(
            kind=query.kind,
            space=query.space,
            conversation=query.conversation,
            author=query.author,
            after=query.after,
            before=query.before,
            cursor=query.cursor,
            limit=query.limit,
            sort=query.sort,
        ),
    )
    return {"groups": [group.as_dict() for group in groups]}
