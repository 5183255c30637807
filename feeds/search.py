"""Full-text search of spaces, posts and comments, for one reader.

Access is part of each search's own SQL, as for messages: posts and
comments only in spaces the reader may read (open ones and their own), and
neither deleted nor under a deleted post; spaces only those the reader may
find (secret ones to their members). Counts are taken from the same
querysets, so nothing hidden is ever counted. The indexes are built by
migrations 0005 (PostgreSQL) and 0006 (SQLite); the databases' machinery is
the kernel's (intranet.search).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from feeds.models import Comment, Post, Space
from feeds.selectors import findable_spaces, readable_space, readable_spaces
from intranet.search.index import FullTextIndex
from intranet.search.marks import mark_snippet
from intranet.search.pages import RankCursor, capped_count
from intranet.search.query import ParsedQuery
from intranet.validation import parse_id
from profiles.models import User

POSTS = FullTextIndex(Post, ("body",))
COMMENTS = FullTextIndex(Comment, ("body",))
SPACES = FullTextIndex(Space, ("name", "description"))


def start_of_day(day: datetime.date, user: User) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(user.time_zone)
    )


@dataclass
class FeedHit:
    """A post, or a comment (with its post), that matched."""

    post: Post
    comment: Comment | None
    snippet: SafeString

    @property
    def kind(self) -> str:
        return "post" if self.comment is None else "comment"

    @property
    def item(self) -> Post | Comment:
        return self.comment or self.post

    @property
    def url(self) -> str:
        url = self.post.get_absolute_url()
        return url if self.comment is None else f"{url}#c{self.comment.pk}"


@dataclass
class FeedResults:
    hits: list[FeedHit]
    # Posts and comments that match, at most COUNT_CAP of each.
    count: int
    # Pass as `cursor` for the next (older) page; None on the last page.
    next_cursor: str | None


def parse_feed_cursor(cursor: str) -> tuple[int | None, int | None]:
    """Return the post and comment ids a page continues below (None: from
    the newest; 0: none left); raise ValueError for anything else."""
    bounds = tuple(0 if part == "0" else parse_id(part) for part in cursor.split("."))
    if len(bounds) != 2 or None in bounds:
        raise ValueError("not a feed cursor")
    return bounds[0], bounds[1]


def _below(rows: QuerySet, bound: int | None) -> QuerySet:
    return rows if bound is None else rows.filter(pk__lt=bound)


def search_feeds(
    user: User,
    parsed: ParsedQuery,
    *,
    space_id: int | None = None,
    author_id: int | None = None,
    after: datetime.date | None = None,
    before: datetime.date | None = None,
    cursor: str | None = None,
    limit: int = 20,
    sort: str = "newest",
) -> FeedResults:
    """Return one page of the posts and comments `user` may read that match
    `parsed`, newest first (or with `sort="relevance"` most relevant
    first), and how many match.

    `after` and `before` are days in `user`'s time zone (on or after,
    strictly before); `cursor` is the previous page's `next_cursor`.
    Raise Http404 for a space they may not read and ValueError for a
    broken cursor or one of the other order. Six queries with hits of both
    kinds, whatever their number (eight with a space).
    """
    bound: RankCursor | None = None
    post_bound = comment_bound = None
    if cursor and sort == "relevance":
        bound = RankCursor.parse(cursor, kinds=2)
    elif cursor:
        post_bound, comment_bound = parse_feed_cursor(cursor)
    posts = Post.objects.filter(deleted_at__isnull=True)
    comments = Comment.objects.filter(
        deleted_at__isnull=True, post__deleted_at__isnull=True
    )
    if space_id is not None:
        readable_space(user, space_id)  # Http404
        posts = posts.filter(space_id=space_id)
        comments = comments.filter(post__space_id=space_id)
    else:
        spaces = readable_spaces(user).values("pk")
        posts = posts.filter(space__in=spaces)
        comments = comments.filter(post__space__in=spaces)
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
        comments = comments.filter(author_id=author_id)
    if after is not None:
        posts = posts.filter(created_at__gte=start_of_day(after, user))
        comments = comments.filter(created_at__gte=start_of_day(after, user))
    if before is not None:
        posts = posts.filter(created_at__lt=start_of_day(before, user))
        comments = comments.filter(created_at__lt=start_of_day(before, user))
    count = capped_count(POSTS.matching(posts, parsed)) + capped_count(
        COMMENTS.matching(comments, parsed)
    )
    if sort == "relevance":
        taken, next_cursor = _most_relevant(posts, comments, parsed, bound, limit)
    else:
        taken, next_cursor = _newest(
            POSTS.matching(posts, parsed),
            COMMENTS.matching(comments, parsed),
            post_bound,
            comment_bound,
            limit,
        )

    post_excerpts = POSTS.excerpts([i.pk for i in taken if isinstance(i, Post)], parsed)
    comment_excerpts = COMMENTS.excerpts(
        [i.pk for i in taken if isinstance(i, Comment)], parsed
    )
    hits = []
    for item in taken:
        if isinstance(item, Post):
            excerpt = post_excerpts.get(item.pk, ("",))[0]
            hits.append(FeedHit(item, None, mark_snippet(excerpt, item.body)))
        else:
            excerpt = comment_excerpts.get(item.pk, ("",))[0]
            hits.append(FeedHit(item.post, item, mark_snippet(excerpt, item.body)))
    return FeedResults(hits=hits, count=count, next_cursor=next_cursor)


def _most_relevant(
    posts: QuerySet,
    comments: QuerySet,
    parsed: ParsedQuery,
    bound: RankCursor | None,
    limit: int,
) -> tuple[list[Post | Comment], str | None]:
    """Rank each kind's window of what the reader may read, and merge.

    The first `offset + limit + 1` of the merged list are among the first
    as many of each kind, so that many of each is all there is to read
    (bounded, as the offset is at most the two windows).
    """
    offset = bound.offset if bound else 0
    post_ceiling, comment_ceiling = bound.ceilings if bound else (None, None)
    end = offset + limit + 1
    found_posts = list(
        POSTS.rank_window(posts, parsed, ceiling=post_ceiling, best=end)
        .select_related("space", "author")
        .order_by("-rank", "-id")[:end]
    )
    found_comments = list(
        COMMENTS.rank_window(comments, parsed, ceiling=comment_ceiling, best=end)
        .select_related("post__space", "post__author", "author")
        .order_by("-rank", "-id")[:end]
    )
    merged: list[Post | Comment] = sorted(
        [*found_posts, *found_comments],
        # The better first; of equals, the newer.
        key=lambda item: (-item.rank, -item.created_at.timestamp()),  # type: ignore[union-attr]
    )
    if len(merged) <= offset + limit:
        return merged[offset:], None
    # The first page's ceilings stay the ceilings of every next one, so
    # what arrives meanwhile does not shift the windows; 0: a kind that had
    # no match then has none later either.
    ceilings = (
        post_ceiling if post_ceiling is not None else _top(found_posts),
        comment_ceiling if comment_ceiling is not None else _top(found_comments),
    )
    return merged[offset : offset + limit], str(RankCursor(offset + limit, ceilings))


def _top(found: list) -> int:
    return found[0].window_ceiling if found else 0


def _newest(
    posts: QuerySet,
    comments: QuerySet,
    post_bound: int | None,
    comment_bound: int | None,
    limit: int,
) -> tuple[list[Post | Comment], str | None]:
    found_posts = []
    if post_bound != 0:
        found_posts = list(
            _below(posts, post_bound)
            .select_related("space", "author")
            .order_by("-id")[: limit + 1]
        )
    found_comments = []
    if comment_bound != 0:
        found_comments = list(
            _below(comments, comment_bound)
            .select_related("post__space", "post__author", "author")
            .order_by("-id")[: limit + 1]
        )
    # Merge the two newest-first lists by time, taking from the head of
    # either, so each list is used from its start and one id per list is
    # cursor enough.
    taken: list[Post | Comment] = []
    p = c = 0
    while len(taken) < limit and (p < len(found_posts) or c < len(found_comments)):
        if c >= len(found_comments) or (
            p < len(found_posts)
            and found_posts[p].created_at >= found_comments[c].created_at
        ):
            taken.append(found_posts[p])
            p += 1
        else:
            taken.append(found_comments[c])
            c += 1
    more = p < len(found_posts) or c < len(found_comments)
    next_cursor = None
    if more:
        next_cursor = f"{_next_bound(found_posts, p)}.{_next_bound(found_comments, c)}"
    return taken, next_cursor


def _next_bound(found: list, used: int) -> int:
    if used == len(found):
        return 0  # all that was left was used: none left
    if used:
        return found[used - 1].pk
    # None of it used yet: start again from its first row.
    return found[0].pk + 1


@dataclass
class SpaceHit:
    space: Space
    name: SafeString
    snippet: SafeString


@dataclass
class SpaceResults:
    hits: list[SpaceHit]
    count: int
    next_cursor: str | None


def search_spaces(
    user: User, parsed: ParsedQuery, *, offset: int = 0, limit: int = 20
) -> SpaceResults:
    """Return the spaces `user` may find whose name or description match
    `parsed`, best first (a hit in the name counts most), then by name.
    Three queries with hits, whatever their number."""
    spaces = SPACES.matching(findable_spaces(user), parsed)
    count = capped_count(spaces)
    page = list(
        SPACES.ranked(findable_spaces(user), parsed).order_by("-rank", "name", "pk")[
            offset : offset + limit + 1
        ]
    )
    more = len(page) > limit
    page = page[:limit]
    excerpts = SPACES.excerpts([s.pk for s in page], parsed)
    hits = []
    for space in page:
        name, description = excerpts.get(space.pk, ("", ""))
        hits.append(
            SpaceHit(
                space,
                mark_snippet(name, space.name),
                mark_snippet(description, space.description),
            )
        )
    return SpaceResults(
        hits=hits,
        count=count,
        next_cursor=str(offset + limit) if more else None,
    )
