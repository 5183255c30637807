"""The HR and Communicators roles: groups holding the user model's permissions."""

from django.db import migrations

ROLES = {
    "HR": ["manage_onboarding", "post_announcements", "verify_sources"],
    "Communicators": ["post_announcements"],
}
NAMES = {
    "manage_onboarding": "Can manage onboarding journeys and new starters",
    "post_announcements": "Can post announcements to the whole company",
    "verify_sources": "Can mark accounts as verified sources",
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    user_type, _ = ContentType.objects.get_or_create(app_label="profiles", model="user")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=user_type,
                codename=codename,
                defaults={"name": NAMES[codename]},
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_user_is_verified"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["first_name", "last_name", "id"],
                "permissions": [
                    ("manage_onboarding", "Can manage onboarding journeys and new starters"),
                    ("post_announcements", "Can post announcements to the whole company"),
                    ("verify_sources", "Can mark accounts as verified sources"),
                ],
            },
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
