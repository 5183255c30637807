"""Who may see which space and post, and the feeds: decided here, once.

- An open space: anyone signed in reads it and may join.
- A closed space: anyone finds it (name, description) and may ask to
  join; only members read its posts, comments, members and events.
- A secret space: only members know it exists; Http404 for everyone else,
  on every path.
"""

import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags

from feeds.models import (
    Announcement,
    Comment,
    Follow,
    JoinRequest,
    Post,
    PostAttachment,
    PostMute,
    PostView,
    Reaction,
    Reader,
    Space,
    SpaceMember,
)
from intranet.sql import placeholders, rows, table
from profiles.models import User
from profiles.org import management_chain_ids
from profiles.roles import is_hr

# As for messages: a count of UNREAD_CAP shows as "99+", and bounds what
# one count reads (docs/architecture.md, "Unread counts").
UNREAD_CAP = 100
FEED_PAGE = 20
# Comments shown under a post in a feed; the post's page shows them all.
COMMENTS_IN_FEED = 3


def member_space_ids(user: User) -> QuerySet:
    return SpaceMember.objects.filter(user=user).values("space_id")


def findable_spaces(user: User) -> QuerySet[Space]:
    """Spaces `user` may know of: every open and closed one, and the
    secret ones they belong to."""
    return Space.objects.filter(
        ~Q(visibility=Space.Visibility.SECRET) | Q(pk__in=member_space_ids(user))
    )


def readable_spaces(user: User) -> QuerySet[Space]:
    """Spaces whose posts `user` may read: open ones and their own."""
    return Space.objects.filter(
        Q(visibility=Space.Visibility.OPEN) | Q(pk__in=member_space_ids(user))
    )


def membership(user: User, space: Space) -> SpaceMember | None:
    return SpaceMember.objects.filter(user=user, space=space).first()


@dataclass
class SpaceAccess:
    """A space as one person may see it."""

    space: Space
    member: SpaceMember | None

    @property
    def can_read(self) -> bool:
        return self.member is not None or self.space.visibility == Space.Visibility.OPEN

    @property
    def role(self) -> str | None:
        return self.member.role if self.member else None

    @property
    def can_moderate(self) -> bool:
        return self.member is not None and self.member.can_moderate

    @property
    def is_leader(self) -> bool:
        return self.role == SpaceMember.Role.LEADER

    @property
    def can_post(self) -> bool:
        if self.member is None:
            return False
        return self.space.who_may_post == Space.Who.MEMBERS or self.can_moderate

    @property
    def can_mention_all(self) -> bool:
        if self.member is None:
            return False
        return self.space.who_may_mention_all == Space.Who.MEMBERS or self.can_moderate


def space_access(user: User, space: Space) -> SpaceAccess:
    """Return `user`'s access to `space`; Http404 if they may not know it."""
    member = membership(user, space)
    if member is None and space.visibility == Space.Visibility.SECRET:
        raise Http404("No such space.")
    return SpaceAccess(space, member)


def find_space(
    user: User, *, slug: str | None = None, space_id: int | None = None
) -> SpaceAccess:
    """Return the space by slug or id as `user` may see it; Http404 if it
    does not exist or is secret to them."""
    lookup = {"slug": slug} if slug is not None else {"pk": space_id}
    space = Space.objects.filter(**lookup).first()
    if space is None:
        raise Http404("No such space.")
    return space_access(user, space)


def readable_space(user: User, space_id: int) -> SpaceAccess:
    """Return the space if `user` may read its posts; Http404 otherwise
    (a closed space's feed is as unknown to outsiders as a secret one)."""
    access = find_space(user, space_id=space_id)
    if not access.can_read:
        raise Http404("No such space.")
    return access


def readable_posts(user: User) -> QuerySet[Post]:
    return Post.objects.filter(space__in=readable_spaces(user))


def get_post_for_user(user: User, post_id: int) -> Post:
    """Return a post in a space `user` may read; Http404 otherwise."""
    post = (
        readable_posts(user)
        .filter(pk=post_id)
        .select_related("space", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def get_post_attachment_for_user(user: User, attachment_id: int) -> PostAttachment:
    """Return a post's file `user` may download; Http404 otherwise.

    That is one posted with a post (not deleted) in a space `user` may
    read, or `user`'s own upload not posted yet, while they still may.
    """
    attachment = PostAttachment.objects.filter(
        Q(post__isnull=False, post__deleted_at__isnull=True)
        | Q(post__isnull=True, uploader=user),
        pk=attachment_id,
        space__in=readable_spaces(user),
    ).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def get_comment_for_user(user: User, comment_id: int) -> Comment:
    comment = (
        Comment.objects.filter(pk=comment_id, post__space__in=readable_spaces(user))
        .select_related("post__space", "author")
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment


@dataclass
class Followed:
    """What a user's socket follows in feeds."""

    spaces: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


def followed_by_user(user_ids: list[int]) -> dict[int, Followed]:
    """Return each user's space ids and the ids of the people they follow,
    in one statement (every connect and every recheck asks; raw SQL as
    messaging's conversation_ids_by_user)."""
    result = {user_id: Followed() for user_id in user_ids}
    if not user_ids:
        return result
    marks = placeholders(user_ids)
    sql = (
        f"SELECT user_id, 0, space_id FROM {table(SpaceMember)}"  # noqa: S608
        f" WHERE user_id IN ({marks})"
        f" UNION ALL SELECT follower_id, 1, person_id FROM {table(Follow)}"
        f" WHERE follower_id IN ({marks})"
    )
    for user_id, kind, other in rows(sql, [*user_ids, *user_ids]):
        found = result[user_id]
        (found.spaces if kind == 0 else found.people).add(other)
    return result


# Feeds ------------------------------------------------------------------


def with_details(posts: QuerySet[Post], viewer: User) -> list[Post]:
    """Load a page of posts with everything a feed shows, in a constant
    number of queries: author and space, the post's reactions and files, its latest
    comments with their authors and reactions, and reach for the posts the
    viewer may see it of (feeds.selectors.reach_of)."""
    # Whether the viewer muted the post's comments, and may take part
    # (members react and comment; the home feed also holds posts from
    # open spaces the viewer only reads): in the same query.
    muted = PostMute.objects.filter(post=OuterRef("pk"), user=viewer)
    member = SpaceMember.objects.filter(space=OuterRef("space_id"), user=viewer)
    # A must-read the viewer is asked to acknowledge, and whether they have.
    reader = Reader.objects.filter(announcement__post=OuterRef("pk"), user=viewer)
    page: list[Post] = list(
        posts.annotate(
            comments_muted=Exists(muted),
            viewer_is_member=Exists(member),
            is_reader=Exists(reader),
            ask_to_acknowledge=Exists(reader.filter(announcement__must_read=True)),
            acknowledged=Exists(reader.filter(acknowledged_at__isnull=False)),
            # Made by HR's composer (not a moderator's label): reach by
            # department for its author and HR.
            from_announcement=Exists(Announcement.objects.filter(post=OuterRef("pk"))),
        )
        .select_related("author", "space")
        .prefetch_related(
            Prefetch(
                "reactions",
                queryset=Reaction.objects.filter(comment__isnull=True).order_by("pk"),
                to_attr="post_reactions",
            ),
            "attachments",
        )
    )
    ids = [p.pk for p in page]
    # The authors by their ids (a prefetch): joined, PostgreSQL hashed the
    # whole company for a few dozen comments (3 ms with 5,000 people).
    comments = (
        Comment.objects.filter(post_id__in=ids, deleted_at__isnull=True)
        .prefetch_related("author", "reactions")
        .order_by("pk")
    )
    by_post: dict[int, list[Comment]] = {}
    for comment in comments:
        by_post.setdefault(comment.post_id, []).append(comment)
    for post in page:
        post.latest_comments = by_post.get(post.pk, [])[-COMMENTS_IN_FEED:]  # type: ignore[attr-defined]
    return page


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


# Reach ------------------------------------------------------------------


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


# Sidebar ----------------------------------------------------------------


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


def space_members(access: SpaceAccess) -> QuerySet[SpaceMember]:
    return (
        SpaceMember.objects.filter(space=access.space)
        .select_related("user")
        .order_by("role", "user__first_name", "user__last_name")
    )


def first_members(access: SpaceAccess, limit: int) -> tuple[list[SpaceMember], int]:
    """The first `limit` members (leaders first) and how many there are, in
    one query: a space page shows a few of a thousand members."""
    members: list[SpaceMember] = list(
        space_members(access).annotate(total=Window(Count("pk")))[:limit]
    )
    total: int = members[0].total if members else 0  # type: ignore[attr-defined]
    return members, total


def join_requests(access: SpaceAccess) -> list[JoinRequest]:
    return list(
        access.space.join_requests.select_related("user").order_by("created_at")
    )


# Directory and reach details (the REST API) -------------------------------


def space_directory(
    user: User,
    *,
    q: str = "",
    kind: str | None = None,
    mine: bool = False,
    after: Space | None = None,
    limit: int = 50,
) -> list[Space]:
    """Spaces `user` may find, by name then id, `limit` of them after the
    space `after`; each with `member_count` and `my_role` (None for an
    outsider)."""
    spaces = findable_spaces(user)
    if mine:
        spaces = spaces.filter(pk__in=member_space_ids(user))
    if kind:
        spaces = spaces.filter(kind=kind)
    for word in q.split():
        spaces = spaces.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if after is not None:
        spaces = spaces.filter(
            Q(name__gt=after.name) | Q(name=after.name, pk__gt=after.pk)
        )
    my_role = SpaceMember.objects.filter(space=OuterRef("pk"), user=user).values(
        "role"
    )[:1]
    return list(
        spaces.annotate(
            member_count=Count("members", distinct=True),
            my_role=Subquery(my_role),
        ).order_by("name", "pk")[:limit]
    )


def member_count(space: Space) -> int:
    return SpaceMember.objects.filter(space=space).count()


def has_asked_to_join(user: User, space: Space) -> bool:
    return JoinRequest.objects.filter(space=space, user=user).exists()


# Names listed on a reach page at most: the newest viewers.
VIEWERS_SHOWN = 500


def post_viewers(post: Post) -> list[PostView]:
    """Who saw a post, newest first (for its space's leaders)."""
    return list(
        PostView.objects.filter(post=post)
        .select_related("user")
        .order_by("-seen_at", "-pk")[:VIEWERS_SHOWN]
    )


# A person's profile -------------------------------------------------------

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


# Link previews ------------------------------------------------------------

# A link in a post's (sanitised) HTML to one of Canteen's own pages: a
# space, a post or a person, relative or on one of this site's hosts.
_OWN_LINK = re.compile(
    r'href="(?:https?://(?P<host>[^/"]{1,255}))?'
    r"/(?:spaces/(?P<slug>[-\w]{1,100})|posts/(?P<post>\d{1,18})"
    r'|people/(?P<person>\d{1,18}))/?(?:[?#][^"]*)?"'
)
PREVIEWS_PER_POST = 3
# Links looked at per post: a card the viewer may not see leaves its place
# to the next link.
LINKS_PER_POST = 10


@dataclass(frozen=True)
class LinkPreview:
    """A small card under a post for a Canteen page it links to."""

    url: str
    title: str
    context: str


def _own_links(post: Post, hosts: set[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for match in _OWN_LINK.finditer(post.body_html):
        if match["host"] and match["host"].lower() not in hosts:
            continue
        kind = next(k for k in ("slug", "post", "person") if match[k])
        key = (kind, match[kind])
        if key not in found and key != ("post", str(post.pk)):
            found.append(key)
        if len(found) == LINKS_PER_POST:
            break
    return found


def _excerpt(text: str, limit: int = 120) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def link_previews(
    posts: list[Post], viewer: User, *, hosts: set[str]
) -> dict[int, list[LinkPreview]]:
    """Return cards for the links to Canteen's own pages in `posts`, only
    for what `viewer` may see (a secret space or a post they cannot read
    gives no card: its title never leaks), in at most three queries
    whatever the number of posts and links, none when there are none."""
    wanted = {p.pk: _own_links(p, hosts) for p in posts if not p.is_deleted}
    keys = {key for found in wanted.values() for key in found}
    if not keys:
        return {}
    slugs = {v for k, v in keys if k == "slug"}
    post_ids = {int(v) for k, v in keys if k == "post"}
    person_ids = {int(v) for k, v in keys if k == "person"}
    cards: dict[tuple[str, str], LinkPreview] = {}
    if slugs:
        for space in findable_spaces(viewer).filter(slug__in=slugs):
            context = f"{space.get_kind_display()} space, {space.visibility}"
            if space.description:
                context += f" · {_excerpt(space.description, 90)}"
            cards["slug", space.slug] = LinkPreview(
                space.get_absolute_url(), space.name, context
            )
    if post_ids:
        for linked in (
            readable_posts(viewer)
            .filter(pk__in=post_ids, deleted_at__isnull=True)
            .select_related("author", "space")
        ):
            cards["post", str(linked.pk)] = LinkPreview(
                linked.get_absolute_url(),
                f"{linked.author.display_name} in {linked.space.name}",
                _excerpt(html.unescape(strip_tags(linked.body_html))),
            )
    if person_ids:
        for person in User.objects.filter(
            pk__in=person_ids, is_active=True
        ).select_related("department"):
            facts = [person.title, person.department.name if person.department else ""]
            cards["person", str(person.pk)] = LinkPreview(
                f"/people/{person.pk}/",
                person.display_name,
                " · ".join(f for f in facts if f) or "Person at the company",
            )
    return {
        pk: [cards[key] for key in found if key in cards][:PREVIEWS_PER_POST]
        for pk, found in wanted.items()
        if any(key in cards for key in found)
    }


def post_previews(post: Post, viewer: User, *, hosts: set[str]) -> list[LinkPreview]:
    """The cards one post shows `viewer`, by the page's own rule: for a
    post that arrived or changed live, asked by the viewer's browser (the
    shared socket event carries none, so no title leaks)."""
    return link_previews([post], viewer, hosts=hosts).get(post.pk, [])


# Announcements -------------------------------------------------------------


def hr_people() -> list[int]:
    """The ids of everyone who runs HR (`manage_onboarding`): they follow
    every announcement's acknowledgements. One query."""
    granted = Permission.objects.filter(
        codename="manage_onboarding", content_type__app_label="profiles"
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=granted)
            | Q(user_permissions__in=granted)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ReaderLine:
    """One person a must-read is for, as the acknowledgement page and the
    CSV list them."""

    user_id: int
    name: str
    email: str
    department: str
    acknowledged_at: Any
    seen: bool


@dataclass(frozen=True)
class DepartmentLine:
    """Reach and acknowledgement of an announcement in one department."""

    name: str
    expected: int
    seen: int
    acknowledged: int


@dataclass
class AcknowledgementReport:
    readers: list[ReaderLine]

    @property
    def expected(self) -> int:
        return len(self.readers)

    @property
    def acknowledged(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is not None]

    @property
    def pending(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is None]

    @property
    def departments(self) -> list[DepartmentLine]:
        by_name: dict[str, list[ReaderLine]] = {}
        for reader in self.readers:
            by_name.setdefault(reader.department, []).append(reader)
        return [
            DepartmentLine(
                name,
                len(lines),
                sum(r.seen for r in lines),
                sum(r.acknowledged_at is not None for r in lines),
            )
            for name, lines in sorted(by_name.items())
        ]


NO_DEPARTMENT = "No department"


def acknowledgement_report(announcement: Announcement) -> AcknowledgementReport:
    """Everyone an announcement is for, by department then name, with
    whether they saw and acknowledged it: one query, however many."""
    saw = PostView.objects.filter(
        post_id=announcement.post_id or 0, user_id=OuterRef("user_id")
    )
    rows = (
        Reader.objects.filter(announcement=announcement)
        .annotate(saw=Exists(saw))
        .order_by("user__department__name", "user__first_name", "user__last_name")
        .values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__department__name",
            "acknowledged_at",
            "saw",
        )
    )
    return AcknowledgementReport(
        [
            ReaderLine(
                pk,
                f"{first} {last}".strip() or email,
                email,
                department or NO_DEPARTMENT,
                acknowledged_at,
                saw,
            )
            for pk, first, last, email, department, acknowledged_at, saw in rows
        ]
    )


def scheduled_announcements(user: User) -> list[Announcement]:
    """Announcements waiting for their time, or held (their author lost
    the role), that `user` may see: their own, or every one for HR."""
    pending = Announcement.objects.filter(post__isnull=True)
    if not is_hr(user):
        pending = pending.filter(author=user)
    return list(pending.select_related("space", "author").order_by("publish_at"))
