from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "People"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from profiles.roles import ensure_roles

        # After auth's own handler, which makes the permissions.
        post_migrate.connect(
            ensure_roles, sender=self, dispatch_uid="profiles.ensure_roles"
        )
