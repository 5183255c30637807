"""Reads about conversations, shared by pages, the API, the socket and
search: who may see what (access), the conversation list and its unread
counts (sidebar), history and threads, and search."""

from messaging.selectors.access import (
    get_attachment_for_user,
    get_conversation_for_user,
    get_message_for_user,
    is_member,
    visible_conversations,
    with_members,
)
from messaging.selectors.history import (
    HISTORY_PAGE,
    HISTORY_PAGE_MAX,
    message_history,
    page_history,
    thread_messages,
)
from messaging.selectors.search_results import (
    SEARCH_PAGE,
    SEARCH_PAGE_MAX,
    SearchHit,
    SearchPage,
    SearchResultOut,
    SearchResults,
    parse_search_cursor,
    search_messages,
)
from messaging.selectors.sidebar import (
    UNREAD_CAP,
    ConversationSummary,
    ConversationSummaryOut,
    conversation_summaries,
    display_title,
    peer_of,
    summary_of,
    total_unread,
    unread_in,
    unread_mentions_in,
)

__all__ = [
    "HISTORY_PAGE",
    "HISTORY_PAGE_MAX",
    "SEARCH_PAGE",
    "SEARCH_PAGE_MAX",
    "UNREAD_CAP",
    "ConversationSummary",
    "ConversationSummaryOut",
    "SearchHit",
    "SearchPage",
    "SearchResultOut",
    "SearchResults",
    "conversation_summaries",
    "display_title",
    "get_attachment_for_user",
    "get_conversation_for_user",
    "get_message_for_user",
    "is_member",
    "message_history",
    "page_history",
    "parse_search_cursor",
    "peer_of",
    "search_messages",
    "summary_of",
    "thread_messages",
    "total_unread",
    "unread_in",
    "unread_mentions_in",
    "visible_conversations",
    "with_members",
]
