"""Opening uploaded images safely: what every app that takes images shares.

An image is recognised by its signature, never its name or the browser's
Content-Type, and decoded by Pillow with only that format's decoder, so no
other decoder is ever reached. Its size is checked against
MAX_IMAGE_PIXELS from the header, before any pixel is decoded, so a small
file that would unpack to gigabytes (a decompression bomb) is refused
cheaply. messaging.files (attachments) and profiles.photos (avatars) open
images through here.
"""

import contextlib
import warnings
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from PIL import Image

from intranet.errors import ServiceError


def image_format(head: bytes) -> str | None:
    """Return the Pillow format name the first bytes of a file announce:
    PNG, JPEG, GIF or WebP, or None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def bad_image() -> ServiceError:
    return ServiceError(
        "bad_image", "This image could not be read: the file may be damaged."
    )


def too_large(width: int | None = None, height: int | None = None) -> ServiceError:
    limit = settings.MAX_IMAGE_PIXELS
    size = f" (this one is {width:,} by {height:,} pixels)" if width else ""
    return ServiceError(
        "image_too_large",
        f"Images can be at most {limit / 1_000_000:g} megapixels{size}.",
    )


@contextlib.contextmanager
def opened(file: IO[bytes], image_format: str) -> Iterator[Image.Image]:
    """Open the image in `file` as `image_format`, refusing one larger than
    MAX_IMAGE_PIXELS before decoding it.

    Decode inside the block (image.load(), or draft() first). Every
    failure to read it, in the block too, becomes a ServiceError with a
    sentence for people; nothing else escapes.
    """
    limit = settings.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        # Pillow warns past its own pixel limit and raises past twice that;
        # both mean "too big" here, before anything is decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file, formats=[image_format]) as image:
                width, height = image.size
                if width * height > limit:
                    raise too_large(width, height)
                yield image
        except ServiceError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large() from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            # Pillow reports a truncated or corrupt file with any of these.
            raise bad_image() from None
