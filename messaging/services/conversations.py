"""Direct and group conversations and who is in them."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from intranet.errors import ServiceError
from intranet.realtime import publish_on_commit, user_group
from messaging import events
from messaging.models import MAX_TITLE_LENGTH as MAX_TITLE_LENGTH
from messaging.models import Conversation, Membership
from messaging.selectors import get_conversation_for_user, with_members
from messaging.services.log import lock_conversation, record_event
from profiles.models import User

MAX_GROUP_SIZE = 100


def _active_people(user_ids: Iterable[int]) -> list[User]:
    ids = set(user_ids)
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(people) != len(ids):
        raise ServiceError("unknown_person", "Some of those people do not exist.")
    return people


def _announce_joined(
    conversation: Conversation, people: Iterable[User], *, listed: bool = True
) -> None:
    """Tell each new member's sockets to follow the conversation."""
    stream = events.conversation_group(conversation.pk)
    for member in people:
        publish_on_commit(
            events.conversation_joined(conversation.pk, listed=listed),
            groups=[user_group(member.pk)],
            follow=[stream],
        )


def get_or_create_direct(user: User, *, other_id: int) -> Conversation:
    """Return the one direct conversation between `user` and `other_id`."""
    (other,) = _active_people([other_id])
    low, high = sorted((user.pk, other.pk))
    key = f"{low}:{high}"
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT, direct_key=key, created_by=user
            )
            people = {user.pk: user, other.pk: other}.values()
            Membership.objects.bulk_create(
                Membership(conversation=conversation, user=p) for p in people
            )
            _announce_joined(conversation, [user])
            # The other person's tabs follow it now, so its first message
            # reaches them live, but it enters their list only with that
            # message (selectors.conversation_summaries).
            if other.pk != user.pk:
                _announce_joined(conversation, [other], listed=False)
    except IntegrityError:  # both people opened it at once; one row won
        return Conversation.objects.get(direct_key=key)
    return conversation


def _clean_title(title: str) -> str:
    """Return a group's name stripped; "" leaves the group unnamed."""
    title = title.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise ServiceError(
            "too_long",
            f"A name can be at most {MAX_TITLE_LENGTH} characters "
            f"(this one has {len(title)}).",
        )
    return title


def create_group(user: User, *, title: str, member_ids: Iterable[int]) -> Conversation:
    """Create a group conversation of `user` and `member_ids`."""
    title = _clean_title(title)
    ids = set(member_ids) | {user.pk}
    if len(ids) < 2:
        raise ServiceError("too_few", "A group needs at least one other person.")
    if len(ids) > MAX_GROUP_SIZE:
        raise ServiceError(
            "too_many", f"A group can have at most {MAX_GROUP_SIZE} people."
        )
    people = _active_people(ids)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, title=title, created_by=user
        )
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in people
        )
        _announce_joined(conversation, people)
    return conversation


def add_members(user: User, *, conversation_id: int, member_ids: Iterable[int]) -> None:
    """Add people to a group conversation `user` belongs to."""
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind != Conversation.Kind.GROUP:
        # A direct conversation is between exactly two people, for ever:
        # adding a third would show them a history written for two.
        raise ServiceError(
            "not_a_group", "Only group conversations can take new people."
        )
    current = set(conversation.memberships.values_list("user_id", flat=True))
    new = set(member_ids) - current
    if not new:
        return
    if len(current | new) > MAX_GROUP_SIZE:
        raise ServiceError(
            "too_many", f"A group can have at most {MAX_GROUP_SIZE} people."
        )
    people = _active_people(new)
    with transaction.atomic():
        lock_conversation(conversation.pk)
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in people
        )
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        record_event(conversation.pk, events.conversation_updated(refreshed))
        _announce_joined(conversation, people)


def rename_conversation(user: User, *, conversation_id: int, name: str) -> Conversation:
    """Rename a group conversation `user` belongs to; return it.

    An empty `name` leaves the group unnamed: pages then call it after its
    other members. The same name again changes nothing and tells no one.
    """
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind == Conversation.Kind.DIRECT:
        # A direct conversation is named after the other person, for each
        # of the two; a name would be one person's label on the other.
        raise ServiceError(
            "not_a_group",
            "A direct conversation cannot be renamed: it is named after the "
            "other person.",
        )
    if conversation.kind != Conversation.Kind.GROUP:
        raise ServiceError(
            "not_a_group",
            "A space's chat is named after its space: rename the space instead.",
        )
    name = _clean_title(name)
    with transaction.atomic():
        locked = lock_conversation(conversation.pk)
        if locked.title == name:
            return locked
        locked.title = name
        locked.save(update_fields=["title"])
        refreshed = with_members(Conversation.objects.filter(pk=locked.pk)).get()
        record_event(locked.pk, events.conversation_updated(refreshed))
    return refreshed


def leave_conversation(user: User, *, conversation_id: int) -> None:
    """Leave a group conversation; its events stop reaching `user` at once."""
    conversation = get_conversation_for_user(user, conversation_id)
    if conversation.kind != Conversation.Kind.GROUP:
        raise ServiceError("not_a_group", "You can only leave group conversations.")
    with transaction.atomic():
        lock_conversation(conversation.pk)
        Membership.objects.filter(conversation=conversation, user=user).delete()
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        record_event(conversation.pk, events.conversation_updated(refreshed))
        publish_on_commit(
            events.conversation_left(conversation.pk),
            groups=[user_group(user.pk)],
            unfollow=[events.conversation_group(conversation.pk)],
        )


# A space's chat. The app that owns spaces decides who may do what and
# calls these inside its own transaction, so the chat's members change
# with the space's, atomically; messaging knows nothing of spaces.


def open_space_chat(*, title: str, member_ids: Iterable[int]) -> Conversation:
    """Create the chat of a space named `title`, with these members."""
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.SPACE, title=_clean_title(title)
        )
        people = list(User.objects.filter(pk__in=set(member_ids), is_active=True))
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in people
        )
        _announce_joined(conversation, people)
    return conversation


def set_space_chat_members(
    conversation_id: int, *, add: Iterable[int] = (), remove: Iterable[int] = ()
) -> None:
    """Add and remove members of a space's chat; their tabs follow or stop
    following it at once, and every member hears conversation.updated."""
    add, remove = set(add), set(remove)
    if not add and not remove:
        return
    with transaction.atomic():
        conversation = lock_conversation(conversation_id)
        if conversation.kind != Conversation.Kind.SPACE:
            raise ValueError("Only a space's chat follows its space.")
        current = set(conversation.memberships.values_list("user_id", flat=True))
        joining = list(User.objects.filter(pk__in=add - current, is_active=True))
        leaving = remove & current
        Membership.objects.bulk_create(
            Membership(conversation=conversation, user=p) for p in joining
        )
        Membership.objects.filter(
            conversation=conversation, user_id__in=leaving
        ).delete()
        if not joining and not leaving:
            return
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        record_event(conversation.pk, events.conversation_updated(refreshed))
        _announce_joined(conversation, joining)
        for user_id in leaving:
            publish_on_commit(
                events.conversation_left(conversation.pk),
                groups=[user_group(user_id)],
                unfollow=[events.conversation_group(conversation.pk)],
            )


def rename_space_chat(conversation_id: int, title: str) -> None:
    """Name a space's chat after its space, as renamed."""
    with transaction.atomic():
        conversation = lock_conversation(conversation_id)
        title = _clean_title(title)
        if conversation.title == title:
            return
        conversation.title = title
        conversation.save(update_fields=["title"])
        refreshed = with_members(Conversation.objects.filter(pk=conversation.pk)).get()
        record_event(conversation.pk, events.conversation_updated(refreshed))
