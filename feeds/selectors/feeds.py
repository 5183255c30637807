"""The feeds: the home feed, a space's feed and its pins, each post
loaded with everything a feed shows in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from feeds.models import (
    Announcement,
    Comment,
    Follow,
    Post,
    PostMute,
    Reaction,
    Reader,
    Space,
    SpaceMember,
)
from feeds.selectors.access import SpaceAccess, member_space_ids
from intranet.sql import table
from profiles.models import User
from profiles.org import management_chain_ids

FEED_PAGE = 20
# Comments shown under a post in a feed; the post's page shows them all.
COMMENTS_IN_FEED = 3


def with_details(posts: QuerySet[Post], viewer: User) -> list[Post]:
    """Load a page of posts with everything a feed shows, in a constant
    number of queries: author and space, the post's reactions
    (`post_reactions`) and files (`files`), its latest comments
    (`latest_comments`) with their authors and reactions
    (`comment_reactions`), and the viewer's flags (_viewer_flags)."""
    page: list[Post] = list(
        posts.annotate(**_viewer_flags(viewer))
        .select_related("author", "space")
        .prefetch_related(
            Prefetch(
                "reactions",
                queryset=Reaction.objects.filter(comment__isnull=True).order_by("pk"),
                to_attr="post_reactions",
            ),
            # Lists (to_attr), not related managers: a manager and its
            # queryset per post and comment cost more CPU than the rows.
            Prefetch("attachments", to_attr="files"),
        )
    )
    ids = [p.pk for p in page]
    # The authors by their ids (a prefetch): joined, PostgreSQL hashed the
    # whole company for a few dozen comments (3 ms with 5,000 people).
    comments = (
        Comment.objects.filter(post_id__in=ids, deleted_at__isnull=True)
        .prefetch_related("author", Prefetch("reactions", to_attr="comment_reactions"))
        .order_by("pk")
    )
    by_post: dict[int, list[Comment]] = {}
    for comment in comments:
        by_post.setdefault(comment.post_id, []).append(comment)
    for post in page:
        post.latest_comments = by_post.get(post.pk, [])[-COMMENTS_IN_FEED:]  # type: ignore[attr-defined]
        post.viewer_is_member = post.viewer_role is not None  # type: ignore[attr-defined]
    return page


def _viewer_flags(viewer: User) -> dict[str, RawSQL]:
    """What each post is to the viewer, as subqueries on the post's row:
    whether they muted its comments, their role in its space (members
    react and comment; the home feed also holds posts from open spaces the
    viewer only reads), whether they are asked to acknowledge a must-read
    and have, and whether HR's composer made it (reach by department for
    its author and HR; not a moderator's label). Raw: Django resolving six
    `Exists` cost more CPU than the page's whole SQL."""
    post, mute, member = table(Post), table(PostMute), table(SpaceMember)
    reader, announcement = table(Reader), table(Announcement)
    readers = (
        f"SELECT 1 FROM {reader} r JOIN {announcement} a ON a.id = r.announcement_id"  # noqa: S608
        f" WHERE a.post_id = {post}.id AND r.user_id = %s"
    )
    flags = {
        "comments_muted": (
            f"SELECT 1 FROM {mute} m WHERE m.post_id = {post}.id AND m.user_id = %s"  # noqa: S608
        ),
        "is_reader": readers,
        "ask_to_acknowledge": f"{readers} AND a.must_read",
        "acknowledged": f"{readers} AND r.acknowledged_at IS NOT NULL",
    }
    # The viewer's role in the post's space, or NULL: whether they take
    # part, and whether they lead it (reach_for_page).
    role = (
        f"(SELECT s.role FROM {member} s"  # noqa: S608
        f" WHERE s.space_id = {post}.space_id AND s.user_id = %s)"
    )
    made_by_hr = f"EXISTS (SELECT 1 FROM {announcement} a WHERE a.post_id = {post}.id)"  # noqa: S608
    return {
        **{
            name: RawSQL(f"EXISTS ({sql})", [viewer.pk], output_field=BooleanField())  # noqa: S611
            for name, sql in flags.items()
        },
        "from_announcement": RawSQL(made_by_hr, [], output_field=BooleanField()),  # noqa: S611
        "viewer_role": RawSQL(role, [viewer.pk], output_field=CharField(null=True)),  # noqa: S611
    }


def home_feed(
    user: User,
    *,
    before: int | None = None,
    limit: int = FEED_PAGE,
    trust: "TrustRule | None" = None,
) -> list[Post]:
    """Posts from `user`'s spaces and the people they follow (in spaces
    they may read), newest first, `limit` of them below post `before`.

    With a `trust` rule (trust_rule(user): the Trusted view), only posts by
    the people it keeps."""
    followed = Follow.objects.filter(follower=user).values("person_id")
    posts = Post.objects.filter(deleted_at__isnull=True).filter(
        Q(space_id__in=member_space_ids(user))
        | Q(author_id__in=followed, space__visibility=Space.Visibility.OPEN)
    )
    # A targeted announcement is in the home feed of its readers only (the
    # space's other members still read it in the space).
    is_reader = Reader.objects.filter(announcement__post=OuterRef("pk"), user=user)
    posts = posts.exclude(Q(targeted=True) & ~Exists(is_reader) & ~Q(author=user))
    if trust is not None:
        posts = posts.filter(trusted_authors(trust))
    if before is not None:
        posts = posts.filter(pk__lt=before)
    return with_details(posts.order_by("-pk")[:limit], user)


@dataclass(frozen=True)
class TrustRule:
    """Who the Trusted view keeps: verified people, `people` (me and my
    management chain) and my team (`department`). The page hands it to
    feed.js, so a live post is sorted by the server's rule."""

    people: list[int]
    department: int | None


def trust_rule(user: User) -> TrustRule:
    return TrustRule([user.pk, *management_chain_ids(user)], user.department_id)


def trusted_authors(rule: TrustRule) -> Q:
    trusted = Q(author__is_verified=True) | Q(author_id__in=rule.people)
    if rule.department is not None:
        trusted |= Q(author__department_id=rule.department)
    return trusted


def space_feed(
    user: User,
    access: SpaceAccess,
    *,
    before: int | None = None,
    limit: int = FEED_PAGE,
) -> list[Post]:
    """A space's posts, newest first (its pinned posts are pinned_posts)."""
    posts = Post.objects.filter(space=access.space, deleted_at__isnull=True)
    if before is not None:
        posts = posts.filter(pk__lt=before)
    return with_details(posts.order_by("-pk")[:limit], user)


def pinned_posts(user: User, access: SpaceAccess) -> list[Post]:
    """A space's pinned posts, newest pin first; an announcement pinned
    until a time past is left out even before the scheduler unpins it."""
    posts = (
        Post.objects.filter(
            space=access.space, deleted_at__isnull=True, pinned_at__isnull=False
        )
        .exclude(announcement__pinned_until__lte=timezone.now())
        .order_by("-pinned_at")
    )
    return with_details(posts, user)


def post_comments(post: Post) -> list[Comment]:
    """All of a post's comments, oldest first, replies after their parent."""
    return list(
        Comment.objects.filter(post=post)
        .select_related("author")
        .prefetch_related("reactions")
        .order_by("pk")
    )
