"""Read markers and typing."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from intranet.errors import ServiceError
from intranet.realtime import publish, publish_on_commit, user_group
from messaging import events
from messaging.models import Membership, Message
from messaging.selectors import (
    get_conversation_for_user,
    is_member,
    total_unread,
    unread_in,
    unread_mentions_in,
)
from profiles.models import User


def mark_read(user: User, *, conversation_id: int, message_id: int) -> int:
    """Move `user`'s read marker up to `message_id`; return the marker.

    Every tab and device of `user` hears `read.updated`.
    """
    conversation = get_conversation_for_user(user, conversation_id)
    newest = (
        Message.objects.filter(conversation=conversation, id__lte=message_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if newest is None:
        raise ServiceError(
            "not_found", "No such message in this conversation.", status=404
        )
    with transaction.atomic():
        Membership.objects.filter(
            Q(last_read_id__lt=newest), conversation=conversation, user=user
        ).update(last_read_id=newest)
        marker = Membership.objects.get(
            conversation=conversation, user=user
        ).last_read_id
        payload = events.read_updated(
            conversation.pk,
            marker,
            unread=unread_in(user, conversation.pk),
            mentions=unread_mentions_in(user, conversation.pk),
            total_unread=total_unread(user),
        )
        publish_on_commit(payload, groups=[user_group(user.pk)])
    return marker


def set_typing(user: User, *, conversation_id: int, active: bool) -> None:
    """Tell the other members `user` is (or stopped) typing, unless they are
    too many to care (TYPING_MAX_MEMBERS). Not stored."""
    if not is_member(user.pk, conversation_id):
        raise Http404("No such conversation.")
    members = Membership.objects.filter(conversation_id=conversation_id)
    # Counts at most one past the line, however big the conversation.
    if members[: settings.TYPING_MAX_MEMBERS + 1].count() > settings.TYPING_MAX_MEMBERS:
        return
    publish(
        events.typing(conversation_id, user, active=active),
        groups=[events.conversation_group(conversation_id)],
        skip_user=user.pk,  # nobody needs their own typing indicator
    )
