"""The sidebar: a person's spaces with their unread posts."""

from dataclasses import dataclass

from django.db.models.expressions import RawSQL

from feeds.models import Post, SpaceMember
from intranet.links import slug_link
from intranet.sql import table
from profiles.models import User

# As for messages: a count of UNREAD_CAP shows as "99+", and bounds what
# one count reads (docs/architecture.md, "Unread counts").
UNREAD_CAP = 100


@dataclass(frozen=True)
class SpaceLink:
    """What the sidebar shows of a space: a busy person's hundred rows are
    read as plain values (model instances cost more CPU than the query)."""

    pk: int
    slug: str
    name: str
    kind: str

    def get_absolute_url(self) -> str:
        return slug_link("feeds:space", self.slug)


@dataclass
class SpaceSummary:
    space: SpaceLink
    role: str
    unread: int
    muted: bool


def _capped_unread_sql() -> str:
    """One membership's unread posts, capped: an index range scan of
    `post_feed` from the read marker up, stopped by the LIMIT."""
    posts, m = table(Post), table(SpaceMember)
    return (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {posts} p"  # noqa: S608
        f" WHERE p.space_id = {m}.space_id AND p.id > {m}.last_read_post_id"
        f" AND p.deleted_at IS NULL AND p.author_id <> %s LIMIT {UNREAD_CAP}) unread)"
    )


def space_summaries(user: User) -> list[SpaceSummary]:
    """`user`'s spaces by name, with unread posts (capped), in one query."""
    members = (
        SpaceMember.objects.filter(user=user)
        .annotate(unread=RawSQL(_capped_unread_sql(), [user.pk]))  # noqa: S611
        .order_by("space__name")
        .values_list(
            "space_id",
            "space__slug",
            "space__name",
            "space__kind",
            "role",
            "muted",
            "unread",
        )
    )
    return [
        SpaceSummary(
            SpaceLink(pk, slug, name, kind), role, 0 if muted else unread, muted
        )
        for pk, slug, name, kind, role, muted, unread in members
    ]
