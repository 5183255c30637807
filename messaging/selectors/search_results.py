"""Full-text search of the conversations a person may see."""

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from intranet.errors import ServiceError
from intranet.search.pages import RankCursor, capped_count
from intranet.validation import parse_id
from messaging import events, search
from messaging.models import Membership, Message
from messaging.selectors.access import get_conversation_for_user
from messaging.selectors.sidebar import members_of, named_after
from profiles.models import User

SEARCH_PAGE = 20
SEARCH_PAGE_MAX = 50
NOT_OUR_CURSOR = "That cursor is not one this search gave."


class SearchResultOut(events.Out):
    """`SearchHit.as_dict()`."""

    message: events.MessageOut
    snippet: str = Field(description="Safe HTML: the text escaped, the hits in <mark>")
    conversation_title: str


class SearchPage(events.Out):
    results: list[SearchResultOut]
    # An id newest first, as before sorting was offered; a string most
    # relevant first.
    next_cursor: int | str | None = Field(
        description="Pass as `cursor`, with the same `sort`, for the next "
        "page; null on the last"
    )


@dataclass
class SearchHit:
    message: Message
    snippet: str  # safe HTML: escaped text, the hits in <mark>
    conversation_title: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": events.message_data(self.message),
            "snippet": self.snippet,
            "conversation_title": self.conversation_title,
        }


@dataclass
class SearchResults:
    hits: list[SearchHit]
    # Pass as `cursor` for the next page (newest first: an id; most
    # relevant: a RankCursor); None on the last page.
    next_cursor: int | RankCursor | None
    # How many match, at most intranet.search.pages.COUNT_CAP; None unless asked for.
    count: int | None = None


def parse_search_cursor(text: str, sort: str) -> int | RankCursor:
    """Return the cursor `text` writes for a search in `sort` order: a
    message id newest first, a RankCursor most relevant first. Raise
    ServiceError (400) for one such a search could not have given."""
    if sort == "relevance":
        try:
            return RankCursor.parse(text, kinds=1)
        except ValueError as exc:
            raise ServiceError("cursor", NOT_OUR_CURSOR) from exc
    message_id = parse_id(text)
    if message_id is None:
        raise ServiceError("cursor", NOT_OUR_CURSOR)
    return message_id


def _start_of_day(day: datetime.date, user: User) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(user.time_zone)
    )


def search_messages(
    user: User,
    query: str,
    *,
    conversation_id: int | None = None,
    sender_id: int | None = None,
    after: datetime.date | None = None,
    before: datetime.date | None = None,
    cursor: int | RankCursor | None = None,
    limit: int = SEARCH_PAGE,
    count: bool = False,
    sort: str = "newest",
    details: bool = True,
) -> SearchResults:
    """Return one page of `user`'s messages that match `query`, newest
    first, or with `sort="relevance"` most relevant first.

    Only messages of conversations `user` is a member of, and not deleted,
    are searched: the membership filter is part of the search query itself.
    `query` is websearch syntax (words, "a phrase", -word, or). `after` and
    `before` are days in `user`'s time zone (on or after, strictly before);
    `cursor` is the previous page's `next_cursor`. Raise ServiceError (400)
    for an unusable query or a cursor of the other order, and Http404 for a
    conversation that is not theirs. Relevance ranks only the newest
    RANK_WINDOW matches (intranet.search.index.FullTextIndex.rank_window).
    With `count`, also count the matches (up to COUNT_CAP) in the same
    conversations, under the same filters but the cursor. Without
    `details`, the messages come without their reactions, mentions and
    files (events.message_data needs them; a page of results shows none).
    Six queries, whatever the number of hits (seven with `count`; three
    fewer without `details`; one fewer when no hit is in an untitled
    conversation).
    """
    parsed = search.parse_query(query)
    limit = max(1, min(limit, SEARCH_PAGE_MAX))
    messages = Message.objects.filter(
        conversation__in=Membership.objects.filter(user=user).values("conversation_id"),
        deleted_at__isnull=True,
    )
    if conversation_id is not None:
        get_conversation_for_user(user, conversation_id)  # Http404
        messages = messages.filter(conversation_id=conversation_id)
    if sender_id is not None:
        messages = messages.filter(sender_id=sender_id)
    if after is not None:
        messages = messages.filter(created_at__gte=_start_of_day(after, user))
    if before is not None:
        messages = messages.filter(created_at__lt=_start_of_day(before, user))
    visible = messages
    messages = search.MESSAGES.matching(visible, parsed)
    total = None
    if count:
        total = capped_count(messages)
    ranked = sort == "relevance"
    if cursor is not None and ranked != isinstance(cursor, RankCursor):
        raise ServiceError("cursor", NOT_OUR_CURSOR)
    offset = 0
    if ranked:
        ceiling = None
        if isinstance(cursor, RankCursor):
            offset, (ceiling,) = cursor.offset, cursor.ceilings
        messages = search.MESSAGES.rank_window(
            visible, parsed, ceiling=ceiling, best=offset + limit + 1
        ).order_by("-rank", "-id")
    else:
        messages = messages.order_by("-id")
        if cursor is not None:
            messages = messages.filter(id__lt=cursor)
    page_rows = messages.select_related("sender", "conversation")
    if details:
        page_rows = page_rows.prefetch_related("reactions", "mentions", "attachments")
    page = list(page_rows[offset : offset + limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor: int | RankCursor | None = None
    if more and ranked:
        # The first page's ceiling stays the ceiling of every next one.
        top = page[0].window_ceiling  # type: ignore[attr-defined]
        next_cursor = RankCursor(offset + limit, (ceiling or top,))
    elif more:
        next_cursor = page[-1].pk
    excerpts = search.MESSAGES.excerpts([m.pk for m in page], parsed)
    # Titles: only untitled conversations are named after their members.
    members = members_of(
        list({m.conversation_id for m in page if not m.conversation.title})
    )
    return SearchResults(
        hits=[
            SearchHit(
                message=m,
                snippet=search.mark_snippet(excerpts.get(m.pk, ("",))[0], m.body),
                conversation_title=m.conversation.title
                or named_after(members.get(m.conversation_id, []), user),
            )
            for m in page
        ],
        next_cursor=next_cursor,
        count=total,
    )
