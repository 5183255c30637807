"""Profile photos: an upload becomes a square and its thumbnails.

The upload is opened through intranet.images (signature, one decoder,
MAX_IMAGE_PIXELS before decoding), turned upright by its EXIF orientation,
cropped to the centre square and re-encoded from the pixels alone as WebP:
no EXIF (GPS position, camera), XMP or comment of the upload is kept, and
the upload itself is never stored.
"""

import io
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps

from intranet import images
from intranet.errors import ServiceError

# The sizes the UI draws, for screens of up to three pixels a CSS pixel:
# .avatar is 2.25rem (36 px), .avatar-large 4.5rem (72 px).
SIZES = {"large": 256, "small": 108}
ACCEPTED = "a photo (PNG, JPEG, GIF or WebP)"


def max_bytes() -> int:
    return settings.MAX_PHOTO_BYTES


def squares(file: IO[bytes], size: int | None) -> dict[str, bytes]:
    """Return the photo in `file` as WebP squares, by SIZES name.

    `size` is the upload's length in bytes when known. Raise ServiceError
    with a sentence for people when it is not a photo Canteen takes.
    """
    limit = max_bytes()
    if size is not None and size > limit:
        raise _too_big(limit)
    file.seek(0)
    head = file.read(64)
    file.seek(0)
    image_format = images.image_format(head)
    if image_format is None:
        raise ServiceError(
            "unsupported_type", f"A profile photo must be {ACCEPTED}.", status=415
        )
    if size is None and len(file.read(limit + 1)) > limit:
        raise _too_big(limit)
    file.seek(0)
    largest = max(SIZES.values())
    with images.opened(file, image_format) as image:
        # A JPEG decodes at a fraction of its size when that is all we need.
        image.draft("RGB", (largest * 2, largest * 2))
        image.load()
        upright = ImageOps.exif_transpose(image)
        upright = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
        square = ImageOps.fit(
            upright, (largest, largest), Image.Resampling.LANCZOS, centering=(0.5, 0.4)
        )
    out = {}
    for name, side in SIZES.items():
        scaled = (
            square
            if side == largest
            else square.resize((side, side), Image.Resampling.LANCZOS)
        )
        buffer = io.BytesIO()
        scaled.save(buffer, format="WEBP", quality=85, method=4)
        out[name] = buffer.getvalue()
    return out


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _too_big(limit: int) -> ServiceError:
    return ServiceError(
        "file_too_large",
        f"A profile photo can be at most {limit // (1024 * 1024)} MB.",
        status=413,
    )
