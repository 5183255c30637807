"""Full-text search of spaces, posts and comments on SQLite.

Runs on SQLite only (on PostgreSQL, 0005 adds tsvector columns instead), as
messaging's 0003 does for messages: an external-content FTS5 table per
table, kept in step by triggers on INSERT, UPDATE of the text and DELETE,
so bulk_create (the demo company), raw SQL and edits are indexed at once;
'rebuild' indexes the rows that exist already. Deleting a post or comment
only stamps deleted_at: the search leaves those out itself.

Trap: Django rebuilds a SQLite table for most AlterField and some AddField
migrations, which drops its triggers. A migration that rebuilds feeds_post,
feeds_comment or feeds_space must recreate them (and 'rebuild');
tests/feeds/test_search.py fails until it does.
"""

from django.db import migrations

TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


class RunSQLOnSQLite(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fts5_index(table: str, columns: list[str]) -> RunSQLOnSQLite:
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    )
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return RunSQLOnSQLite(
        sql=[
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, "
            f"content='{table}', content_rowid='id', {TOKENIZE})",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
            f"BEGIN {remove} {add} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ],
        reverse_sql=[
            f"DROP TRIGGER {fts}_update",
            f"DROP TRIGGER {fts}_delete",
            f"DROP TRIGGER {fts}_insert",
            f"DROP TABLE {fts}",
        ],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("feeds", "0005_search_postgresql"),
    ]

    operations = [
        fts5_index("feeds_post", ["body"]),
        fts5_index("feeds_comment", ["body"]),
        fts5_index("feeds_space", ["name", "description"]),
    ]
