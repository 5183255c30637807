"""Reads about conversations. Access is decided here, once: a person sees a
conversation only while they are a member of it (Http404 otherwise)."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from messaging.models import Attachment, Conversation, Event, Membership, Message
from profiles.models import User

HISTORY_PAGE = 50
SYNC_LIMIT = 500
# Event ids are taken at insert and become visible at commit, so a
# transaction that took a lower id can commit after a client saw a higher
# one. Replaying this many ids below the cursor catches those; clients apply
# events idempotently, so a replayed event changes nothing.
SYNC_LOOKBACK = 200


def visible_conversations(user: User) -> QuerySet[Conversation]:
    return Conversation.objects.filter(memberships__user=user)


def conversation_ids_for(user: User | int) -> list[int]:
    return list(
        Membership.objects.filter(user=user).values_list("conversation_id", flat=True)
    )


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


@dataclass
class ConversationSummary:
    """A row of the sidebar: the conversation as one person sees it."""

    conversation: Conversation
    last_read_id: int
    unread: int
    title: str

    def as_dict(self) -> dict:
        return {
            "id": self.conversation.pk,
            "kind": self.conversation.kind,
            "title": self.title,
            "unread": self.unread,
            "last_read_id": self.last_read_id,
            "last_message_at": self.conversation.last_message_at.isoformat()
            if self.conversation.last_message_at
            else None,
        }


def display_title(conversation: Conversation, viewer: User) -> str:
    """Name a conversation for `viewer`; call with memberships prefetched."""
    if conversation.title:
        return conversation.title
    others = [m.user for m in conversation.memberships.all() if m.user_id != viewer.pk]
    if not others:
        return f"{viewer.display_name} (you)"
    return ", ".join(person.display_name for person in others)


def conversation_summaries(user: User) -> list[ConversationSummary]:
    """Return `user`'s conversations, most recent first, with unread counts.

    Two queries whatever the number of conversations.
    """
    unread = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            id__gt=OuterRef("last_read_id"),
            deleted_at__isnull=True,
            thread_root__isnull=True,
        )
        .exclude(sender=user)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    memberships = (
        Membership.objects.filter(user=user)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .select_related("conversation")
        # Only untitled conversations are named after their members; a big
        # titled group must not load thousands of members for the sidebar.
        .prefetch_related(
            Prefetch(
                "conversation__memberships",
                queryset=Membership.objects.filter(conversation__title="")
                .select_related("user")
                .order_by("user_id"),
            )
        )
        # A new conversation without messages counts as active when made.
        .annotate(
            activity=Coalesce(
                "conversation__last_message_at", "conversation__created_at"
            )
        )
        .order_by("-activity", "-conversation_id")
    )
    return [
        ConversationSummary(
            conversation=m.conversation,
            last_read_id=m.last_read_id,
            unread=m.unread,  # type: ignore[attr-defined]
            title=display_title(m.conversation, user),
        )
        for m in memberships
    ]


def unread_messages(user: User) -> QuerySet[Message]:
    """Messages `user` has not read: above their marker, not their own,
    not deleted, not thread replies (threads are read in their panel)."""
    return Message.objects.filter(
        # One filter() call: both conditions apply to the same membership.
        conversation__memberships__user=user,
        id__gt=F("conversation__memberships__last_read_id"),
        deleted_at__isnull=True,
        thread_root__isnull=True,
    ).exclude(sender=user)


def total_unread(user: User) -> int:
    return unread_messages(user).count()


def unread_in(user: User, conversation_id: int) -> int:
    return unread_messages(user).filter(conversation_id=conversation_id).count()


def message_history(
    conversation: Conversation,
    *,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    limit: int = HISTORY_PAGE,
) -> list[Message]:
    """Return top-level messages in id order, one page, by id cursor.

    `before` pages back, `after` pages forward, `around` centres on one id
    (a permalink). Deleted messages stay as tombstones.
    """
    limit = max(1, min(limit, 200))
    base: QuerySet[Message] = (
        Message.objects.filter(conversation=conversation, thread_root__isnull=True)
        .select_related("sender")
        .prefetch_related("reactions", "mentions", "attachments")
        .annotate(reply_count=Count("replies"))
    )
    if around is not None:
        older = list(base.filter(id__lte=around).order_by("-id")[: limit // 2 + 1])
        newer = list(base.filter(id__gt=around).order_by("id")[: limit // 2])
        return older[::-1] + newer
    if after is not None:
        return list(base.filter(id__gt=after).order_by("id")[:limit])
    if before is not None:
        base = base.filter(id__lt=before)
    return list(base.order_by("-id")[:limit])[::-1]


def thread_messages(root: Message) -> list[Message]:
    return list(
        Message.objects.filter(thread_root=root)
        .select_related("sender")
        .prefetch_related("reactions", "mentions", "attachments")
        .order_by("id")
    )


def latest_cursor() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


@dataclass
class SyncResult:
    events: list[dict]
    cursor: int
    more: bool
    resync_required: bool = False


def events_since(user: User, since: int) -> SyncResult:
    """Return the stored events of `user`'s conversations after `since`."""
    oldest = Event.objects.order_by("id").values_list("id", flat=True).first()
    if since and oldest is not None and since < oldest - 1:
        # Pruned: the gap cannot be replayed, so say so instead of guessing.
        return SyncResult(
            events=[], cursor=latest_cursor(), more=False, resync_required=True
        )
    rows = list(
        Event.objects.filter(
            conversation__memberships__user=user,
            id__gt=max(0, since - SYNC_LOOKBACK),
        )
        .order_by("id")
        .values_list("id", "payload")[: SYNC_LIMIT + 1]
    )
    more = len(rows) > SYNC_LIMIT
    rows = rows[:SYNC_LIMIT]
    events = [{**payload, "cursor": event_id} for event_id, payload in rows]
    cursor = rows[-1][0] if rows else max(since, 0)
    return SyncResult(events=events, cursor=max(cursor, since), more=more)
