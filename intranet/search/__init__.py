"""Full-text search on PostgreSQL and on SQLite, for any app's text columns.

An app declares what it indexes with a FullTextIndex (a model and its text
columns, most important first) and adds the database's machinery in its own
migrations; this package holds what differs between the databases and what
every search shares: reading the query, and turning a marked-up excerpt
into safe HTML. It knows no app: the models come from the apps.

- PostgreSQL: a stored generated column `search_vector` (one weight per
  column, A first) with a GIN index, matched with websearch_to_tsquery;
  ts_headline marks the hits, ts_rank ranks.
- SQLite: an external-content FTS5 table `<table>_fts` with the same
  columns, kept in step by triggers. The query is translated from the same
  websearch syntax into FTS5 quoted phrases, so nothing a person types
  reaches FTS5's own syntax; snippet() marks the hits, bm25() ranks.

Both databases mark hits with two private-use characters, never with HTML:
mark_snippet() escapes all the text and then turns only those into <mark>.
docs/architecture.md ("Search") explains the choices.

- query: the query language, parse_query() and ParsedQuery.
- index: FullTextIndex, what differs between the databases.
- pages: the capped count, the ranked window and its cursor.
- marks: excerpts and names turned into safe HTML.
"""
