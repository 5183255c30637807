from django.apps import AppConfig
from django.db.models.signals import post_save


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Spaces and feeds"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from feeds.signals import keep_directory_spaces

        # Team and company-wide spaces follow the directory: a person who
        # joins, moves department or leaves is moved with it.
        post_save.connect(
            keep_directory_spaces,
            sender=get_user_model(),
            dispatch_uid="feeds.keep_directory_spaces",
        )
