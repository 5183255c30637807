"""Remove what an image says about where and by whom it was made.

Phones write EXIF (GPS position, camera serial number, time), editors XMP
and IPTC, and many programs comments and text chunks; all of it would go
to every member of a conversation. What is kept is what the image needs
to look right: its pixels, animation, transparency and colour profile.

PNG, WebP and GIF are rewritten chunk by chunk, keeping only chunks on an
allow-list: the pixels are not decoded or re-encoded, so nothing is lost
and animations keep every frame. JPEG is re-encoded by Pillow with its
own quantisation tables and subsampling (quality="keep"), which loses
next to nothing and also drops what follows the first image (an MPO's
second frame or depth map, with its own EXIF). An image whose EXIF turns
it is turned in its pixels first, so it still shows the right way up; that
means encoding it anew (JPEG and lossy WebP at quality 95, so a turned
phone photo grows by about a third to double; PNG and lossless WebP
losslessly).

Call only with an image Pillow has decoded (messaging.files): a file this
module cannot follow raises ValueError.
"""

import io
import struct
from collections.abc import Iterator
from typing import IO

from PIL import Image, ImageOps, JpegImagePlugin

ORIENTATION = 0x0112  # the EXIF tag
# Quality for a lossy image whose pixels had to be turned, so re-encoded.
TURNED_QUALITY = 95


def strip(file: IO[bytes], image_format: str) -> bytes:
    """Return the image in `file` without its metadata, in the same format.

    `image_format` is the Pillow format name that messaging.files found.
    """
    file.seek(0)
    data = file.read()
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            if needs_turning(image):
                return _turned(image, data)
            if image_format == "JPEG":
                image.load()
                return _jpeg(image, image)
        if image_format == "PNG":
            return _png(data)
        if image_format == "WEBP":
            return _webp(data)
        if image_format == "GIF":
            return _gif(data)
    except (IndexError, struct.error) as e:
        raise ValueError(f"cannot follow this {image_format}") from e
    raise ValueError(f"no way to strip {image_format}")


def needs_turning(image: Image.Image) -> bool:
    """True when `image` is turned or flipped by its EXIF orientation and
    can be turned in its pixels.

    An animated PNG or WebP is left unturned: Pillow would turn one frame
    only, and re-encoding every frame is where animations go wrong. Its
    size and thumbnail are then unturned too, matching the stored file.
    An MPO counts as one JPEG (only its first image is kept).
    """
    if image.getexif().get(ORIENTATION, 1) == 1:
        return False
    return image.format in ("JPEG", "MPO") or not getattr(image, "is_animated", False)


def _turned(image: Image.Image, data: bytes) -> bytes:
    image.load()
    upright = ImageOps.exif_transpose(image)
    if image.format in ("JPEG", "MPO"):
        return _jpeg(image, upright)
    out = io.BytesIO()
    icc_profile = image.info.get("icc_profile")
    if image.format == "WEBP":
        # Lossless stays lossless; a lossy one is encoded anew, finely.
        lossless = b"VP8L" in _webp_chunk_kinds(data)
        upright.save(
            out,
            format="WEBP",
            lossless=lossless,
            quality=100 if lossless else TURNED_QUALITY,
            icc_profile=icc_profile,
        )
        return _webp(out.getvalue())
    # PNG: Pillow keeps transparency from `info`, and the chunk filter
    # drops anything else it might carry over.
    upright.save(out, format="PNG", icc_profile=icc_profile)
    return _png(out.getvalue())


def _jpeg(original: Image.Image, upright: Image.Image) -> bytes:
    """Encode `upright` (`original`, or `original` turned) as a JPEG with
    only its colour profile, and as close to the original as can be."""
    options: dict[str, object] = {
        "icc_profile": original.info.get("icc_profile"),
        # Pillow writes the original's comment unless told otherwise.
        "comment": b"",
        "progressive": bool(
            original.info.get("progressive") or original.info.get("progression")
        ),
    }
    if not isinstance(original, JpegImagePlugin.JpegImageFile):  # MPO is one
        raise ValueError("not a JPEG")
    if upright is original:
        # What quality="keep" means (the same quantisation tables and
        # subsampling), spelled out: Pillow refuses "keep" for an MPO,
        # whose format is not "JPEG" although it is one.
        options["qtables"] = original.quantization
        options["subsampling"] = JpegImagePlugin.get_sampling(original)
    else:
        # Turned pixels no longer line up with the original's 8x8 blocks,
        # so its tables would not save anything: encode anew, finely.
        options["quality"] = TURNED_QUALITY
        options["subsampling"] = JpegImagePlugin.get_sampling(original)
    out = io.BytesIO()
    upright.save(out, format="JPEG", **options)
    return out.getvalue()


# ------------------------------------------------------------------ PNG

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Everything needed to draw the image, animated or not, in its colours.
# Dropped: tEXt, zTXt, iTXt (text, XMP, ImageMagick's EXIF), eXIf, tIME,
# sPLT (a named palette) and private chunks such as Apple's iDOT.
_PNG_KEPT = frozenset(
    {
        *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"),
        *(b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV"),
        *(b"cLLI", b"bKGD", b"hIST", b"pHYs"),
        *(b"acTL", b"fcTL", b"fdAT"),  # APNG
    }
)


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    kept = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    while True:
        if position + 12 > len(data):
            raise ValueError("PNG ends before IEND")
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 12 + length  # length, type, data, CRC
        if end > len(data):
            raise ValueError("PNG chunk cut short")
        if kind in _PNG_KEPT:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            # Anything after the end is dropped too.
            return b"".join(kept)


# ------------------------------------------------------------------ WebP

# The image, its alpha, animation and colour profile; not EXIF or XMP.
_WEBP_KEPT = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04


def _webp(data: bytes) -> bytes:
    kept = []
    for kind, chunk in _webp_chunks(data):
        if kind == b"VP8X":
            if len(chunk) < 18:
                raise ValueError("WebP header cut short")
            # Its flags must not announce the chunks that are dropped.
            flags = chunk[8] & ~(_VP8X_EXIF | _VP8X_XMP)
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind in _WEBP_KEPT:
            kept.append(chunk)
    if not kept:
        raise ValueError("WebP without an image")
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _webp_chunk_kinds(data: bytes) -> set[bytes]:
    return {kind for kind, _ in _webp_chunks(data)}


def _webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield each top-level chunk's kind and bytes (header and padding
    included); anything after the RIFF's declared size is left out."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end_of_riff = min(len(data), 8 + riff_size)
    position = 12
    while position + 8 <= end_of_riff:
        kind, size = struct.unpack_from("<4sI", data, position)
        end = position + 8 + size
        if end > end_of_riff:
            raise ValueError("WebP chunk cut short")
        end += size & 1  # chunks are padded to an even size
        chunk = data[position : min(end, end_of_riff)]
        yield kind, chunk + b"\x00" * (len(chunk) & 1)
        position = end


# ------------------------------------------------------------------ GIF

_GIF_EXTENSION = 0x21
_GIF_IMAGE = 0x2C
_GIF_TRAILER = 0x3B
_GIF_GRAPHIC_CONTROL = 0xF9
_GIF_PLAIN_TEXT = 0x01
_GIF_APPLICATION = 0xFF
# Application extensions that change how the image plays or looks: the
# loop count (Netscape's, and its twin) and an ICC profile. Not XMP.
_GIF_KEPT_APPLICATIONS = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"})


def _gif(data: bytes) -> bytes:
    """Keep the header, frames, timing and loop count; drop comments and
    every other application extension (XMP among them)."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ValueError("not a GIF")
    position = 13 + _colour_table_size(data[10])
    kept = [data[:position]]
    while True:
        if position >= len(data):
            # No trailer, as some programs write; browsers do not mind.
            kept.append(bytes([_GIF_TRAILER]))
            break
        start = position
        introducer = data[position]
        if introducer == _GIF_TRAILER:
            kept.append(data[position : position + 1])
            break  # and what follows the trailer is dropped
        if introducer == _GIF_IMAGE:
            if position + 11 > len(data):
                raise ValueError("GIF frame cut short")
            position += 10 + _colour_table_size(data[position + 9])
            position = _skip_sub_blocks(data, position + 1)  # after LZW size
            kept.append(data[start:position])
        elif introducer == _GIF_EXTENSION and position + 1 < len(data):
            label = data[position + 1]
            position = _skip_sub_blocks(data, position + 2)
            if label in (_GIF_GRAPHIC_CONTROL, _GIF_PLAIN_TEXT) or (
                label == _GIF_APPLICATION
                and data[start + 3 : start + 14] in _GIF_KEPT_APPLICATIONS
            ):
                kept.append(data[start:position])
        else:
            raise ValueError("unexpected byte in GIF")
    return b"".join(kept)


def _colour_table_size(flags: int) -> int:
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def _skip_sub_blocks(data: bytes, position: int) -> int:
    """Return where the sub-blocks starting at `position` end."""
    while True:
        if position >= len(data):
            raise ValueError("GIF data cut short")
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
