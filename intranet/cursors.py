"""Keyset cursors: the sort key of a page's last row, opaque to clients.

A list read a page at a time continues after its last row's key instead
of counting through an OFFSET, so the tenth page costs what the first
does. The cursor is that key as base64 JSON; a cursor no page gave is a
ServiceError (400, `bad_cursor`), never a 500.
"""

import base64
import binascii
import json

from intranet.errors import ServiceError

# Room for the longest key a list writes: the directory's, a date, an id
# and two 150-character names whose every character takes 6 bytes as JSON
# (a \u escape), is 2,456 characters.
MAX_CURSOR_LENGTH = 2500


def encode(*values: str | int) -> str:
    """Return the cursor of a row whose sort key is `values`."""
    # Compact JSON, as the directory's links have always been written.
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, message: str) -> list:
    """Return the values of `cursor`, unchecked beyond being a JSON list;
    raise ServiceError("bad_cursor", message) for anything else."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeDecodeError):
        raise ServiceError("bad_cursor", message) from None
    if not isinstance(values, list):
        raise ServiceError("bad_cursor", message)
    return values
