"""Full-text search over messages: the index of their bodies.

messaging.selectors.search_messages is the one entry point. The databases'
machinery, the query language and the excerpts are the kernel's
(intranet.search); migrations 0002 and 0008 (PostgreSQL) and 0003 (SQLite)
build this index.
"""

from intranet.search.index import FullTextIndex
from intranet.search.marks import LT, START, STOP, mark_snippet
from intranet.search.query import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from messaging.models import Message

MESSAGES = FullTextIndex(Message, ("body",))
FTS_TABLE = MESSAGES.fts_table

__all__ = [
    "FTS_TABLE",
    "LT",
    "MAX_QUERY_LENGTH",
    "MESSAGES",
    "START",
    "STOP",
    "ParsedQuery",
    "mark_snippet",
    "parse_query",
]
