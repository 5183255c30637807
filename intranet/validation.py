"""What every inbound value must be, checked once at the edge.

REST schemas, query and path parameters, Django forms, URL converters and
the socket's frames all use these, so a number past 64 bits or a text that
is not Unicode is a 4xx or an `error` event where it comes in, never an
OverflowError or a UnicodeEncodeError deep in a query (a 500, a dropped
socket).

- An id is a positive 64-bit integer: what a primary key can hold.
- A cursor is a stored event's id, or 0 for "from the start".
- A text is valid Unicode (no lone surrogates, which UTF-8 cannot encode)
  without NUL characters (which PostgreSQL refuses).
"""

import json
import re
from typing import Annotated, Any

import emoji
from django import forms
from pydantic import AfterValidator, Field

MAX_ID = 2**63 - 1
# Nothing a client sends nests deeper than a list in an object; a frame of
# 30,000 "[" would make the JSON decoder raise RecursionError.
MAX_JSON_DEPTH = 32

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidInput(ValueError):
    """Input that no handler should see; the message is for the client."""


def check_text(value: str) -> str:
    """Return `value` if it is valid Unicode without NUL; else raise
    InvalidInput."""
    if _LONE_SURROGATE.search(value):
        raise InvalidInput("Text must be valid Unicode (no lone surrogates).")
    if "\x00" in value:
        raise InvalidInput("Text must not contain NUL characters.")
    return value


def is_text(value: str) -> bool:
    try:
        check_text(value)
    except InvalidInput:
        return False
    return True


def is_emoji(value: str) -> bool:
    """Whether `value` is exactly one emoji: any of Unicode's, with a skin
    tone or as a ZWJ sequence, not text and not two of them."""
    return emoji.is_emoji(value)


def is_id(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
    )


def parse_id(text: str) -> int | None:
    """Return the id `text` spells in decimal digits, or None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if is_id(value) else None


def parse_id_list(text: str, *, zero: bool = False) -> list[int]:
    """Return the ids in comma-separated `text` (`zero` allows 0, as for
    cursors); raise InvalidInput if any part is not one."""
    ids = []
    for part in text.split(","):
        if not part.strip():
            continue
        value = 0 if zero and part.strip() == "0" else parse_id(part)
        if value is None:
            raise InvalidInput(
                f"Each of {text[:40]!r} must be a number from 1 to {MAX_ID}."
            )
        ids.append(value)
    return ids


# Pydantic types for ninja schemas, path and query parameters, and the
# socket's inbound schemas. The socket's models are strict ("12" is not an
# id there); REST's are lax, as its query strings are text.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Cursor = Annotated[int, Field(ge=0, le=MAX_ID)]
Text = Annotated[str, AfterValidator(check_text)]


def _depth(text: str) -> int:
    """Return how deeply the arrays and objects of JSON `text` nest."""
    # Brackets inside strings do not count.
    structure = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)
    depth = deepest = 0
    for char in structure:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_texts(value: Any) -> None:
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            _check_texts(item)
    elif isinstance(value, list):
        for item in value:
            _check_texts(item)


def decode_json(text: str | bytes) -> Any:
    """Decode JSON from a client: at most MAX_JSON_DEPTH levels deep, and
    every string in it, keys too, a valid text. Raise InvalidInput if not.

    The socket and the REST API both decode with this, so an error message
    that quotes the input can always be encoded.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            raise InvalidInput("Send JSON encoded as UTF-8.") from None
    # A frame with fewer brackets than the limit cannot nest deeper: the
    # usual case costs two counts, not a scan.
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_JSON_DEPTH and _depth(text) > MAX_JSON_DEPTH:
        raise InvalidInput(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.")
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInput("That was not valid JSON.") from None
    _check_texts(value)
    return value


# Django's side: URL converters and form fields.


class IdConverter:
    """`<id:name>` in a URL: an id, or no match (404) for anything else,
    rather than `<int:…>`'s any number of digits."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValueError("not an id")  # Django answers 404
        return parsed

    def to_url(self, value: int) -> str:
        return str(value)


class IdField(forms.IntegerField):
    """A form field for an id (a person, a conversation, a cursor)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def validate_text(value: str) -> None:
    """A Django validator for text fields."""
    try:
        check_text(value)
    except InvalidInput as exc:
        raise forms.ValidationError(str(exc), code="invalid") from None


class TextField(forms.CharField):
    """A CharField whose value is always valid text (see check_text)."""

    default_validators = [validate_text]
