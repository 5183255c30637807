"""The sidebar: a person's spaces with their unread posts."""

from dataclasses import dataclass

from django.db.models.expressions import RawSQL

from feeds.models import Post, Space, SpaceMember
from intranet.sql import table
from profiles.models import User

# As for messages: a count of UNREAD_CAP shows as "99+", and bounds what
# one count reads (docs/architecture.md, "Unread counts").
UNREAD_CAP = 100


@dataclass
class SpaceSummary:
    space: Space
    role: str
    unread: int
    muted: bool

    def as_dict(self) -> dict:
        return {
            "id": self.space.pk,
            "slug": self.space.slug,
            "name": self.space.name,
            "kind": self.space.kind,
            "role": self.role,
            "unread": self.unread,
            "muted": self.muted,
            "url": self.space.get_absolute_url(),
        }


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
        .select_related("space")
        .annotate(unread=RawSQL(_capped_unread_sql(), [user.pk]))  # noqa: S611
        .order_by("space__name")
    )
    return [
        SpaceSummary(m.space, m.role, 0 if m.muted else m.unread, m.muted)
        for m in members
    ]
