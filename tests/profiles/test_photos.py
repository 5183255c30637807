"""Profile photos: images only, checked by content, squared, no metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from intranet.errors import ServiceError
from profiles.services import remove_photo, set_photo
from tests.messaging.files import (
    image_bytes,
    pdf_bytes,
    phone_photo,
    png_claiming,
    png_with_metadata,
)


def upload(data: bytes, name: str = "me.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def served(client: Client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    return Image.open(io.BytesIO(response.getvalue()))


def test_a_phone_photo_becomes_a_square_without_its_metadata(client, alice, bob):
    # 800x600 turned a quarter by its EXIF: upright, it is 600 wide.
    set_photo(alice, file=io.BytesIO(phone_photo()), size=None)
    alice.refresh_from_db()
    client.force_login(bob)
    page = client.get(f"/people/{alice.pk}/").content.decode()
    large_url = f"/people/{alice.pk}/photo/large/?v="
    assert large_url in page
    large = served(client, page[page.index(large_url) :].split('"')[0])
    assert large.size == (256, 256)
    assert not large.getexif()  # no GPS, no camera
    assert "xmp" not in large.info and "icc_profile" not in large.info
    small = served(client, f"/people/{alice.pk}/photo/small/")
    assert small.size == (108, 108)
    # Upright: the red half (the photo's left) is on top after the turn.
    top = large.convert("RGB").getpixel((128, 20))
    assert isinstance(top, tuple)
    assert top[0] > 200 and top[2] < 60, top
    # The directory, the sidebar and the pickers show it as the avatar.
    directory = client.get("/people/").content.decode()
    assert f"/people/{alice.pk}/photo/small/?v=" in directory


def test_metadata_in_a_png_is_gone_too(alice):
    set_photo(alice, file=io.BytesIO(png_with_metadata()), size=None)
    with alice.photo.open("rb") as stored:
        data = stored.read()
    assert b"Alice Adams" not in data and b"GPS" not in data
    assert b"made at home" not in data


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (pdf_bytes(), 415, "must be a photo"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 415, "must be a photo"),
        (b"GIF89a" + b"\x00" * 20, 400, "could not be read"),
        (image_bytes("PNG")[:60], 400, "could not be read"),
        (png_claiming(50_000, 50_000), 400, "megapixels"),
        (png_claiming(10_000, 5_000), 400, "megapixels"),
    ],
)
def test_hostile_uploads_are_refused_with_a_sentence(alice, data, status, message):
    with pytest.raises(ServiceError, match=message) as caught:
        set_photo(alice, file=io.BytesIO(data), size=len(data))
    assert caught.value.status == status
    alice.refresh_from_db()
    assert not alice.photo


def test_a_huge_upload_is_refused_before_it_is_read(alice, settings):
    settings.MAX_PHOTO_BYTES = 1000
    data = image_bytes("PNG", (200, 200))
    with pytest.raises(ServiceError, match="at most") as caught:
        set_photo(alice, file=io.BytesIO(data + b"\x00" * 1000), size=2000)
    assert caught.value.status == 413
    # A size not given is measured, not trusted.
    with pytest.raises(ServiceError, match="at most"):
        set_photo(alice, file=io.BytesIO(data + b"\x00" * 1000), size=None)


def test_a_new_photo_replaces_the_old_files_and_removing_goes_back(
    alice, django_capture_on_commit_callbacks
):
    set_photo(alice, file=io.BytesIO(image_bytes("PNG")), size=None)
    first = [alice.photo.name, alice.photo_small.name]
    storage = alice.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(alice, file=io.BytesIO(image_bytes("GIF")), size=None)
    assert alice.photo.name not in first
    assert not any(storage.exists(name) for name in first)
    current = [alice.photo.name, alice.photo_small.name]
    assert all(storage.exists(name) for name in current)
    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(alice)
    alice.refresh_from_db()
    assert not alice.photo and not alice.photo_small
    assert not any(storage.exists(name) for name in current)


def test_photos_are_served_to_people_signed_in_and_of_active_people(client, alice, bob):
    set_photo(alice, file=io.BytesIO(image_bytes("PNG")), size=None)
    url = f"/people/{alice.pk}/photo/small/"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(bob)
    assert client.get(url).status_code == 200
    assert client.get(f"/people/{alice.pk}/photo/huge/").status_code == 404
    assert client.get(f"/people/{bob.pk}/photo/small/").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get(url).status_code == 404


def test_uploading_over_rest_and_through_the_page(client, alice):
    client.force_login(alice)
    response = client.post(
        "/api/v1/people/me/photo", {"file": upload(image_bytes("JPEG"))}
    )
    assert response.status_code == 200, response.content
    assert response.json()["photo"].startswith(f"/people/{alice.pk}/photo/small/")
    response = client.post("/api/v1/people/me/photo", {"file": upload(pdf_bytes())})
    assert response.status_code == 415
    assert "must be a photo" in response.json()["error"]
    assert client.delete("/api/v1/people/me/photo").status_code == 204
    form = {"time_zone": "UTC", "photo": upload(b"not an image", "x.png")}
    response = client.post("/settings/profile/", form)
    assert response.status_code == 400
    assert "must be a photo" in response.content.decode()
    form = {"time_zone": "UTC", "photo": upload(image_bytes("WEBP"), "x.webp")}
    assert client.post("/settings/profile/", form).status_code == 302
    alice.refresh_from_db()
    assert alice.photo
