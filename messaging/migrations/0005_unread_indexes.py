"""Indexes that keep unread counts in proportion to what a person has unread.

`message_unread` holds only the messages that can be unread (top-level, not
deleted), with their sender, so a conversation's count reads the index from
the person's read marker up and stops at the cap. `message_mentions_by_user`
lets a person's unread mentions be read from their end: Django's table for
the `mentions` field has no index starting with the user and the message.
See docs/architecture.md, "Unread counts".
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_attachments"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(deleted_at__isnull=True, thread_root__isnull=True),
                fields=["conversation", "id", "sender"],
                name="message_unread",
            ),
        ),
        # Both databases take the same statement; Django's state has no
        # place for an index on an automatic many-to-many table.
        migrations.RunSQL(
            sql="CREATE INDEX message_mentions_by_user"
            " ON messaging_message_mentions (user_id, message_id)",
            reverse_sql="DROP INDEX message_mentions_by_user",
        ),
    ]
