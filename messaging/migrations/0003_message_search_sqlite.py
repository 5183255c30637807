"""Full-text search on SQLite: an FTS5 index kept in step by triggers.

Runs on SQLite only (on PostgreSQL, 0002 adds a tsvector column instead).
The FTS5 table is "external content": it stores the index, not a second copy
of the text, and reads bodies back from messaging_message by id. Triggers in
the database keep it in step with every INSERT, UPDATE of body and DELETE,
so rows from bulk_create (the demo company) and raw SQL are indexed too.

An external-content index must be told the *old* text to remove, which is
why the update and delete triggers pass old.body; the 'rebuild' command at
the end indexes the rows that exist before the migration.

Tokenizer: porter stemming over unicode61 with diacritics folded, the
nearest match to PostgreSQL's 'english' configuration ("deploy" finds
"deployed", "cafe" finds "café").
"""

from django.db import migrations


class RunSQLOnSQLite(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0002_message_search_postgresql"),
    ]

    operations = [
        RunSQLOnSQLite(
            sql=[
                "CREATE VIRTUAL TABLE messaging_message_fts USING fts5("
                "body, content='messaging_message', content_rowid='id', "
                "tokenize='porter unicode61 remove_diacritics 2')",
                "CREATE TRIGGER messaging_message_fts_insert "
                "AFTER INSERT ON messaging_message BEGIN "
                "INSERT INTO messaging_message_fts(rowid, body) "
                "VALUES (new.id, new.body); END",
                "CREATE TRIGGER messaging_message_fts_delete "
                "AFTER DELETE ON messaging_message BEGIN "
                "INSERT INTO messaging_message_fts(messaging_message_fts, rowid, body) "
                "VALUES ('delete', old.id, old.body); END",
                "CREATE TRIGGER messaging_message_fts_update "
                "AFTER UPDATE OF body ON messaging_message BEGIN "
                "INSERT INTO messaging_message_fts(messaging_message_fts, rowid, body) "
                "VALUES ('delete', old.id, old.body); "
                "INSERT INTO messaging_message_fts(rowid, body) "
                "VALUES (new.id, new.body); END",
                "INSERT INTO messaging_message_fts(messaging_message_fts) "
                "VALUES ('rebuild')",
            ],
            reverse_sql=[
                "DROP TRIGGER messaging_message_fts_update",
                "DROP TRIGGER messaging_message_fts_delete",
                "DROP TRIGGER messaging_message_fts_insert",
                "DROP TABLE messaging_message_fts",
            ],
        ),
    ]
