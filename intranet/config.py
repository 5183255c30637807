"""Load settings early so a configuration mistake is one clear line."""

import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings_or_exit() -> None:
    """Import the settings; on ImproperlyConfigured print why and exit 2.

    Django would otherwise show a long traceback whose last line is the only
    useful one.
    """
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings import
    except ImproperlyConfigured as exc:
        print(f"Canteen cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
