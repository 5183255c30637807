"""Full-text search of spaces, posts and comments on PostgreSQL.

Runs on PostgreSQL only (on SQLite, 0006 builds FTS5 indexes instead), as
messaging's 0002 does for messages: a stored generated tsvector column per
table with a GIN index, outside Django's model state because SQLite has
none; only intranet.search reads it. A space's name weighs more than its
description (A, B), so ranking puts name hits first.

Adding a column rewrites each table once, under a lock; see
docs/architecture.md ("Search") before running it on very large tables.
"""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def body_vector(table: str, index: str) -> RunSQLOnPostgreSQL:
    return RunSQLOnPostgreSQL(
        sql=[
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, "
            "body), 'A')) STORED",
            f"CREATE INDEX {index} ON {table} USING gin (search_vector)",
        ],
        reverse_sql=[
            f"DROP INDEX {index}",
            f"ALTER TABLE {table} DROP COLUMN search_vector",
        ],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("feeds", "0004_announcements"),
    ]

    operations = [
        body_vector("feeds_post", "post_search"),
        body_vector("feeds_comment", "comment_search"),
        RunSQLOnPostgreSQL(
            sql=[
                "ALTER TABLE feeds_space ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS ("
                "setweight(to_tsvector('english'::regconfig, name), 'A') || "
                "setweight(to_tsvector('english'::regconfig, description), 'B')"
                ") STORED",
                "CREATE INDEX space_search ON feeds_space USING gin (search_vector)",
            ],
            reverse_sql=[
                "DROP INDEX space_search",
                "ALTER TABLE feeds_space DROP COLUMN search_vector",
            ],
        ),
    ]
