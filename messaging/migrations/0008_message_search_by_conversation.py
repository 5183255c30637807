"""Search a member's conversations one at a time: a GIN index on
(conversation_id, search_vector), PostgreSQL only.

The plain GIN index (0002) finds every message with the word, in every
conversation, and the membership filter then throws most of them away: a
common word meant some 10,000 rows read to keep a dozen. With the
conversation in the index, each of the member's conversations is one small
bitmap scan. GIN indexes no integers of its own; btree_gin adds them. It is
a trusted extension (PostgreSQL 13+): the database owner can create it,
no superuser needed (docs/architecture.md, "Search").

fastupdate is off: GIN otherwise queues new entries in a pending list that
every scan reads whole, and a search scans this index once a conversation.
With 6,000 queued messages the heavy user's search took 100 ms instead of
2. Each insert writes its entries at once instead (about 0.03 ms more).

Nothing to do on SQLite, whose FTS5 table (0003) answers the search.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations


class BtreeGinOnPostgreSQL(BtreeGinExtension):
    """BtreeGinExtension that does nothing on other databases either way:
    Django's checks the database only on the way forwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


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
        ("messaging", "0007_move_events_to_kernel"),
    ]

    operations = [
        BtreeGinOnPostgreSQL(),
        # Raw SQL, as in 0002: search_vector is not in the model's state.
        RunSQLOnPostgreSQL(
            sql="CREATE INDEX message_conversation_search ON messaging_message "
            "USING gin (conversation_id, search_vector) WITH (fastupdate = off)",
            reverse_sql="DROP INDEX message_conversation_search",
        ),
    ]
