"""A space's name, description and rules: set when it is created, changed
by its leaders."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from feeds import events
from feeds.models import Comment, Post, Space
from feeds.selectors.access import find_space
from feeds.services.spaces.membership import Role, _add, _record, lock_space
from intranet.errors import ServiceError
from intranet.realtime import forget
from messaging import services as chat
from profiles.models import Department, User

MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1_000


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError("empty", "A space needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceError(
            "too_long", f"A space's name can be at most {MAX_NAME_LENGTH} characters."
        )
    return name


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ServiceError(
            "too_long",
            f"A description can be at most {MAX_DESCRIPTION_LENGTH:,} characters.",
        )
    return description


def _unique_slug(name: str) -> str:
    base = slugify(name)[:80] or "space"
    slug, n = base, 1
    while Space.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _forget_followers_copies(space: Space) -> None:
    """A space that is no longer open takes its posts' news out of their
    authors' streams: followers outside it must not catch up on them."""
    posts = Post.objects.filter(space=space).values_list("pk", flat=True)
    comments = Comment.objects.filter(post__space=space).values_list("pk", flat=True)
    subjects = [*(f"post.{pk}" for pk in posts), *(f"comment.{pk}" for pk in comments)]
    forget(subjects, stream_prefix=events.AUTHOR_STREAMS)


def create_space(
    user: User | None,
    *,
    name: str,
    kind: str = Space.Kind.COMMUNITY,
    visibility: str = Space.Visibility.OPEN,
    description: str = "",
    department: Department | None = None,
    who_may_post: str = Space.Who.MEMBERS,
    members: Iterable[User] = (),
) -> Space:
    """Create a space with its chat; `user` (if any) leads it.

    People start communities; team, onboarding and company-wide spaces are
    made by the company's own processes (the directory, HR, the demo)."""
    name = _clean_name(name)
    with transaction.atomic():
        space = Space.objects.create(
            name=name,
            slug=_unique_slug(name),
            description=_clean_description(description),
            kind=kind,
            visibility=visibility,
            department=department,
            who_may_post=who_may_post,
            created_by=user,
        )
        space.chat = chat.open_space_chat(title=name, member_ids=[])
        space.save(update_fields=["chat"])
        if user is not None:
            _add(space, [user], Role.LEADER)
        _add(space, members)
    return space


def update_space(
    user: User,
    *,
    space_id: int,
    name: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    who_may_post: str | None = None,
    who_may_mention_all: str | None = None,
) -> Space:
    """Change a space's settings; only its leaders may."""
    access = find_space(user, space_id=space_id)
    if not access.is_leader:
        raise ServiceError(
            "forbidden", "Only the space's leaders can change it.", status=403
        )
    with transaction.atomic():
        space = lock_space(space_id)
        was_open = space.visibility == Space.Visibility.OPEN
        changed = []
        if name is not None and _clean_name(name) != space.name:
            space.name = _clean_name(name)
            changed.append("name")
        if description is not None:
            space.description = _clean_description(description)
            changed.append("description")
        for field, value in (
            ("visibility", visibility),
            ("who_may_post", who_may_post),
            ("who_may_mention_all", who_may_mention_all),
        ):
            if value is not None:
                setattr(space, field, value)
                changed.append(field)
        if (
            space.kind == Space.Kind.COMPANY
            and space.visibility != Space.Visibility.OPEN
        ):
            raise ServiceError("invalid", "The company-wide space is open to everyone.")
        if not changed:
            return space
        space.save(update_fields=changed)
        if was_open and space.visibility != Space.Visibility.OPEN:
            _forget_followers_copies(space)
        if "name" in changed and space.chat_id:
            chat.rename_space_chat(space.chat_id, space.name)
        _record(space, events.space_updated(space))
    return space
