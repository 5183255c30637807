"""What an uploaded file really is, decided by its content.

Neither the name nor the browser's Content-Type is trusted: images are
recognised by their signature and then decoded with Pillow (only the four
formats Canteen shows, so no other decoder is ever reached); a few other
types are recognised by their signature or, for text, by decoding all of
it. The name must then agree with what the content is, because a file is
downloaded under its name: "notes.html" that is plain text would open as
a web page from the reader's disk.

Raises ServiceError with a sentence for people; never anything else for a
bad file.
"""

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from PIL import Image, ImageOps

from intranet import images
from intranet.errors import ServiceError
from messaging import metadata
from messaging.models import THUMBNAIL_MAX

THUMBNAIL_SIZE = THUMBNAIL_MAX
MAX_NAME_LENGTH = 200
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str
    # The first is what stored files get; any of them may name an upload.
    extensions: tuple[str, ...]
    is_image: bool = False


# Pillow format name -> kind. Shown inline (thumbnails, full view).
IMAGE_KINDS = {
    "PNG": Kind("image/png", "a PNG image", (".png",), is_image=True),
    "JPEG": Kind(
        "image/jpeg", "a JPEG image", (".jpg", ".jpeg", ".jfif"), is_image=True
    ),
    "GIF": Kind("image/gif", "a GIF image", (".gif",), is_image=True),
    "WEBP": Kind("image/webp", "a WebP image", (".webp",), is_image=True),
}
# A photo renamed from .jpg to .png is still the photo: among images, any
# image name goes (the stored file and the served type follow the content).
IMAGE_EXTENSIONS = frozenset(e for k in IMAGE_KINDS.values() for e in k.extensions)

PDF = Kind("application/pdf", "a PDF document", (".pdf",))
TEXT = Kind(
    "text/plain",
    "plain text",
    # Only names that no program runs or renders as a page when opened.
    (
        *(".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ".log", ".json"),
        *(".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".sql", ".diff"),
        ".patch",
    ),
)
ZIP = Kind("application/zip", "a zip archive", (".zip",))
OFFICE = {
    "word/": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a Word document",
        (".docx",),
    ),
    "xl/": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "an Excel workbook",
        (".xlsx",),
    ),
    "ppt/": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "a PowerPoint presentation",
        (".pptx",),
    ),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": Kind(
        "application/vnd.oasis.opendocument.text", "an OpenDocument text", (".odt",)
    ),
    "application/vnd.oasis.opendocument.spreadsheet": Kind(
        "application/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet",
        (".ods",),
    ),
    "application/vnd.oasis.opendocument.presentation": Kind(
        "application/vnd.oasis.opendocument.presentation",
        "an OpenDocument presentation",
        (".odp",),
    ),
}

ACCEPTED = (
    "images (PNG, JPEG, GIF, WebP), PDFs, plain text, Word, Excel, PowerPoint "
    "and OpenDocument files, and zip archives"
)

# The WHATWG MIME Sniffing standard's "binary data bytes": no text has them.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# Its patterns for HTML and XML, at the start after whitespace, followed by
# a space or ">". Text like this is refused: some browser or program will
# take it for a page.
_MARKUP = re.compile(
    rb"^[\t\n\x0c\r ]*(?:<!DOCTYPE HTML|<HTML|<HEAD|<SCRIPT|<IFRAME|<H1|<DIV"
    rb"|<FONT|<TABLE|<A|<STYLE|<TITLE|<B|<BODY|<BR|<P|<!--|<\?XML|<SVG)"
    rb"(?:[ >\t\n\x0c\r]|$)",
    re.IGNORECASE,
)


@dataclass
class Inspected:
    kind: Kind
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    # What to store instead of the upload: an image without its metadata.
    content: bytes | None = None

    @property
    def extension(self) -> str:
        return self.kind.extensions[0]


# Invisible formatting that is part of how a name looks: the joiners inside
# emoji like "👨‍👩‍👧" and in some scripts.
_KEPT_FORMAT = frozenset("\u200c\u200d")


def clean_name(name: str) -> str:
    """Return the name to show for a file: as its uploader sent it.

    The name never reaches the disk (files are stored under a generated
    name), so slashes, dots and quotes stay; templates escape it and
    downloads send it as an RFC 6266 filename*. Only characters that
    would break or spoof it where it is shown go: control characters
    (newlines, NUL, escapes), line separators, bidi overrides (which show
    "txt.exe" as "exe.txt") and invisible format characters.
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if _shown(c)).strip()
    name = name or "file"
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePath(name).suffix[:20]
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def _shown(c: str) -> bool:
    category = unicodedata.category(c)
    if category in {"Cc", "Cs", "Zl", "Zp"}:
        return False
    return category != "Cf" or c in _KEPT_FORMAT


def download_extension(name: str) -> str:
    """Return the extension a browser saving `name` would give the file:
    it turns path separators into "_" rather than make folders."""
    return PurePath(name.replace("/", "_").replace("\\", "_")).suffix.lower()


def inspect(file: IO[bytes], name: str) -> Inspected:
    """Return what `file` is, or raise ServiceError when it is not
    something Canteen accepts or its `name` says it is something else."""
    file.seek(0)
    head = file.read(_CHUNK)
    file.seek(0)
    image_format = images.image_format(head)
    if image_format is not None:
        inspected = _inspect_image(file, image_format)
    else:
        kind = _document_kind(file, head)
        if kind is None:
            raise ServiceError(
                "unsupported_type",
                f"Canteen cannot take this file: it accepts {ACCEPTED}.",
                status=415,
            )
        inspected = Inspected(kind)
    _check_name(inspected.kind, name)
    return inspected


def _check_name(kind: Kind, name: str) -> None:
    extension = download_extension(name)
    if not extension:
        return  # no claim to contradict
    allowed = IMAGE_EXTENSIONS if kind.is_image else frozenset(kind.extensions)
    if extension not in allowed:
        raise ServiceError(
            "type_mismatch",
            f"“{name}” is {kind.label}, but its name ends in {extension}. "
            f"Rename it to end in {kind.extensions[0]} and try again.",
            status=415,
        )


def _inspect_image(file: IO[bytes], image_format: str) -> Inspected:
    """Decode the image (proving it is one), make its thumbnail, and strip
    its metadata (messaging.metadata)."""
    with images.opened(file, image_format) as image:
        size = image.size  # draft() below may shrink what image.size says
        # JPEG decodes at a fraction of its size when that is all a
        # thumbnail needs: less memory and time for big photos.
        image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
        image.load()
        thumbnail, (width, height) = _thumbnail(image, size)
        content = metadata.strip(file, image_format)
    return Inspected(
        IMAGE_KINDS[image_format],
        width=width,
        height=height,
        thumbnail=thumbnail,
        content=content,
    )


def _thumbnail(
    image: Image.Image, size: tuple[int, int]
) -> tuple[bytes, tuple[int, int]]:
    """Return a WebP thumbnail and the image's size as people see it."""
    width, height = size
    upright = image
    # Turned as the stored image is (messaging.metadata), as browsers show it.
    if metadata.needs_turning(image):
        if image.getexif().get(metadata.ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width  # a quarter turn
        upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    upright.save(out, format="WEBP", quality=80, method=4)
    return out.getvalue(), (width, height)


def _document_kind(file: IO[bytes], head: bytes) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if _is_text(file, head):
        return TEXT
    return None


def _zip_kind(file: IO[bytes]) -> Kind | None:
    """Tell an Office or OpenDocument file from a plain zip archive.

    Reads the archive's directory and at most one small member; nothing
    is unpacked, so a zip bomb stays packed.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                if declared in OPENDOCUMENT:
                    return OPENDOCUMENT[declared]
            if "[Content_Types].xml" in names:
                for prefix, kind in OFFICE.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return None
    except (EOFError, NotImplementedError, RuntimeError):
        # Truncated, an unknown compression method, or encrypted.
        return None
    finally:
        file.seek(0)
    return ZIP


def _is_text(file: IO[bytes], head: bytes) -> bool:
    """True when all of `file` is UTF-8 text without control bytes and
    does not start like a web page."""
    if _MARKUP.match(head.removeprefix(codecs.BOM_UTF8)):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK):
            if _BINARY_BYTES.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True
