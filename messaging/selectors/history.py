"""A conversation's messages, page by page, and its threads."""

from django.db.models import Count, QuerySet

from messaging.models import Conversation, Message

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
    limit = max(1, min(limit, HISTORY_PAGE_MAX))
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
