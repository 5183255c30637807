"""Fill User.search_key for the people who exist before it did.

The rule is copied here, not imported: a migration must keep doing what it
did when it was written, whatever profiles.matching becomes.
"""

import unicodedata

from django.db import migrations

SPELLED = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
        "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
        "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "\u0131": "i",
    }
)


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text.translate(SPELLED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fill(apps, schema_editor):
    User = apps.get_model("profiles", "User")
    batch = []
    for person in User.objects.only(
        "first_name", "last_name", "email", "title"
    ).iterator(chunk_size=1000):
        words = [person.first_name, person.last_name, person.email, person.title]
        person.search_key = fold(" ".join(words))
        batch.append(person)
        if len(batch) == 1000:
            User.objects.bulk_update(batch, ["search_key"])
            batch = []
    User.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_people_profile_fields")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
