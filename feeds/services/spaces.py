"""Spaces and who is in them.

Every change to a space's members changes its chat's members in the same
transaction (messaging's space-chat services), and tells the person's tabs
to follow or stop following `space.<id>` at once.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from feeds import events
from feeds.models import Comment, JoinRequest, Post, Space, SpaceMember
from feeds.selectors.access import SpaceAccess, find_space
from intranet.errors import ServiceError
from intranet.notifications import notify
from intranet.realtime import forget, publish_on_commit, record, user_group
from messaging import services as chat
from profiles.models import Department, User

MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1_000
Role = SpaceMember.Role


def _record(space: Space, payload: dict, *, subject: str = "") -> dict:
    return record(events.space_stream(space.pk), payload, subject=subject)


def lock_space(space_id: int) -> Space:
    """Take the space's row lock (inside transaction.atomic()): changes to
    its members and settings commit one after another, so the chat's
    members and the events describe the same picture."""
    return Space.objects.select_for_update(no_key=True).get(pk=space_id)


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


def _add(space: Space, people: Iterable[User], role: str = Role.MEMBER) -> list[User]:
    """Add people (not yet members) to a locked space and its chat."""
    current = set(
        SpaceMember.objects.filter(space=space).values_list("user_id", flat=True)
    )
    joining = [
        p
        for p in {p.pk: p for p in people}.values()
        if p.pk not in current and p.is_active
    ]
    if not joining:
        return []
    SpaceMember.objects.bulk_create(
        SpaceMember(space=space, user=p, role=role) for p in joining
    )
    JoinRequest.objects.filter(space=space, user__in=joining).delete()
    if space.chat_id:
        chat.set_space_chat_members(space.chat_id, add=[p.pk for p in joining])
    stream = events.space_stream(space.pk)
    for person in joining:
        publish_on_commit(
            events.space_joined(space, role),
            groups=[user_group(person.pk)],
            follow=[stream],
        )
    return joining


def _remove(space: Space, user_ids: Iterable[int]) -> None:
    ids = set(user_ids)
    SpaceMember.objects.filter(space=space, user_id__in=ids).delete()
    if space.chat_id:
        chat.set_space_chat_members(space.chat_id, remove=ids)
    stream = events.space_stream(space.pk)
    for user_id in ids:
        publish_on_commit(
            events.space_left(space.pk), groups=[user_group(user_id)], unfollow=[stream]
        )


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


def join_space(user: User, *, space_id: int) -> SpaceMember:
    """Join an open space (again: no change)."""
    access = find_space(user, space_id=space_id)
    if access.member is not None:
        return access.member
    if access.space.visibility != Space.Visibility.OPEN:
        raise ServiceError(
            "closed",
            "This space is closed: ask to join, and a leader decides.",
            status=403,
        )
    with transaction.atomic():
        space = lock_space(space_id)
        _add(space, [user])
    return SpaceMember.objects.get(space_id=space_id, user=user)


def leave_space(user: User, *, space_id: int) -> None:
    """Leave a space and its chat. Team and company-wide spaces follow the
    directory, and a space keeps at least one leader."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        return
    space = access.space
    if space.kind in (Space.Kind.TEAM, Space.Kind.COMPANY):
        raise ServiceError(
            "managed",
            "You belong to this space through the directory: it cannot be left.",
            status=409,
        )
    with transaction.atomic():
        lock_space(space.pk)
        if (
            access.is_leader
            and not SpaceMember.objects.filter(space=space, role=Role.LEADER)
            .exclude(user=user)
            .exists()
        ):
            raise ServiceError(
                "last_leader",
                "You are this space's only leader: make someone else a leader first.",
                status=409,
            )
        _remove(space, [user.pk])


def request_to_join(user: User, *, space_id: int, message: str = "") -> JoinRequest:
    """Ask to join a closed space; its leaders are told."""
    access = find_space(user, space_id=space_id)
    if access.member is not None:
        raise ServiceError("member", "You are already a member.", status=409)
    if access.space.visibility == Space.Visibility.OPEN:
        raise ServiceError("open", "This space is open: join it directly.", status=409)
    message = message.strip()
    if len(message) > 500:
        raise ServiceError(
            "too_long", "A request's note can be at most 500 characters."
        )
    try:
        with transaction.atomic():
            request, created = JoinRequest.objects.get_or_create(
                space=access.space, user=user, defaults={"message": message}
            )
            if created:
                leaders = SpaceMember.objects.filter(
                    space=access.space, role=Role.LEADER
                )
                notify(
                    leaders.values_list("user_id", flat=True),
                    kind="join_request",
                    text=f"{user.display_name} asked to join {access.space.name}",
                    url=access.space.get_absolute_url(),
                    actor=user,
                )
    except IntegrityError:  # asked twice at once
        return JoinRequest.objects.get(space=access.space, user=user)
    return request


def decide_request(leader: User, *, space_id: int, user_id: int, approve: bool) -> None:
    """Approve or decline someone's request to join; leaders only."""
    access = _led(leader, space_id)
    request = JoinRequest.objects.filter(space=access.space, user_id=user_id).first()
    if request is None:
        raise ServiceError(
            "no_request", "That person has not asked to join.", status=404
        )
    with transaction.atomic():
        space = lock_space(space_id)
        if approve:
            _add(space, [request.user])
        request.delete()
        notify(
            [user_id],
            kind="join_decided",
            text=f"You are now a member of {space.name}"
            if approve
            else f"Your request to join {space.name} was declined",
            url=space.get_absolute_url() if approve else "",
            actor=leader,
        )


def _led(user: User, space_id: int) -> SpaceAccess:
    access = find_space(user, space_id=space_id)
    if not access.is_leader:
        raise ServiceError(
            "forbidden", "Only the space's leaders can do that.", status=403
        )
    return access


def add_members(leader: User, *, space_id: int, user_ids: Iterable[int]) -> list[User]:
    """Add people to a space; leaders only."""
    _led(leader, space_id)
    people = list(User.objects.filter(pk__in=set(user_ids), is_active=True))
    if len(people) != len(set(user_ids)):
        raise ServiceError("unknown_person", "Some of those people do not exist.")
    with transaction.atomic():
        return _add(lock_space(space_id), people)


def remove_member(leader: User, *, space_id: int, user_id: int) -> None:
    """Remove someone from a space; leaders only, and not from a space the
    directory keeps."""
    access = _led(leader, space_id)
    if access.space.kind in (Space.Kind.TEAM, Space.Kind.COMPANY):
        raise ServiceError(
            "managed", "The directory decides who is in this space.", status=409
        )
    if user_id == leader.pk:
        raise ServiceError("self", "Leave the space instead.", status=409)
    with transaction.atomic():
        space = lock_space(space_id)
        if not SpaceMember.objects.filter(space=space, user_id=user_id).exists():
            raise ServiceError("not_member", "That person is not a member.", status=404)
        _remove(space, [user_id])


def set_role(leader: User, *, space_id: int, user_id: int, role: str) -> SpaceMember:
    """Make a member a leader, moderator or member; leaders only, and the
    space keeps a leader."""
    access = _led(leader, space_id)
    if role not in Role.values:
        raise ServiceError("invalid", "A role is leader, moderator or member.")
    with transaction.atomic():
        space = lock_space(space_id)
        member = (
            SpaceMember.objects.filter(space=space, user_id=user_id)
            .select_related("user")
            .first()
        )
        if member is None:
            raise ServiceError("not_member", "That person is not a member.", status=404)
        if (
            member.role == Role.LEADER
            and role != Role.LEADER
            and not (
                SpaceMember.objects.filter(space=space, role=Role.LEADER)
                .exclude(pk=member.pk)
                .exists()
            )
        ):
            raise ServiceError(
                "last_leader", "A space needs at least one leader.", status=409
            )
        if member.role != role:
            member.role = role
            member.save(update_fields=["role"])
            _record(
                space,
                {
                    "type": "space.member_updated",
                    "space": space.pk,
                    "member": events.member_data(member),
                },
            )
    del access
    return member


def mute_space(user: User, *, space_id: int, muted: bool) -> None:
    """Keep reading a space without its unread mark (and without a
    notification for each post), or hear of it again."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    changes = {"muted": muted, **({"every_post": False} if muted else {})}
    SpaceMember.objects.filter(pk=access.member.pk).update(**changes)


def follow_closely(user: User, *, space_id: int, closely: bool) -> None:
    """Be notified of every new post in a space (which unmutes it), or
    only of mentions and replies again."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    changes = {"every_post": closely, **({"muted": False} if closely else {})}
    SpaceMember.objects.filter(pk=access.member.pk).update(**changes)


def mark_space_read(user: User, *, space_id: int, post_id: int) -> int:
    """Move `user`'s read marker in a space up to its newest post at or
    below `post_id` (never back); return the marker. A number past the
    newest post must not mark posts yet to come as read."""
    access = find_space(user, space_id=space_id)
    if access.member is None:
        raise ServiceError("not_member", "Join the space first.", status=409)
    newest = (
        Post.objects.filter(space_id=space_id, pk__lte=post_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if newest is None:
        raise ServiceError("no_post", "No such post in this space.", status=404)
    updated = SpaceMember.objects.filter(
        pk=access.member.pk, last_read_post_id__lt=newest
    ).update(last_read_post_id=newest)
    if updated:
        publish_on_commit(
            {"type": "space.read", "space": space_id, "last_read_post_id": newest},
            groups=[user_group(user.pk)],
        )
    return max(newest, access.member.last_read_post_id)


# Spaces the directory keeps: each department's team, and the company.


def company_space() -> Space | None:
    return Space.objects.filter(kind=Space.Kind.COMPANY).order_by("pk").first()


def sync_person(user: User) -> None:
    """Keep `user` in their department's team space and the company-wide
    space, and out of other teams (and out of everything once they leave
    the company). Called when a person is saved."""
    wanted: set[int] = set()
    if user.is_active:
        team = (
            Space.objects.filter(
                kind=Space.Kind.TEAM, department_id=user.department_id
            ).first()
            if user.department_id
            else None
        )
        company = company_space()
        wanted = {s.pk for s in (team, company) if s is not None}
    current = set(
        SpaceMember.objects.filter(
            user=user, space__kind__in=[Space.Kind.TEAM, Space.Kind.COMPANY]
        ).values_list("space_id", flat=True)
    )
    if wanted == current and user.is_active:
        return
    with transaction.atomic():
        for space_id in sorted(wanted - current):
            _add(lock_space(space_id), [user])
        for space_id in sorted(current - wanted):
            _remove(lock_space(space_id), [user.pk])
        if not user.is_active:
            for space_id in SpaceMember.objects.filter(user=user).values_list(
                "space_id", flat=True
            ):
                _remove(lock_space(space_id), [user.pk])
