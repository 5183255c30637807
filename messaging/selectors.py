"""Reads about conversations. Access is decided here, once: a person sees a
conversation only while they are a member of it (Http404 otherwise)."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
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


# Unread counts stop here: a count of UNREAD_CAP means "at least that
# many" and shows as "99+". It bounds what a count reads: at most this many
# index entries per conversation, whatever the size of its history
# (docs/architecture.md, "Unread counts").
UNREAD_CAP = 100


def _capped_unread_sql() -> str:
    """SQL for one membership's unread count, capped at UNREAD_CAP.

    Correlated to the outer membership row (its table name, unaliased);
    takes the person's id as its one parameter. Unread is: above the read
    marker, not their own, not deleted, not a thread reply (threads are
    read in their panel). Each count is an index range scan of the partial
    `message_unread` index from the marker up, stopped by the LIMIT.
    """
    messages, m = table(Message), table(Membership)
    return (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {messages} x"  # noqa: S608
        f" WHERE x.conversation_id = {m}.conversation_id"
        f" AND x.id > {m}.last_read_id"
        " AND x.thread_root_id IS NULL AND x.deleted_at IS NULL"
        f" AND x.sender_id <> %s LIMIT {UNREAD_CAP}) unread)"
    )


def _unread_mentions(user: User) -> QuerySet:
    """`user`'s mentions in their unread messages, as rows of the mentions
    table, correlated to an outer membership.

    Read from the person's end (index `message_mentions_by_user`, on
    user_id and message_id), so a count reads only their own mentions
    above the marker, never the conversation's messages.
    """
    return Message.mentions.through.objects.filter(
        user=user,
        message_id__gt=OuterRef("last_read_id"),
        message__conversation=OuterRef("conversation"),
        message__deleted_at__isnull=True,
        message__thread_root__isnull=True,
    ).exclude(message__sender=user)


def _count_mentions(user: User) -> Coalesce:
    """Count `user`'s unread mentions as a subquery annotation of a
    membership (grouped by the one user, so one row or none)."""
    counted = (
        _unread_mentions(user)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def conversation_summaries(user: User) -> list[ConversationSummary]:
    """Return `user`'s conversations, most recent first, with unread counts
    (capped at UNREAD_CAP) and unread mentions.

    Two queries whatever the number of conversations.
    """
    memberships = (
        Membership.objects.filter(user=user)
        .annotate(
            unread=RawSQL(_capped_unread_sql(), [user.pk]),  # noqa: S611
            mentions=_count_mentions(user),
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
            mentions=min(m.mentions, UNREAD_CAP),  # type: ignore[attr-defined]
            title=display_title(m.conversation, user),
            peer=peer_of(m.conversation, user),
        )
        for m in memberships
    ]


def total_unread(user: User) -> int:
    """Count `user`'s unread messages, capped at UNREAD_CAP; one statement.

    Reads at most UNREAD_CAP index entries per conversation of theirs."""
    memberships = table(Membership)
    sql = (
        f"SELECT SUM({_capped_unread_sql()}) FROM {memberships}"  # noqa: S608
        f" WHERE {memberships}.user_id = %s"
    )
    ((total,),) = rows(sql, [user.pk, user.pk])
    return min(int(total or 0), UNREAD_CAP)  # SUM is a decimal on PostgreSQL


def unread_in(user: User, conversation_id: int) -> int:
    """Count `user`'s unread messages in one conversation, capped."""
    memberships = table(Membership)
    sql = (
        f"SELECT {_capped_unread_sql()} FROM {memberships}"  # noqa: S608
        f" WHERE {memberships}.user_id = %s"
        f" AND {memberships}.conversation_id = %s"
    )
    found = rows(sql, [user.pk, user.pk, conversation_id])
    return found[0][0] if found else 0


def unread_mentions_in(user: User, conversation_id: int) -> int:
    """Count the unread messages in a conversation that @mention `user`."""
    marker = Membership.objects.filter(user=user, conversation_id=conversation_id)
    found = marker.annotate(n=_count_mentions(user)).values_list("n", flat=True).first()
    return min(found or 0, UNREAD_CAP)


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
