"""Emoji reactions on messages."""

from django.db import transaction

from intranet.errors import ServiceError
from messaging import events
from messaging.models import MAX_EMOJI_LENGTH, Message, Reaction
from messaging.selectors import get_message_for_user
from messaging.services.log import lock_message, record_event
from profiles.models import User


def add_reaction(user: User, *, message_id: int, emoji: str) -> Message:
    """Add `user`'s `emoji` to a message (again: no change)."""
    return _change_reaction(user, message_id, emoji, add=True)


def remove_reaction(user: User, *, message_id: int, emoji: str) -> Message:
    """Take `user`'s `emoji` off a message (not there: no change)."""
    return _change_reaction(user, message_id, emoji, add=False)


def _change_reaction(user: User, message_id: int, emoji: str, *, add: bool) -> Message:
    message = get_message_for_user(user, message_id)
    emoji = emoji.strip()
    if not emoji or len(emoji) > MAX_EMOJI_LENGTH or any(c.isspace() for c in emoji):
        raise ServiceError("invalid", "A reaction is one emoji.")
    with transaction.atomic():
        # Locked, so the summary recorded below is the newest at its cursor.
        message = lock_message(message.pk)
        if message.is_deleted:
            raise ServiceError("deleted", "That message was deleted.", status=409)
        if add:
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        else:
            Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        record_event(
            message.conversation_id,
            events.reaction_changed(message),
            message_id=message.pk,
        )
    return message
