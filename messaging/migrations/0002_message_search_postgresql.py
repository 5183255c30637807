"""Full-text search on PostgreSQL: a stored generated tsvector with a GIN index.

Runs on PostgreSQL only (on SQLite, 0003 builds an FTS5 index instead). The
column is outside Django's model state on purpose: the model must work on
both databases, and only messaging.search reads the column.

A generated column is computed by the database on every INSERT and UPDATE,
so rows from bulk_create (the demo company), raw SQL and edits are indexed
with no Python involved. Stored rather than an expression index because
phrase queries ("two words" in websearch syntax) recheck matching rows, and
a stored vector is read where an expression index would re-parse the body.
Adding the column rewrites the table once, under a lock; fine at this size,
see docs/architecture.md before running it on a very large table.
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


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0001_initial_conversations"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=[
                "ALTER TABLE messaging_message ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED",
                "CREATE INDEX message_search ON messaging_message "
                "USING gin (search_vector)",
            ],
            reverse_sql=[
                "DROP INDEX message_search",
                "ALTER TABLE messaging_message DROP COLUMN search_vector",
            ],
        ),
    ]
