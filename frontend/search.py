"""One search across people, spaces, posts and comments, and messages.

The page (/search/) and GET /api/v1/search share search_everything(). Each
kind is searched by its own app's selector, which decides access in its own
SQL: people by profiles.selectors.people_matching (the one name rule),
spaces, posts and comments by feeds.search, messages by
messaging.selectors.search_messages. This module only reads the query once,
routes the filters to the kinds they apply to and shapes every hit alike.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from feeds import search as feeds_search
from intranet.errors import ServiceError
from intranet.search.marks import mark_words
from intranet.search.pages import SORT_LABELS, RankCursor, capped_count
from intranet.search.query import ParsedQuery, parse_query
from intranet.validation import parse_id
from messaging.selectors import parse_search_cursor, search_messages
from profiles.models import User
from profiles.selectors import people_matching

KINDS = ("people", "spaces", "posts", "messages")
# People come by name and spaces best first whichever sort is chosen.
KIND_LABELS = {
    "people": "People",
    "spaces": "Spaces",
    "posts": "Posts & comments",
    "messages": "Messages",
}
# Hits per kind when all kinds are shown; one kind alone pages by LIMIT.
PREVIEW = 5
LIMIT = 20
LIMIT_MAX = 50


@dataclass
class Filters:
    kind: str | None = None  # one of KINDS; None: all
    space: int | None = None
    conversation: int | None = None
    author: int | None = None
    after: datetime.date | None = None
    before: datetime.date | None = None
    cursor: str | None = None
    limit: int | None = None
    sort: str = "relevance"  # one of SORT_LABELS

    def kinds(self) -> list[str]:
        """Return the kinds these filters leave: a space narrows to posts,
        a conversation to messages, an author or a date to what has one."""
        kinds = [self.kind] if self.kind else list(KINDS)
        if self.space is not None:
            kinds = [k for k in kinds if k == "posts"]
        if self.conversation is not None:
            kinds = [k for k in kinds if k == "messages"]
        if self.author is not None or self.after or self.before:
            kinds = [k for k in kinds if k in ("posts", "messages")]
        return kinds


@dataclass
class Hit:
    """One result, whatever its kind, as the page and the API show it."""

    kind: str  # person, space, post, comment, message
    id: int
    title: str  # safe HTML: escaped, the matched words in <mark>
    snippet: str  # safe HTML: escaped, the matched words in <mark>
    url: str
    author: User | None = None
    created_at: datetime.datetime | None = None
    place: str = ""  # where it is: "in Design", "Direct message with Ana"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": str(self.title),
            "snippet": str(self.snippet),
            "url": self.url,
            "author": (
                {"id": self.author.pk, "name": self.author.display_name}
                if self.author
                else None
            ),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "place": self.place or None,
        }


@dataclass
class Group:
    kind: str
    count: int  # at most intranet.search.pages.COUNT_CAP
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "results": [hit.as_dict() for hit in self.hits],
            "next_cursor": self.next_cursor,
        }


def search_everything(user: User, query: str, filters: Filters) -> list[Group]:
    """Return the groups of hits for `user`, one per kind the filters
    leave, in KINDS order, each with its count (only what `user` may see).

    Raise ServiceError (400) for an unusable query, a cursor without one
    kind or a broken cursor, and Http404 for a space or conversation they
    may not read. A constant number of queries whatever the hits.
    """
    parsed = parse_query(query)
    if filters.space is not None and filters.conversation is not None:
        raise ServiceError(
            "filters", "Search in a space or in a conversation, not both."
        )
    if filters.sort not in SORT_LABELS:
        raise ServiceError("sort", "Sort by relevance or newest.")
    if filters.cursor and not filters.kind:
        raise ServiceError("cursor", "A cursor pages one kind: pass `kind` too.")
    one_kind = filters.kind is not None
    limit = max(1, min(filters.limit or (LIMIT if one_kind else PREVIEW), LIMIT_MAX))
    searches = {
        "people": _people,
        "spaces": _spaces,
        "posts": _posts,
        "messages": _messages,
    }
    try:
        return [
            searches[kind](user, query, parsed, filters, limit)
            for kind in filters.kinds()
        ]
    except ValueError as exc:
        raise ServiceError(
            "cursor", "That cursor is not one this search gave."
        ) from exc


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    offset = parse_id(cursor)
    # An offset pages people and spaces, never more than a company has.
    if offset is None or offset > 1_000_000:
        raise ValueError("not an offset")
    return offset


def _message_cursor(
    cursor: str | None, sort: str = "newest"
) -> int | RankCursor | None:
    return parse_search_cursor(cursor, sort) if cursor else None


def _people(
    user: User, query: str, parsed: ParsedQuery, filters: Filters, limit: int
) -> Group:
    # people_matching's rule takes words; the operators of the full-text
    # query mean nothing to a name, so its words are what it gets.
    matching = people_matching(" ".join(parsed.words))
    offset = _offset(filters.cursor)
    page = list(matching[offset : offset + limit + 1])
    hits = [
        Hit(
            kind="person",
            id=person.pk,
            title=mark_words(person.display_name, parsed),
            snippet=mark_words(
                " · ".join(
                    part
                    for part in (
                        person.title,
                        person.department.name if person.department else "",
                        person.email,
                    )
                    if part
                ),
                parsed,
            ),
            url=reverse("profiles:person", args=[person.pk]),
        )
        for person in page[:limit]
    ]
    return Group(
        "people",
        capped_count(matching),
        hits,
        str(offset + limit) if len(page) > limit else None,
    )


def _spaces(
    user: User, query: str, parsed: ParsedQuery, filters: Filters, limit: int
) -> Group:
    results = feeds_search.search_spaces(
        user, parsed, offset=_offset(filters.cursor), limit=limit
    )
    hits = [
        Hit(
            kind="space",
            id=hit.space.pk,
            title=hit.name,
            snippet=hit.snippet,
            url=hit.space.get_absolute_url(),
            place=hit.space.get_visibility_display(),
        )
        for hit in results.hits
    ]
    return Group("spaces", results.count, hits, results.next_cursor)


def _posts(
    user: User, query: str, parsed: ParsedQuery, filters: Filters, limit: int
) -> Group:
    results = feeds_search.search_feeds(
        user,
        parsed,
        space_id=filters.space,
        author_id=filters.author,
        after=filters.after,
        before=filters.before,
        cursor=filters.cursor,
        limit=limit,
        sort=filters.sort,
    )
    hits = [
        Hit(
            kind=hit.kind,
            id=hit.item.pk,
            title=mark_words(hit.item.author.display_name, _NO_WORDS),
            snippet=hit.snippet,
            url=hit.url,
            author=hit.item.author,
            created_at=hit.item.created_at,
            place=f"in {hit.post.space.name}",
        )
        for hit in results.hits
    ]
    return Group("posts", results.count, hits, results.next_cursor)


def _messages(
    user: User, query: str, parsed: ParsedQuery, filters: Filters, limit: int
) -> Group:
    results = search_messages(
        user,
        query,
        conversation_id=filters.conversation,
        sender_id=filters.author,
        after=filters.after,
        before=filters.before,
        cursor=_message_cursor(filters.cursor, filters.sort),
        limit=limit,
        count=True,
        sort=filters.sort,
    )
    hits = [
        Hit(
            kind="message",
            id=hit.message.pk,
            title=mark_words(hit.message.sender.display_name, _NO_WORDS),
            snippet=hit.snippet,
            url=reverse(
                "messaging:permalink",
                args=[hit.message.conversation_id, hit.message.pk],
            ),
            author=hit.message.sender,
            created_at=hit.message.created_at,
            place=(
                f"Direct message with {hit.conversation_title}"
                if hit.message.conversation.kind == "direct"
                else f"in {hit.conversation_title}"
            ),
        )
        for hit in results.hits
    ]
    return Group(
        "messages",
        results.count or 0,
        hits,
        str(results.next_cursor) if results.next_cursor else None,
    )


CURSORS = {
    "people": _offset,
    "spaces": _offset,
    "posts": feeds_search.parse_feed_cursor,
    "messages": _message_cursor,
}

# Authors' names are shown, not searched: nothing in them is marked.
_NO_WORDS = ParsedQuery(())
