"""Small real files for attachment tests, made on the spot."""

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageCms, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
    b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def image_bytes(
    image_format: str = "PNG",
    size: tuple[int, int] = (640, 480),
    *,
    mode: str = "RGB",
    orientation: int | None = None,
) -> bytes:
    image = Image.new(mode, size, (40, 120, 200) if mode == "RGB" else None)
    out = io.BytesIO()
    options = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    image.save(out, format=image_format, **options)
    return out.getvalue()


# Made once: a profile records when it was made.
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: where the photo was taken, and by what."""
    exif = Image.Exif()
    exif[0x010F] = "Canteen Phones"  # Make
    exif[0xA431] = "SERIAL-0042"  # BodySerialNumber (in the EXIF IFD below)
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    )
    return exif


def phone_photo(size: tuple[int, int] = (800, 600), orientation: int = 6) -> bytes:
    """A JPEG with GPS EXIF, XMP, a comment and an ICC profile."""
    # Left half red, right half blue: where red ends up shows the turn.
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        quality=90,
        exif=phone_exif(orientation),
        xmp=XMP,
        comment=b"taken at home",
        icc_profile=SRGB_PROFILE,
    )
    return out.getvalue()


def png_with_metadata() -> bytes:
    """A PNG with eXIf, tEXt, zTXt and iTXt chunks and an ICC profile."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice Adams")
    info.add_text("Comment", "made at home", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (40, 120, 200, 128)).save(
        out,
        format="PNG",
        pnginfo=info,
        exif=phone_exif(),
        icc_profile=SRGB_PROFILE,
    )
    return out.getvalue()


def png_text() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice Adams")
    return info


def animation_bytes(image_format: str, frames: int = 3, **options) -> bytes:
    """An animation of `frames` differently coloured frames."""
    images = [
        Image.new("RGB", (32, 24), (80 * n % 256, 40, 200)) for n in range(frames)
    ]
    out = io.BytesIO()
    images[0].save(
        out,
        format=image_format,
        save_all=True,
        append_images=images[1:],
        duration=100,
        loop=0,
        **options,
    )
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels (a bomb's)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    # The IHDR chunk: length (4), type (4), then width and height.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29]))
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b"<?xml version='1.0'?><Types/>",
            "word/document.xml": b"<?xml version='1.0'?><w:document/>",
        }
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<?xml version='1.0'?><office:document-content/>",
        }
    )


HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
