"""Who may see what: access is decided here, once. A person sees a
conversation only while they are a member of it (Http404 otherwise)."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from messaging.models import Attachment, Conversation, Membership, Message
from profiles.models import User


def visible_conversations(user: User) -> QuerySet[Conversation]:
    return Conversation.objects.filter(memberships__user=user)


def get_conversation_for_user(user: User, conversation_id: int) -> Conversation:
    """Return the conversation if `user` is a member; Http404 otherwise."""
    conversation = visible_conversations(user).filter(pk=conversation_id).first()
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def get_message_for_user(user: User, message_id: int) -> Message:
    """Return a message in one of `user`'s conversations; Http404 otherwise."""
    message = (
        Message.objects.filter(pk=message_id, conversation__memberships__user=user)
        .select_related("sender", "conversation")
        .prefetch_related("attachments")
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def get_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    """Return an attachment `user` may download; Http404 otherwise.

    That is one sent with a message (not deleted) in one of `user`'s
    conversations, or `user`'s own upload not sent yet.
    """
    attachment = Attachment.objects.filter(
        Q(message__isnull=False, message__deleted_at__isnull=True)
        | Q(message__isnull=True, uploader=user),
        pk=attachment_id,
        conversation__memberships__user=user,
    ).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def is_member(user_id: int, conversation_id: int) -> bool:
    return Membership.objects.filter(
        user_id=user_id, conversation_id=conversation_id
    ).exists()


def with_members(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("user_id"),
        )
    )
