"""Say stored table alignment with classes, as rendering now does.

The Content-Security-Policy allows no inline style, so a stored
style="text-align:…" would be refused and reported by the browser. The
HTML is sanitiser output, where only th and td could carry a style, and
only text-align.
"""

import re

from django.db import migrations

# A tag, not text: in text the sanitiser writes < as &lt;.
STYLE = re.compile(r'<(th|td) style="text-align:(left|center|right)">')


def styles_to_classes(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    changed = []
    for message in Message.objects.filter(
        body_html__contains='style="text-align:'
    ).only("pk", "body_html").iterator():
        message.body_html = STYLE.sub(r'<\1 class="align-\2">', message.body_html)
        changed.append(message)
    Message.objects.bulk_update(changed, ["body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0005_unread_indexes")]

    operations = [
        migrations.RunPython(styles_to_classes, migrations.RunPython.noop),
    ]
