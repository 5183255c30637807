"""How far a post went: who saw it out of how many, and who engaged."""

from typing import Any

from django.db.models import Count, Q

from feeds.models import Post, PostView, Space, SpaceMember
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
    (their own, and every post of a space they lead): constant queries."""
    ids = [p.pk for p in posts if p.author_id == viewer.pk]
    led = set(
        SpaceMember.objects.filter(
            user=viewer,
            role=SpaceMember.Role.LEADER,
            space_id__in={p.space_id for p in posts},
        ).values_list("space_id", flat=True)
    )
    ids += [p.pk for p in posts if p.space_id in led and p.pk not in ids]
    if not ids:
        return {}
    seen = dict(
        PostView.objects.filter(post_id__in=ids)
        .values("post_id")
        .annotate(n=Count("pk"))
        .values_list("post_id", "n")
    )
    audiences = dict(
        SpaceMember.objects.filter(
            space_id__in={p.space_id for p in posts if p.pk in ids}
        )
        .values("space_id")
        .annotate(n=Count("pk"))
        .values_list("space_id", "n")
    )
    result = {}
    for post in posts:
        if post.pk in ids:
            reacted = {r.user_id for r in getattr(post, "post_reactions", [])}
            result[post.pk] = {
                "seen": seen.get(post.pk, 0),
                "audience": audiences.get(post.space_id, 0),
                "reacted": len(reacted),
                "comments": post.comment_count,
                # Who saw it is for the space's leaders (GET …/reach).
                "names": post.space_id in led,
            }
    return result


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
