"""Attachments: what is accepted, who may see it, and how it is sent.

alice and bob share a direct conversation; carol is an outsider and must
get 404 for every attachment path.
"""

import datetime
import io
import re
from html import unescape
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone
from django.utils.http import content_disposition_header
from PIL import Image, ImageChops, ImageStat
from PIL.JpegImagePlugin import JpegImageFile
from PIL.PngImagePlugin import PngImageFile

from intranet.errors import ServiceError
from intranet.models import Event
from messaging import events, selectors, services
from messaging.models import Attachment, Message
from profiles.services import create_api_token
from tests.base import capture_published
from tests.messaging.files import (
    GPS_IFD,
    HTML,
    SRGB_PROFILE,
    animation_bytes,
    docx_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    phone_exif,
    phone_photo,
    png_claiming,
    png_text,
    png_with_metadata,
    zip_bytes,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """An empty MEDIA_ROOT per test, to see exactly what each one stores."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


def upload(user, conversation, name: str, content: bytes) -> Attachment:
    return services.upload_attachment(
        user,
        conversation_id=conversation.pk,
        upload=io.BytesIO(content),
        name=name,
        size=len(content),
    )


def refused(user, conversation, name: str, content: bytes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        upload(user, conversation, name, content)
    return caught.value


def send(user, conversation, body="", client_id="c1", attachments=()):
    message, _ = services.send_message(
        user,
        conversation_id=conversation.pk,
        body=body,
        client_id=client_id,
        attachment_ids=[a.pk for a in attachments],
    )
    return message


def stored(name: str | None) -> bool:
    return name is not None and default_storage.exists(name)


# ------------------------------------------------------------------ kinds


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", image_bytes("PNG"), "image/png"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("wave.gif", image_bytes("GIF", mode="P"), "image/gif"),
        ("pic.webp", image_bytes("WEBP"), "image/webp"),
        # Among images a wrong image name is forgiven: the content decides.
        ("renamed.jpg", image_bytes("PNG"), "image/png"),
        ("report.pdf", pdf_bytes(), "application/pdf"),
        ("notes.txt", "Ça va? — ok ✓\n".encode(), "text/plain"),
        ("data.csv", b"a,b\n1,2\n", "text/plain"),
        ("README", b"no extension, plain text\n", "text/plain"),
        (
            "plan.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("plan.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("bundle.zip", zip_bytes({"a.txt": b"hi"}), "application/zip"),
    ],
)
def test_accepted_files_are_typed_by_their_content(
    alice, direct, name, content, content_type
):
    attachment = upload(alice, direct, name, content)
    assert attachment.content_type == content_type
    assert attachment.name == name
    assert attachment.message is None
    with attachment.file.open("rb") as f:
        kept = f.read()
    # The size is what is stored; only images are rewritten (see below), and
    # these plain ones carry nothing to remove.
    assert attachment.size == len(kept)
    if not attachment.is_image:
        assert kept == content
    # Stored under a random name, never the uploader's.
    assert name not in str(attachment.file.name)
    assert attachment.is_image is content_type.startswith("image/")
    assert bool(attachment.thumbnail) is attachment.is_image


def test_images_get_their_size_and_a_small_thumbnail(alice, direct):
    attachment = upload(alice, direct, "wide.png", image_bytes("PNG", (1600, 400)))
    assert (attachment.width, attachment.height) == (1600, 400)
    with attachment.thumbnail.open("rb") as f:
        thumbnail = Image.open(f)
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (400, 100)
    # A phone photo turned by its EXIF orientation is shown upright: the
    # size people see, and the thumbnail, are turned too.
    photo = upload(
        alice, direct, "phone.jpg", image_bytes("JPEG", (800, 600), orientation=6)
    )
    assert (photo.width, photo.height) == (600, 800)
    with photo.thumbnail.open("rb") as f:
        assert Image.open(f).size == (300, 400)
    # Transparency survives in the thumbnail.
    clear = upload(alice, direct, "logo.png", image_bytes("PNG", mode="RGBA"))
    with clear.thumbnail.open("rb") as f:
        assert Image.open(f).mode == "RGBA"


def stored_image(attachment: Attachment) -> Image.Image:
    with attachment.file.open("rb") as f:
        content = f.read()
    assert attachment.size == len(content)
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_a_phone_photo_is_stored_upright_without_its_metadata(
    client, alice, bob, direct
):
    """Where a photo was taken, and with what, is nobody else's business:
    EXIF (with GPS), XMP and comments are removed from the stored file,
    the EXIF orientation is applied to the pixels, and the colour profile
    is kept."""
    client.force_login(alice)
    photo = phone_photo((800, 600), orientation=6)
    response = post_file(client, direct, "IMG_0042.jpg", photo)
    assert response.status_code == 201, response.content
    shape = response.json()
    assert (shape["width"], shape["height"]) == (600, 800)
    assert shape["content_type"] == "image/jpeg"
    client.post(
        f"/api/v1/conversations/{direct.pk}/messages",
        {"client_id": "p1", "attachments": [shape["id"]]},
        content_type="application/json",
    )

    client.force_login(bob)
    response = client.get(shape["url"])
    assert response["Content-Type"] == "image/jpeg"
    content = content_of(response)
    assert len(content) == shape["size"]
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert image.size == (600, 800)  # turned a quarter, as shown
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(GPS_IFD) == {}
    for key in ("exif", "xmp", "comment"):
        assert key not in image.info
    for leak in (b"SERIAL-0042", b"Canteen Phones", b"GPSLatitude", b"at home"):
        assert leak not in content
    assert image.info["icc_profile"] == SRGB_PROFILE
    # Turned clockwise: the left half (red) is now the top half.
    top, bottom = image.getpixel((300, 200)), image.getpixel((300, 600))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60
    assert bottom[0] < 60 and bottom[2] > 200


def test_an_upright_jpeg_keeps_its_quality(alice, direct):
    """Without a turn to apply the JPEG keeps its quantisation tables and
    subsampling (Pillow's quality="keep"), so re-encoding costs little."""
    photo = phone_photo((640, 480), orientation=1)
    attachment = upload(alice, direct, "upright.jpg", photo)
    image = stored_image(attachment)
    original = Image.open(io.BytesIO(photo))
    assert isinstance(image, JpegImageFile) and isinstance(original, JpegImageFile)
    assert image.size == (640, 480)
    assert dict(image.getexif()) == {}
    assert image.quantization == original.quantization
    assert image.layer == original.layer  # the subsampling
    difference = ImageChops.difference(image.convert("RGB"), original.convert("RGB"))
    assert max(ImageStat.Stat(difference).mean) < 1  # of 255


def test_a_png_loses_its_text_and_exif_but_keeps_its_colour_profile(alice, direct):
    content = png_with_metadata()
    attachment = upload(alice, direct, "diagram.png", content)
    image = stored_image(attachment)
    assert isinstance(image, PngImageFile)
    assert attachment.content_type == "image/png"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert image.text == {}  # tEXt, zTXt, iTXt
    assert image.info["icc_profile"] == SRGB_PROFILE
    with attachment.file.open("rb") as f:
        stored = f.read()
    for chunk in (b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"Alice Adams"):
        assert chunk not in stored
    # The pixels are untouched: PNG chunks are dropped, nothing re-encoded.
    assert image.tobytes() == Image.open(io.BytesIO(content)).tobytes()
    assert image.mode == "RGBA"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("wave.gif", animation_bytes("GIF", comment=b"made at home"), "image/gif"),
        (
            "wave.webp",
            animation_bytes(
                "WEBP", exif=phone_exif(orientation=6), xmp=b"<x:xmpmeta/>"
            ),
            "image/webp",
        ),
        (
            "wave.png",
            animation_bytes("PNG", exif=phone_exif(orientation=6), pnginfo=png_text()),
            "image/png",
        ),
    ],
)
def test_animations_keep_every_frame_and_lose_their_metadata(
    alice, direct, name, content, content_type
):
    """Their chunks are filtered, never re-encoded. An EXIF turn is not
    applied (Pillow would turn one frame), so neither the size nor the
    thumbnail is turned: they match the stored file."""
    attachment = upload(alice, direct, name, content)
    assert attachment.content_type == content_type
    image = stored_image(attachment)
    assert getattr(image, "n_frames", 1) == 3
    assert image.size == (attachment.width, attachment.height) == (32, 24)
    assert dict(image.getexif()) == {}
    for key in ("exif", "xmp", "comment", "Author"):
        assert key not in image.info
    assert b"SERIAL-0042" not in attachment.file.open("rb").read()
    attachment.file.close()


def test_thumbnails_carry_no_metadata(alice, direct):
    for name, content in [
        ("photo.jpg", phone_photo()),
        ("diagram.png", png_with_metadata()),
    ]:
        attachment = upload(alice, direct, name, content)
        with attachment.thumbnail.open("rb") as f:
            thumbnail = Image.open(f)
            assert dict(thumbnail.getexif()) == {}
            assert not {"exif", "xmp", "comment"} & set(thumbnail.info)


def test_a_webp_and_a_png_turned_by_exif_are_stored_upright(alice, direct):
    for image_format in ("WEBP", "PNG"):
        image = Image.new("RGB", (80, 60), (40, 120, 200))
        out = io.BytesIO()
        image.save(out, format=image_format, exif=phone_exif(orientation=8))
        attachment = upload(
            alice, direct, f"turned.{image_format.lower()}", out.getvalue()
        )
        assert (attachment.width, attachment.height) == (60, 80)
        stored = stored_image(attachment)
        assert stored.format == image_format
        assert stored.size == (60, 80)
        assert dict(stored.getexif()) == {}


@pytest.mark.parametrize(
    ("name", "content", "code", "status"),
    [
        # HTML is never accepted, whatever its name.
        ("cat.png", HTML, "unsupported_type", 415),
        ("page.html", HTML, "unsupported_type", 415),
        ("notes.txt", b"  <script>alert(1)</script>", "unsupported_type", 415),
        (
            "icon.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "unsupported_type",
            415,
        ),
        # Content that contradicts the name.
        ("cat.png", b"just some text\n", "type_mismatch", 415),
        ("invoice.pdf", image_bytes("PNG"), "type_mismatch", 415),
        ("photo.png", pdf_bytes(), "type_mismatch", 415),
        ("notes.html", b"plain words\n", "type_mismatch", 415),
        ("run.exe", b"plain words\n", "type_mismatch", 415),
        ("plan.zip", docx_bytes(), "type_mismatch", 415),
        # Not on the list at all.
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "unsupported_type", 415),
        ("latin1.txt", "café".encode("latin-1"), "unsupported_type", 415),
        ("ctrl.txt", b"bell \x07 here", "unsupported_type", 415),
        ("broken.zip", b"PK\x03\x04 then nothing", "unsupported_type", 415),
        # Looks like an image, is not one.
        ("cut.png", image_bytes("PNG")[:60], "bad_image", 400),
        ("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "bad_image", 400),
        ("fake.gif", b"GIF89a" + b"\x00" * 10, "bad_image", 400),
        ("cut.jpg", phone_photo()[:-400], "bad_image", 400),
        ("cut.gif", animation_bytes("GIF", frames=5)[:-60], "bad_image", 400),
        ("cut.webp", animation_bytes("WEBP")[:-30], "bad_image", 400),
        # Decompression bombs: a tiny file claiming billions of pixels.
        ("bomb.png", png_claiming(100_000, 100_000), "image_too_large", 400),
        ("big.png", png_claiming(8_000, 6_000), "image_too_large", 400),
        ("empty.txt", b"", "empty", 400),
    ],
)
def test_refused_files_get_a_clear_error_and_store_nothing(
    alice, direct, settings, name, content, code, status
):
    error = refused(alice, direct, name, content)
    assert (error.code, error.status) == (code, status)
    assert error.message.endswith(".")
    assert Attachment.objects.count() == 0
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def test_size_and_rate_limits(alice, bob, direct, settings):
    settings.MAX_ATTACHMENT_BYTES = 1000
    settings.ATTACHMENT_UPLOAD_BURST = 3
    settings.ATTACHMENT_UPLOAD_PER_MINUTE = 1  # no refill during the test
    error = refused(alice, direct, "big.txt", b"x" * 1001)
    assert (error.code, error.status) == ("too_large", 413)
    assert error.message == "Files can be at most 1000 bytes (this one is 1001 bytes)."
    upload(alice, direct, "fits.txt", b"x" * 1000)
    upload(alice, direct, "two.txt", b"two")
    # The refused upload counted too: it cost the server as much.
    assert refused(alice, direct, "three.txt", b"three").code == "rate_limited"
    upload(bob, direct, "bob.txt", b"bob is not slowed by alice")


@pytest.mark.parametrize(
    "name",
    [
        'a"b.txt',
        "dir/a.txt",
        "..\\x.txt",
        "../../etc/passwd.txt",
        ".hidden.txt",
        "<img src=x onerror=alert(1)>.txt",
        "a&amp;b.txt",
        "Zoë\u2019s 文件 📎.txt",
        "family 👨\u200d👩\u200d👧.txt",  # joiners make one emoji
    ],
)
def test_names_are_kept_as_sent_and_the_path_on_disk_is_generated(alice, direct, name):
    attachment = upload(alice, direct, name, b"x")
    assert attachment.name == name
    on_disk = Path(str(attachment.file.name))
    assert on_disk.parent == Path(f"attachments/{direct.pk}")
    assert on_disk.suffix == ".txt"
    assert on_disk.stem.isalnum()


def test_control_characters_are_stripped_from_names(alice, direct):
    # Newlines, NUL, bidi overrides (which show "txt.exe" as "exe.txt") and
    # invisible characters would break or spoof the name where it is shown.
    sent = "re\u202eport\r\n\x00\x1b[31m\u200b\ufeff.txt"
    assert upload(alice, direct, sent, b"x").name == "report[31m.txt"
    assert upload(alice, direct, " \n\t ", b"x").name == "file"
    long = upload(alice, direct, "n" * 300 + ".txt", b"x")
    assert len(long.name) == 200 and long.name.endswith(".txt")


def test_a_name_is_judged_by_the_extension_a_download_would_get(alice, direct):
    # Browsers save "x.txt/" as "x.txt_" and "a/b.html" as "a_b.html".
    assert refused(alice, direct, "notes/evil.html", b"x").code == "type_mismatch"
    assert refused(alice, direct, "evil.html\\", b"x").code == "type_mismatch"


# ------------------------------------------------------------------ sending


def test_a_message_carries_its_attachments_to_everyone_on_commit(
    alice, bob, direct, django_capture_on_commit_callbacks
):
    photo = upload(alice, direct, "photo.png", image_bytes("PNG", (800, 600)))
    notes = upload(alice, direct, "notes.txt", b"minutes")
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        # An empty body is fine when something is attached.
        message = send(alice, direct, "", attachments=[notes, photo])
    assert message.body == message.body_html == ""
    (call,) = published
    shapes = call["event"]["message"]["attachments"]
    # In the order the sender gave, whatever order they were uploaded in.
    assert shapes == [
        {
            "id": notes.pk,
            "name": "notes.txt",
            "size": 7,
            "content_type": "text/plain",
            "label": "TXT",
            "is_image": False,
            "width": None,
            "height": None,
            "url": f"/api/v1/attachments/{notes.pk}/file",
            "thumbnail_url": None,
        },
        {
            "id": photo.pk,
            "name": "photo.png",
            "size": photo.size,
            "content_type": "image/png",
            "label": "FILE",
            "is_image": True,
            "width": 800,
            "height": 600,
            "url": f"/api/v1/attachments/{photo.pk}/file",
            "thumbnail_url": f"/api/v1/attachments/{photo.pk}/thumbnail",
        },
    ]
    # The replay log and the REST shape say the same.
    assert Event.objects.get().payload["message"]["attachments"] == shapes
    assert (
        events.message_data(selectors.get_message_for_user(bob, message.pk))[
            "attachments"
        ]
        == shapes
    )
    # Sent: bob may now download it.
    assert selectors.get_attachment_for_user(bob, photo.pk) == photo


def test_only_your_own_unsent_uploads_in_that_conversation_can_be_sent(
    alice, bob, carol, direct
):
    bobs = upload(bob, direct, "bobs.txt", b"bob's")
    elsewhere = services.get_or_create_direct(alice, other_id=carol.pk)
    other_conversation = upload(alice, elsewhere, "other.txt", b"other")
    mine = upload(alice, direct, "mine.txt", b"mine")
    for attachments in ([bobs], [other_conversation], [mine, bobs]):
        with pytest.raises(Http404):
            send(alice, direct, "look", client_id="x", attachments=attachments)
    with pytest.raises(Http404):
        services.send_message(
            alice,
            conversation_id=direct.pk,
            body="",
            client_id="y",
            attachment_ids=[999_999],
        )
    # Nothing was stored, and nothing was claimed.
    assert Message.objects.count() == 0
    assert Attachment.objects.filter(message__isnull=False).count() == 0

    sent = send(alice, direct, "first", client_id="a", attachments=[mine])
    with pytest.raises(Http404):  # already sent
        send(alice, direct, "again", client_id="b", attachments=[mine])
    assert list(sent.attachments.all()) == [mine]

    # Without attachments a message still needs a body; at most ten.
    with pytest.raises(ServiceError, match="cannot be empty"):
        send(alice, direct, " ", client_id="c")
    many = [upload(alice, direct, f"{n}.txt", b"n") for n in range(11)]
    with pytest.raises(ServiceError) as caught:
        send(alice, direct, client_id="d", attachments=many)
    assert caught.value.code == "too_many_attachments"
    assert (
        len(send(alice, direct, client_id="e", attachments=many[:10]).attachments.all())
        == 10
    )


def test_a_retried_send_with_attachments_stores_one_message(alice, bob, direct):
    files = [upload(alice, direct, f"{n}.txt", b"n") for n in range(2)]
    first, created = services.send_message(
        alice,
        conversation_id=direct.pk,
        body="both",
        client_id="retry",
        attachment_ids=[f.pk for f in files],
    )
    assert created is True
    for _ in range(3):
        again, created = services.send_message(
            alice,
            conversation_id=direct.pk,
            body="both",
            client_id="retry",
            attachment_ids=[f.pk for f in files],
        )
        assert (again, created) == (first, False)
    assert Message.objects.count() == 1
    assert Event.objects.count() == 1
    assert set(first.attachments.all()) == set(files)


def test_outsiders_and_unsent_uploads_of_others_are_404(alice, bob, carol, direct):
    sent = upload(alice, direct, "sent.png", image_bytes())
    send(alice, direct, attachments=[sent])
    unsent = upload(alice, direct, "draft.txt", b"not sent yet")
    with pytest.raises(Http404):
        upload(carol, direct, "in.txt", b"let me in")
    for attachment in (sent, unsent):
        with pytest.raises(Http404):
            selectors.get_attachment_for_user(carol, attachment.pk)
    with pytest.raises(Http404):  # bob's teammate has not sent it yet
        selectors.get_attachment_for_user(bob, unsent.pk)
    assert selectors.get_attachment_for_user(alice, unsent.pk) == unsent
    # Leaving a conversation ends access to its files.
    group = services.create_group(alice, title="Team", member_ids=[bob.pk])
    shared = upload(alice, group, "plan.txt", b"plan")
    send(alice, group, client_id="g", attachments=[shared])
    assert selectors.get_attachment_for_user(bob, shared.pk) == shared
    services.leave_conversation(bob, conversation_id=group.pk)
    with pytest.raises(Http404):
        selectors.get_attachment_for_user(bob, shared.pk)


def test_deleting_a_message_deletes_its_files(
    alice, bob, direct, django_capture_on_commit_callbacks
):
    photo = upload(alice, direct, "photo.png", image_bytes())
    message = send(alice, direct, "look", attachments=[photo])
    names = [photo.file.name, photo.thumbnail.name]
    assert all(stored(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.delete_message(alice, message_id=message.pk)
    assert events.message_data(deleted)["attachments"] == []
    assert Event.objects.latest("id").payload["message"]["attachments"] == []
    assert not any(stored(n) for n in names)
    with pytest.raises(Http404):
        selectors.get_attachment_for_user(bob, photo.pk)


def test_unsent_uploads_are_pruned_after_a_day(
    alice, direct, django_capture_on_commit_callbacks
):
    old = upload(alice, direct, "old.txt", b"old")
    sent = upload(alice, direct, "sent.txt", b"sent")
    send(alice, direct, attachments=[sent])
    Attachment.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    fresh = upload(alice, direct, "fresh.txt", b"fresh")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_attachments", stdout=out)
    assert "Deleted 1 unsent upload" in out.getvalue()
    assert set(Attachment.objects.all()) == {sent, fresh}
    assert not stored(old.file.name)
    assert stored(sent.file.name) and stored(fresh.file.name)


def test_history_loads_attachments_without_a_query_per_message(
    alice, bob, direct, django_assert_num_queries
):
    def history_size() -> int:
        # history, reactions, mentions, attachments: whatever the count.
        with django_assert_num_queries(4):
            messages = selectors.message_history(direct)
            shapes = [events.message_data(m) for m in messages]
        return sum(len(s["attachments"]) for s in shapes)

    send(alice, direct, attachments=[upload(alice, direct, "1.txt", b"1")])
    assert history_size() == 1
    for n in range(4):
        files = [upload(bob, direct, f"{n}-{i}.txt", b"x") for i in range(2)]
        send(bob, direct, client_id=f"b{n}", attachments=files)
    assert history_size() == 9


# ------------------------------------------------------------------ REST


def content_of(response) -> bytes:
    """Read a served file (an async stream, as Daphne reads it)."""

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def post_file(client, conversation, name, content, **extra):
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/attachments",
        {"file": _named(name, content)},
        **extra,
    )


def _named(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def test_upload_send_and_download_over_rest(client, alice, bob, carol, direct):
    client.force_login(alice)
    response = post_file(client, direct, "photo.png", image_bytes("PNG", (900, 300)))
    assert response.status_code == 201, response.content
    photo = response.json()
    assert photo["content_type"] == "image/png"
    assert (photo["width"], photo["height"]) == (900, 300)
    doc = post_file(client, direct, "notes.txt", b"minutes").json()

    response = client.post(
        f"/api/v1/conversations/{direct.pk}/messages",
        {"client_id": "r1", "attachments": [doc["id"], photo["id"]]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # In the order given, not the order uploaded.
    assert [a["id"] for a in response.json()["attachments"]] == [doc["id"], photo["id"]]

    client.force_login(bob)
    page = client.get(f"/api/v1/conversations/{direct.pk}/messages").json()
    names = [a["name"] for a in page["messages"][0]["attachments"]]
    assert names == ["notes.txt", "photo.png"]

    image = client.get(photo["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"] == 'inline; filename="photo.png"'
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert "default-src 'none'" in image["Content-Security-Policy"]
    with Attachment.objects.get(pk=photo["id"]).file.open("rb") as f:
        assert content_of(image) == f.read()
    thumbnail = client.get(photo["thumbnail_url"])
    assert thumbnail["Content-Type"] == "image/webp"
    assert content_of(thumbnail)[8:12] == b"WEBP"

    text = client.get(doc["url"])
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert content_of(text) == b"minutes"
    # No thumbnail for text.
    assert client.get(f"/api/v1/attachments/{doc['id']}/thumbnail").status_code == 404
    assert client.get(f"/api/v1/attachments/{doc['id']}").json() == doc

    client.force_login(carol)
    for url in (
        photo["url"],
        photo["thumbnail_url"],
        f"/api/v1/attachments/{photo['id']}",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"error": "No such attachment."}
    response = post_file(client, direct, "x.txt", b"x")
    assert response.status_code == 404
    assert Attachment.objects.count() == 2

    client.logout()
    assert client.get(photo["url"]).status_code == 401


def test_a_non_ascii_name_is_sent_back_safely(client, alice, direct):
    client.force_login(alice)
    doc = post_file(client, direct, 'Zoë "final".pdf', pdf_bytes()).json()
    response = client.get(doc["url"])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Zo%C3%AB%20%22final%22.pdf"
    )


def multipart(filename_param: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body with one file part, its filename sent as given."""
    boundary = "canteenboundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; '
        + filename_param
        + b"\r\nContent-Type: text/plain\r\n\r\n"
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_name_with_markup_and_quotes_is_shown_as_text(client, alice, direct):
    name = '<b onmouseover="x">"q" & a/b</b>.txt'
    doc = upload(alice, direct, name, b"x")
    send(alice, direct, "see", attachments=[doc])
    client.force_login(alice)
    html = client.get(f"/messages/{direct.pk}/").content.decode()
    assert name not in html
    assert "<b onmouseover" not in html
    # Escaped, whichever way the template engine spells a quote.
    (shown,) = re.findall(r'download="([^"]*)"', html)
    assert "<" not in shown and "&amp;" in shown
    assert unescape(shown) == name


@pytest.mark.parametrize(
    ("filename_param", "name"),
    [
        # Browsers, curl and requests escape ", CR and LF this way
        # (WHATWG HTML, "multipart/form-data encoding algorithm").
        (b'filename="a%22b.txt"', 'a"b.txt'),
        (b'filename="line%0D%0Abreak.txt"', "linebreak.txt"),
        (b'filename="dir/a.txt"', "dir/a.txt"),
        (b'filename="..\\x.txt"', "..\\x.txt"),
        (b'filename=".."', ".."),
        ('filename="Zoë 文件.txt"'.encode(), "Zoë 文件.txt"),
        (b"filename*=UTF-8''%E2%9C%93%20ok.txt", "✓ ok.txt"),
        (b'filename="a&amp;b.txt"', "a&amp;b.txt"),
    ],
)
def test_the_name_a_client_sends_is_the_name_people_see(
    client, alice, direct, filename_param, name
):
    client.force_login(alice)
    body, content_type = multipart(filename_param, b"notes")
    response = client.post(
        f"/api/v1/conversations/{direct.pk}/attachments",
        body,
        content_type=content_type,
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == name
    download = client.get(response.json()["url"])
    assert download["Content-Disposition"] == content_disposition_header(
        as_attachment=True, filename=name
    )
    assert content_of(download) == b"notes"


def test_bad_uploads_are_clear_4xx_json_never_500(client, alice, bob, direct, settings):
    settings.MAX_ATTACHMENT_BYTES = 2048
    client.force_login(alice)
    cases = [
        ("big.txt", b"x" * 2049, 413, "too_large"),
        ("cat.png", HTML, 415, "unsupported_type"),
        ("cat.png", b"words", 415, "type_mismatch"),
        ("cut.png", image_bytes()[:50], 400, "bad_image"),
        ("bomb.png", png_claiming(100_000, 100_000), 400, "image_too_large"),
    ]
    for name, content, status, code in cases:
        response = post_file(client, direct, name, content)
        assert response.status_code == status, (name, response.content)
        assert response.json()["code"] == code
        assert response.json()["error"]
    # No file at all.
    response = client.post(f"/api/v1/conversations/{direct.pk}/attachments", {})
    assert response.status_code == 422
    # Someone else's upload, or a made-up id, in a send.
    bobs = services.upload_attachment(
        bob, conversation_id=direct.pk, upload=io.BytesIO(b"b"), name="b.txt", size=1
    )
    for ids in ([bobs.pk], [123_456]):
        response = client.post(
            f"/api/v1/conversations/{direct.pk}/messages",
            {"client_id": f"s{ids[0]}", "body": "", "attachments": ids},
            content_type="application/json",
        )
        assert response.status_code == 404, response.content
    assert Attachment.objects.count() == 1
    assert Message.objects.count() == 0


def test_documents_are_served_exactly_as_uploaded(client, alice, direct):
    client.force_login(alice)
    for name, content in [
        ("report.pdf", pdf_bytes()),
        ("notes.txt", "Ça va? — ok ✓\n".encode()),
        ("plan.docx", docx_bytes()),
    ]:
        shape = post_file(client, direct, name, content).json()
        assert shape["size"] == len(content)
        assert content_of(client.get(shape["url"])) == content


def test_tokens_upload_with_write_and_download_with_read(client, alice, direct):
    _, reader = create_api_token(alice, name="Reader", scopes=["read"])
    _, writer = create_api_token(alice, name="Bot", scopes=["read", "write"])
    refused_upload = post_file(
        client, direct, "a.txt", b"a", HTTP_AUTHORIZATION=f"Bearer {reader}"
    )
    assert refused_upload.status_code == 403
    response = post_file(
        client, direct, "a.txt", b"a", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert response.status_code == 201
    download = client.get(response.json()["url"], HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert download.status_code == 200


def test_session_uploads_need_csrf(alice, direct):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert post_file(client, direct, "a.txt", b"a").status_code == 403
    assert Attachment.objects.count() == 0


def test_the_conversation_page_shows_thumbnails_and_file_cards(
    client, alice, bob, carol, direct
):
    photo = upload(alice, direct, "harbour.png", image_bytes("PNG", (1200, 800)))
    pdf = upload(alice, direct, "minutes.pdf", pdf_bytes())
    message = send(alice, direct, "see", attachments=[photo, pdf])
    client.force_login(bob)
    html = client.get(f"/messages/{direct.pk}/").content.decode()
    assert (
        f'<img src="/api/v1/attachments/{photo.pk}/thumbnail" alt="harbour.png" '
        'width="320" height="213" loading="lazy">'
    ) in html
    assert f'href="/api/v1/attachments/{pdf.pk}/file" download="minutes.pdf"' in html
    assert '<span class="file-icon" aria-hidden="true">PDF</span>' in html
    # The permalink page too; an outsider sees neither.
    permalink = f"/messages/{direct.pk}/m/{message.pk}/"
    assert "harbour.png" in client.get(permalink).content.decode()
    client.force_login(carol)
    assert client.get(permalink).status_code == 404
