"""How far a post went: who saw it out of how many, and who engaged."""

from typing import Any

from django.db.models import Count, Q

from feeds.models import Post, PostView, Space, SpaceMember
from intranet.sql import placeholders, rows, table
from profiles.models import User


def audience(space: Space) -> int:
    """How many people a post in `space` is written for: its members."""
    return SpaceMember.objects.filter(space=space).count()


def reach_of(post: Post) -> dict[str, int]:
    """How far a post went: people who saw it, out of how many could, and
    who engaged."""
    counted = Post.objects.filter(pk=post.pk).aggregate(
        seen=Count("views", distinct=True),
        reacted=Count(
            "reactions__user", filter=Q(reactions__comment__isnull=True), distinct=True
        ),
    )
    return {
        "seen": counted["seen"],
        "audience": audience(post.space),
        "reacted": counted["reacted"],
        "comments": post.comment_count,
    }


def reach_for_page(posts: list[Post], viewer: User) -> dict[int, dict[str, Any]]:
    """Reach lines for the posts on a page that `viewer` may see reach of
    (their own, and every post of a space they lead), for posts loaded by
    feeds.selectors.with_details (the viewer's role, the post's
    reactions): one query, whatever the page."""
    led = {p.space_id for p in posts if p.viewer_role == SpaceMember.Role.LEADER}  # type: ignore[attr-defined]
    shown = [p for p in posts if p.author_id == viewer.pk or p.space_id in led]
    if not shown:
        return {}
    seen, audiences = _counts(
        [p.pk for p in shown], sorted({p.space_id for p in shown})
    )
    return {
        post.pk: {
            "seen": seen.get(post.pk, 0),
            "audience": audiences.get(post.space_id, 0),
            "reacted": len({r.user_id for r in getattr(post, "post_reactions", [])}),
            "comments": post.comment_count,
            # Who saw it is for the space's leaders (GET …/reach).
            "names": post.space_id in led,
        }
        for post in shown
    }


def _counts(
    post_ids: list[int], space_ids: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """People who saw each post, and members of each space, in one
    statement (raw: two compiled aggregates cost more than their rows)."""
    views, members = table(PostView), table(SpaceMember)
    found = rows(
        f"SELECT 0, post_id, COUNT(*) FROM {views}"  # noqa: S608
        f" WHERE post_id IN ({placeholders(post_ids)}) GROUP BY post_id"
        f" UNION ALL SELECT 1, space_id, COUNT(*) FROM {members}"
        f" WHERE space_id IN ({placeholders(space_ids)}) GROUP BY space_id",
        [*post_ids, *space_ids],
    )
    counted: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for kind, key, n in found:
        counted[kind][key] = n
    return counted


def may_see_reach(user: User, post: Post) -> bool:
    if post.author_id == user.pk:
        return True
    return SpaceMember.objects.filter(
        user=user, space_id=post.space_id, role=SpaceMember.Role.LEADER
    ).exists()


# Names listed on a reach page at most: the newest viewers.
VIEWERS_SHOWN = 500


def post_viewers(post: Post) -> list[PostView]:
    """Who saw a post, newest first (for its space's leaders)."""
    return list(
        PostView.objects.filter(post=post)
        .select_related("user")
        .order_by("-seen_at", "-pk")[:VIEWERS_SHOWN]
    )
