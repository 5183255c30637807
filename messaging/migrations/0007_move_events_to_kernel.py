"""Move the catch-up log to the kernel's stream-keyed table (intranet.Event).

Rows keep their ids, which clients hold as cursors; each conversation's
events become the stream `conversation.<id>`.
"""

from django.core.management.color import no_style
from django.db import migrations


def subject_of(payload):
    message = payload.get("message")
    if isinstance(message, dict):
        message = message.get("id")
    return f"message.{message}" if isinstance(message, int) else ""


def copy_events(apps, schema_editor):
    Old = apps.get_model("messaging", "Event")
    New = apps.get_model("intranet", "Event")
    batch = []
    for old in Old.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(
            New(
                id=old.id,
                stream=f"conversation.{old.conversation_id}",
                subject=subject_of(old.payload),
                payload=old.payload,
                created_at=old.created_at,
            )
        )
        if len(batch) == 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)
    # New ids continue above the copied ones.
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [New])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0006_table_alignment_classes"),
        ("intranet", "0001_event_log"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop),
        migrations.DeleteModel(name="Event"),
    ]
