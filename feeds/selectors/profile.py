"""A person's profile: their spaces, recent posts, and whether one
follows them."""

import html

from django.utils.html import strip_tags

from feeds.models import Follow, Post, Space
from feeds.selectors.access import findable_spaces, member_space_ids, readable_spaces
from profiles.models import User

# Spaces and posts listed on a profile at most.
PROFILE_SPACES = 12
PROFILE_POSTS = 3


def spaces_of(person: User, viewer: User) -> list[Space]:
    """The spaces `person` belongs to that `viewer` may know of (no secret
    one unless the viewer is in it too), by name."""
    return list(
        findable_spaces(viewer)
        .filter(pk__in=member_space_ids(person))
        .order_by("name", "pk")[:PROFILE_SPACES]
    )


def recent_posts_by(person: User, viewer: User) -> list[Post]:
    """`person`'s newest posts in spaces `viewer` may read, each with its
    text as words (`excerpt`), not markdown."""
    posts = list(
        Post.objects.filter(
            author=person, deleted_at__isnull=True, space__in=readable_spaces(viewer)
        )
        .select_related("space")
        .order_by("-pk")[:PROFILE_POSTS]
    )
    for post in posts:
        post.excerpt = html.unescape(strip_tags(post.body_html)).strip()  # type: ignore[attr-defined]
    return posts


def follows(viewer: User, person: User) -> bool:
    return Follow.objects.filter(follower=viewer, person=person).exists()
