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


# Young-generation collections every 50,000 allocations instead of 700, and
# a full one only after 20 x 100 of those: a process holding thousands of
# sockets spent ~220 ms in each full collection, which was the whole p99
# of a 1,000-member fan-out (make bench: p99 262 ms with the defaults,
# 48 ms with collection off).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc_for_a_server() -> None:
    """Make full garbage collections rare in a long-running server.

    Objects that exist once the application is loaded (modules, settings,
    URL patterns) are frozen out of every collection.
    """
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def skip_autobahn_debug_formatting() -> None:
    """Stop autobahn pretty-printing its options on every connection.

    autobahn (Daphne's WebSocket layer) pformats its 29 protocol options
    for a debug log line in every connection's set-up, even with debug
    logging off: about 8 % of the server's Python time in a reconnect storm
    (make bench, py-spy). A plain repr serves that line as well.
    """
    from autobahn.websocket import protocol

    protocol.pformat = repr  # type: ignore[attr-defined,assignment]
