"""The conversation list and its unread counts."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from intranet.sql import placeholders, rows, table
from messaging.events import ConversationKind, Out, Timestamp
from messaging.models import Conversation, Membership, Message
from profiles.models import User


class ConversationSummaryOut(Out):
    """`ConversationSummary.as_dict()`: a sidebar row."""

    id: int
    kind: ConversationKind
    title: str
    unread: int
    mentions: int
    peer: int | None
    last_read_id: int
    last_message_at: Timestamp | None


@dataclass(frozen=True)
class ConversationLink:
    """What a sidebar row shows of a conversation (plain values: see
    conversation_summaries)."""

    pk: int
    kind: str
    title: str
    last_message_at: datetime.datetime | None

    @classmethod
    def of(cls, conversation: Conversation) -> "ConversationLink":
        return cls(
            conversation.pk,
            conversation.kind,
            conversation.title,
            conversation.last_message_at,
        )


@dataclass
class ConversationSummary:
    """A row of the sidebar: the conversation as one person sees it."""

    conversation: ConversationLink
    last_read_id: int
    unread: int
    title: str
    # Unread messages that @mention the person: a subset of `unread`.
    mentions: int = 0
    # In a direct conversation, the other person's id (for their presence).
    peer: int | None = None

    def as_dict(self) -> dict[str, Any]:
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


def _capped_mentions_sql() -> str:
    """SQL for the unread messages of one membership that @mention the
    person, capped at UNREAD_CAP; correlated like _capped_unread_sql, and
    takes the person's id twice.

    Read from the person's end (index `message_mentions_by_user`, on
    user_id and message_id, from the marker up), joined to the messages
    from the marker up in the `message_unread` index: the range on both
    sides keeps PostgreSQL from reading the conversation's whole history
    (it did: 0.2 ms a conversation, 20 ms for a hundred).
    """
    messages, m = table(Message), table(Membership)
    mentions = table(Message.mentions.through)
    return (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {mentions} u0"  # noqa: S608
        f" JOIN {messages} u1 ON u1.id = u0.message_id"
        f" WHERE u0.user_id = %s AND u0.message_id > {m}.last_read_id"
        f" AND u1.conversation_id = {m}.conversation_id"
        f" AND u1.id > {m}.last_read_id"
        " AND u1.thread_root_id IS NULL AND u1.deleted_at IS NULL"
        f" AND u1.sender_id <> %s LIMIT {UNREAD_CAP}) mentioned)"
    )


def conversation_summaries(user: User) -> list[ConversationSummary]:
    """Return `user`'s conversations, most recent first, with unread counts
    (capped at UNREAD_CAP) and unread mentions.

    Not a direct conversation someone else opened that has no message yet.

    Two queries whatever the number of conversations (one when none is
    named after its members). Read as plain values: a busy person's hundred
    rows and their members as model instances cost more CPU than the
    queries (every messaging page draws this list).
    """
    memberships = (
        Membership.objects.filter(user=user)
        # An empty direct conversation is its opener's draft: the other
        # person sees it with its first message.
        .exclude(
            Q(conversation__kind=Conversation.Kind.DIRECT)
            & Q(conversation__last_message_at__isnull=True)
            & ~Q(conversation__created_by=user)
        )
        .annotate(
            unread=RawSQL(_capped_unread_sql(), [user.pk]),  # noqa: S611
            mentions=RawSQL(_capped_mentions_sql(), [user.pk, user.pk]),  # noqa: S611
            # A new conversation without messages counts as active when made.
            activity=Coalesce(
                "conversation__last_message_at", "conversation__created_at"
            ),
        )
        .order_by("-activity", "-conversation_id")
        .values_list(
            "conversation_id",
            "conversation__kind",
            "conversation__title",
            "conversation__last_message_at",
            "last_read_id",
            "unread",
            "mentions",
        )
    )
    listed = list(memberships)
    # Only untitled conversations are named after their members; a big
    # titled group must not load thousands of members for the sidebar.
    people = members_of([pk for pk, _, title, *_ in listed if not title])
    return [
        ConversationSummary(
            conversation=ConversationLink(pk, kind, title, last_message_at),
            last_read_id=last_read_id,
            unread=unread,
            mentions=mentions,
            title=title or named_after(people.get(pk, []), user),
            peer=_peer(kind, people.get(pk, []), user),
        )
        for pk, kind, title, last_message_at, last_read_id, unread, mentions in listed
    ]


def members_of(conversation_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The members of these conversations as (id, display name), by id, in
    one statement (raw: Django preparing a hundred ids cost more CPU than
    the query)."""
    if not conversation_ids:
        return {}
    memberships, users = table(Membership), table(User)
    sql = (
        "SELECT m.conversation_id, u.id, u.first_name, u.last_name, u.email"  # noqa: S608
        f" FROM {memberships} m JOIN {users} u ON u.id = m.user_id"
        f" WHERE m.conversation_id IN ({placeholders(conversation_ids)})"
        " ORDER BY u.id"
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for conversation_id, user_id, first, last, email in rows(sql, conversation_ids):
        # User.display_name, from its parts.
        name = f"{first} {last}".strip() or email
        found.setdefault(conversation_id, []).append((user_id, name))
    return found


def named_after(members: list[tuple[int, str]], viewer: User) -> str:
    """display_title() of an untitled conversation, from members_of()."""
    others = [name for pk, name in members if pk != viewer.pk]
    if not others:
        return f"{viewer.display_name} (you)"
    return ", ".join(others)


def _peer(kind: str, members: list[tuple[int, str]], viewer: User) -> int | None:
    """peer_of(), from members_of()."""
    if kind != Conversation.Kind.DIRECT:
        return None
    return next((pk for pk, _ in members if pk != viewer.pk), None)


def summary_of(conversation: Conversation, user: User) -> ConversationSummary:
    """Return `user`'s summary of one conversation that their list leaves
    out (an empty direct conversation someone else opened): nothing in it
    is unread. Call with memberships prefetched (with_members)."""
    marker = next(
        m.last_read_id for m in conversation.memberships.all() if m.user_id == user.pk
    )
    return ConversationSummary(
        conversation=ConversationLink.of(conversation),
        last_read_id=marker,
        unread=0,
        title=display_title(conversation, user),
        peer=peer_of(conversation, user),
    )


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
    """Count the unread messages in a conversation that @mention `user`,
    capped."""
    memberships = table(Membership)
    sql = (
        f"SELECT {_capped_mentions_sql()} FROM {memberships}"  # noqa: S608
        f" WHERE {memberships}.user_id = %s"
        f" AND {memberships}.conversation_id = %s"
    )
    found = rows(sql, [user.pk, user.pk, user.pk, conversation_id])
    return found[0][0] if found else 0
