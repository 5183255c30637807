"""Reads about conversations. Access is decided here, once: a person sees a
conversation only while they are a member of it (Http404 otherwise)."""

import datetime
import zoneinfo
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

from intranet.sql import placeholders, rows, table
from messaging import events, search
from messaging.models import Attachment, Conversation, Membership, Message
from profiles.models import User

HISTORY_PAGE = 50


def visible_conversations(user: User) -> QuerySet[Conversation]:
    return Conversation.objects.filter(memberships__user=user)


def conversation_ids_by_user(user_ids: list[int]) -> dict[int, set[int]]:
    """Return each user's conversation ids, in one statement.

    Raw SQL, as for the sync (events_since): every socket's connect asks
    this, and the compiled queryset cost 0.27 ms of CPU to this 0.05."""
    result: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    if not user_ids:
        return result
    sql = (
        f"SELECT user_id, conversation_id FROM {table(Membership)}"  # noqa: S608
        f" WHERE user_id IN ({placeholders(user_ids)})"
    )
    for user_id, conversation_id in rows(sql, list(user_ids)):
        result[user_id].add(conversation_id)
    return result


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
    # Unread messages that @mention the person: a subset of `unread`.
    mentions: int = 0
    # In a direct conversation, the other person's id (for their presence).
    peer: int | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.conversation.pk,
            "kind": self.conversation.kind,
            "title": self.title,
            "unread": self.unread,
            "mentions": self.mentions,
            "peer": self.peer,
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


def peer_of(conversation: Conversation, viewer: User) -> int | None:
    """Return the other person of a direct conversation; call with
    memberships prefetched."""
    if conversation.kind != Conversation.Kind.DIRECT:
        return None
    others = [m.user_id for m in conversation.memberships.all()]
    return next((i for i in others if i != viewer.pk), None)


def _count_per_conversation(messages: QuerySet[Message]) -> Coalesce:
    """Count `messages` (filtered against OuterRef("conversation")) as a
    subquery annotation of a membership."""
    counted = (
        messages.order_by().values("conversation").annotate(n=Count("id")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def conversation_summaries(user: User) -> list[ConversationSummary]:
    """Return `user`'s conversations, most recent first, with unread counts
    and unread mentions.

    Two queries whatever the number of conversations.
    """
    unread = Message.objects.filter(
        conversation=OuterRef("conversation"),
        id__gt=OuterRef("last_read_id"),
        deleted_at__isnull=True,
        thread_root__isnull=True,
    ).exclude(sender=user)
    memberships = (
        Membership.objects.filter(user=user)
        .annotate(
            unread=_count_per_conversation(unread),
            mentions=_count_per_conversation(unread.filter(mentions=user)),
        )
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
            mentions=m.mentions,  # type: ignore[attr-defined]
            title=display_title(m.conversation, user),
            peer=peer_of(m.conversation, user),
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


def unread_mentions_in(user: User, conversation_id: int) -> int:
    """Count the unread messages in a conversation that @mention `user`."""
    return (
        unread_messages(user)
        .filter(conversation_id=conversation_id, mentions=user)
        .count()
    )


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


SEARCH_PAGE = 20
SEARCH_PAGE_MAX = 50


@dataclass
class SearchHit:
    message: Message
    snippet: str  # safe HTML: escaped text, the hits in <mark>
    conversation_title: str

    def as_dict(self) -> dict:
        return {
            "message": events.message_data(self.message),
            "snippet": self.snippet,
            "conversation_title": self.conversation_title,
        }


@dataclass
class SearchResults:
    hits: list[SearchHit]
    # Pass as `cursor` for the next (older) page; None on the last page.
    next_cursor: int | None


def _start_of_day(day: datetime.date, user: User) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(user.time_zone)
    )


def search_messages(
    user: User,
    query: str,
    *,
    conversation_id: int | None = None,
    sender_id: int | None = None,
    after: datetime.date | None = None,
    before: datetime.date | None = None,
    cursor: int | None = None,
    limit: int = SEARCH_PAGE,
) -> SearchResults:
    """Return one page of `user`'s messages that match `query`, newest first.

    Only messages of conversations `user` is a member of, and not deleted,
    are searched: the membership filter is part of the search query itself.
    `query` is websearch syntax (words, "a phrase", -word, or). `after` and
    `before` are days in `user`'s time zone (on or after, strictly before);
    `cursor` is the previous page's `next_cursor`. Raise ServiceError (400)
    for an unusable query and Http404 for a conversation that is not theirs.
    Six queries, whatever the number of hits.
    """
    parsed = search.parse_query(query)
    limit = max(1, min(limit, SEARCH_PAGE_MAX))
    messages = Message.objects.filter(
        conversation__in=Membership.objects.filter(user=user).values("conversation_id"),
        deleted_at__isnull=True,
    )
    if conversation_id is not None:
        get_conversation_for_user(user, conversation_id)  # Http404
        messages = messages.filter(conversation_id=conversation_id)
    if sender_id is not None:
        messages = messages.filter(sender_id=sender_id)
    if after is not None:
        messages = messages.filter(created_at__gte=_start_of_day(after, user))
    if before is not None:
        messages = messages.filter(created_at__lt=_start_of_day(before, user))
    if cursor is not None:
        messages = messages.filter(id__lt=cursor)
    engine = search.backend()
    page = list(
        engine.matching(messages, parsed)
        .select_related("sender", "conversation")
        .prefetch_related(
            "reactions",
            "mentions",
            "attachments",
            # Titles: only untitled conversations are named after members.
            Prefetch(
                "conversation__memberships",
                queryset=Membership.objects.filter(conversation__title="")
                .select_related("user")
                .order_by("user_id"),
            ),
        )
        .order_by("-id")[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    excerpts = engine.excerpts([m.pk for m in page], parsed)
    return SearchResults(
        hits=[
            SearchHit(
                message=m,
                snippet=search.mark_snippet(excerpts.get(m.pk, ""), m.body),
                conversation_title=display_title(m.conversation, user),
            )
            for m in page
        ],
        next_cursor=page[-1].pk if more else None,
    )
