"""A conversation's messages, page by page, and its threads."""

from django.db.models import Count, QuerySet

from messaging.models import Attachment, Conversation, Message, Reaction

HISTORY_PAGE = 50
HISTORY_PAGE_MAX = 200


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
    return _one_page(
        _top_level(conversation).prefetch_related(
            "reactions", "mentions", "attachments"
        ),
        before=before,
        after=after,
        around=around,
        limit=limit,
    )


def page_history(
    conversation: Conversation, *, around: int | None = None
) -> list[Message]:
    """Return message_history()'s first page (or the page `around` an id)
    as the conversation page draws it: each message with `reaction_list`
    (events.reaction_summary's shape) and `attachment_list`, read in one
    query each, and no mentions (the page shows none).

    Plain lists, not a prefetched related manager per message: for fifty
    messages the three prefetches cost more CPU than the rest of the read.
    """
    page = _one_page(_top_level(conversation), around=around, limit=HISTORY_PAGE)
    ids = [m.pk for m in page]
    reactions: dict[int, dict[str, list[int]]] = {}
    for message_id, emoji, user_id in (
        Reaction.objects.filter(message_id__in=ids)
        .order_by("id")
        .values_list("message_id", "emoji", "user_id")
    ):
        reactions.setdefault(message_id, {}).setdefault(emoji, []).append(user_id)
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(message_id__in=ids):
        files.setdefault(attachment.message_id, []).append(attachment)  # type: ignore[arg-type]
    for m in page:
        m.reaction_list = [  # type: ignore[attr-defined]
            {"emoji": emoji, "users": users}
            for emoji, users in reactions.get(m.pk, {}).items()
        ]
        m.attachment_list = files.get(m.pk, [])  # type: ignore[attr-defined]
    return page


def _top_level(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation, thread_root__isnull=True)
        .select_related("sender")
        .annotate(reply_count=Count("replies"))
    )


def _one_page(
    base: QuerySet[Message],
    *,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    limit: int,
) -> list[Message]:
    limit = max(1, min(limit, HISTORY_PAGE_MAX))
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
