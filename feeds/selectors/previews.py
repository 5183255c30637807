"""Link previews: cards for links to Canteen's own pages in posts."""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from feeds.models import Post
from feeds.selectors.access import findable_spaces, readable_posts
from profiles.models import User

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
