"""Files on posts: uploaded to a space, posted with a post, served only to
those who may read the post (messaging's machinery, feeds' access rule).

alice leads the spaces; bob is a member of the closed one; carol is an
outsider who must get 404 on every file path.
"""

import datetime
import io

import pytest
from asgiref.sync import async_to_sync
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from feeds import services
from feeds.models import Post, PostAttachment, Space
from intranet.models import Event
from tests.base import capture_published
from tests.messaging.files import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def club(alice, bob):
    """A closed space: bob is in it, carol is not."""
    space = services.create_space(
        alice, name="Chess club", visibility=Space.Visibility.CLOSED
    )
    services.add_members(alice, space_id=space.pk, user_ids=[bob.pk])
    return space


@pytest.fixture
def secret(alice, bob):
    space = services.create_space(
        alice, name="Board", visibility=Space.Visibility.SECRET
    )
    services.add_members(alice, space_id=space.pk, user_ids=[bob.pk])
    return space


def _named(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def upload(client, user, space, name: str, content: bytes):
    client.force_login(user)
    return client.post(
        f"/api/v1/spaces/{space.pk}/attachments", {"file": _named(name, content)}
    )


def post(client, user, space, attachments, *, client_id="p1", body="Look"):
    client.force_login(user)
    return client.post(
        f"/api/v1/spaces/{space.pk}/posts",
        {"body": body, "client_id": client_id, "attachments": attachments},
        content_type="application/json",
    )


def content_of(response) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def test_upload_post_and_download(client, alice, bob, carol, club):
    photo = upload(client, alice, club, "board.png", image_bytes("PNG", (900, 300)))
    assert photo.status_code == 201, photo.content
    photo = photo.json()
    assert (photo["is_image"], photo["width"], photo["height"]) == (True, 900, 300)
    notes = upload(client, alice, club, "notes.txt", b"e4 e5").json()

    response = post(client, alice, club, [notes["id"], photo["id"]])
    assert response.status_code == 201, response.content
    shown = response.json()["attachments"]
    # In the order given, not the order uploaded.
    assert [a["id"] for a in shown] == [notes["id"], photo["id"]]
    assert shown[0]["name"] == "notes.txt" and shown[0]["size"] == 5

    # The feed and the post answer them too.
    client.force_login(bob)
    feed = client.get(f"/api/v1/spaces/{club.pk}/posts").json()
    assert [a["id"] for a in feed["items"][0]["attachments"]] == [
        notes["id"],
        photo["id"],
    ]
    download = client.get(shown[0]["url"])
    assert download.status_code == 200
    assert content_of(download) == b"e4 e5"
    assert download["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    thumbnail = client.get(shown[1]["thumbnail_url"])
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/webp"

    # An outsider of the closed space: nothing, not even that it exists.
    client.force_login(carol)
    for url in (shown[0]["url"], shown[1]["url"], shown[1]["thumbnail_url"]):
        assert client.get(url).status_code == 404


def test_an_unposted_upload_is_its_uploaders_alone(client, alice, bob, club):
    notes = upload(client, alice, club, "draft.txt", b"draft").json()
    client.force_login(bob)
    assert client.get(notes["url"]).status_code == 404
    client.force_login(alice)
    assert client.get(notes["url"]).status_code == 200


def test_secret_space_outsiders_and_removed_members_get_404(
    client, alice, bob, carol, secret
):
    photo = upload(client, alice, secret, "plan.png", image_bytes()).json()
    assert post(client, alice, secret, [photo["id"]]).status_code == 201
    client.force_login(bob)
    assert client.get(photo["url"]).status_code == 200
    client.force_login(carol)
    assert client.get(photo["url"]).status_code == 404
    assert client.get(photo["thumbnail_url"]).status_code == 404
    # Nor can she upload there: the space is unknown to her.
    assert upload(client, carol, secret, "x.txt", b"x").status_code == 404

    services.remove_member(alice, space_id=secret.pk, user_id=bob.pk)
    client.force_login(bob)
    assert client.get(photo["url"]).status_code == 404
    assert client.get(photo["thumbnail_url"]).status_code == 404


def test_only_who_may_post_uploads(client, alice, carol, club):
    garden = services.create_space(alice, name="Garden")  # open
    response = upload(client, carol, garden, "a.txt", b"a")
    assert response.status_code == 403
    assert response.json()["error"] == "Join the space to post in it."
    # A closed space's outsider does not learn it is there.
    assert upload(client, carol, club, "a.txt", b"a").status_code == 404
    assert not PostAttachment.objects.exists()


def test_a_post_takes_only_its_authors_own_unposted_uploads_to_that_space(
    client, alice, bob, club
):
    garden = services.create_space(alice, name="Garden")
    other_space = upload(client, alice, garden, "a.txt", b"a").json()
    bobs = upload(client, bob, club, "b.txt", b"b").json()
    mine = upload(client, alice, club, "c.txt", b"c").json()
    for ids in ([other_space["id"]], [bobs["id"]], [mine["id"], 999_999]):
        response = post(client, alice, club, ids, client_id=f"x{ids[0]}")
        assert response.status_code == 400, response.content
        assert "attach it again" in response.json()["error"]
    assert not Post.objects.exists()  # each rolled back whole
    assert post(client, alice, club, [mine["id"]]).status_code == 201
    # Posted once: not again.
    response = post(client, alice, club, [mine["id"]], client_id="again")
    assert response.status_code == 400
    duplicate = upload(client, alice, club, "d.txt", b"d").json()
    response = post(client, alice, club, [duplicate["id"]] * 2, client_id="dup")
    assert response.status_code == 400
    assert response.json()["error"] == "The same file is listed twice."
    # At most as many as a message.
    response = post(client, alice, club, list(range(1, 12)), client_id="many")
    assert response.status_code == 422


def test_bad_and_oversized_files_are_refused(client, alice, club, settings):
    response = upload(client, alice, club, "page.txt", b"<html><p>hi</p></html>")
    assert response.status_code == 415
    response = upload(client, alice, club, "photo.png", b"\x89PNG\r\n\x1a\nbroken")
    assert response.status_code == 400
    assert "could not be read" in response.json()["error"]
    settings.MAX_ATTACHMENT_BYTES = 10
    response = upload(client, alice, club, "big.txt", b"x" * 11)
    assert response.status_code == 413
    assert response.json()["error"].startswith("Files can be at most")
    assert not PostAttachment.objects.exists()
    assert not list((settings.MEDIA_ROOT).rglob("*.*"))


def test_deleting_a_post_deletes_its_files_everywhere(
    client, alice, bob, club, django_capture_on_commit_callbacks
):
    photo = upload(client, alice, club, "board.png", image_bytes()).json()
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = post(client, alice, club, [photo["id"]]).json()
    (new,) = [p for p in published if p["event"]["type"] == "post.new"]
    assert [a["id"] for a in new["event"]["post"]["attachments"]] == [photo["id"]]
    # A tab that was away catches them up from the log (sync).
    logged = Event.objects.get(subject=f"post.{created['id']}")
    assert [a["id"] for a in logged.payload["post"]["attachments"]] == [photo["id"]]
    stored = PostAttachment.objects.get()
    names = [str(stored.file.name), str(stored.thumbnail.name)]
    assert all(default_storage.exists(n) for n in names)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_post(alice, post_id=created["id"])
    assert not PostAttachment.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    client.force_login(bob)
    assert client.get(photo["url"]).status_code == 404
    assert client.get(photo["thumbnail_url"]).status_code == 404
    assert client.get(f"/api/v1/posts/{created['id']}").json()["attachments"] == []
    # The catch-up log no longer names them either.
    for event in Event.objects.filter(subject=f"post.{created['id']}"):
        assert event.payload["post"]["attachments"] == []


def test_unposted_uploads_are_pruned_with_messagings(client, alice, club):
    old = upload(client, alice, club, "old.txt", b"old").json()
    fresh = upload(client, alice, club, "fresh.txt", b"fresh").json()
    posted = upload(client, alice, club, "posted.txt", b"posted").json()
    post(client, alice, club, [posted["id"]])
    PostAttachment.objects.filter(pk__in=[old["id"], posted["id"]]).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("prune_attachments", stdout=io.StringIO())
    left = set(PostAttachment.objects.values_list("pk", flat=True))
    assert left == {fresh["id"], posted["id"]}


def test_the_space_page_shows_files_and_the_composer_attaches(client, alice, bob, club):
    photo = upload(client, alice, club, "board.png", image_bytes()).json()
    notes = upload(client, alice, club, "notes.txt", b"e4 e5").json()
    post(client, alice, club, [photo["id"], notes["id"]])
    client.force_login(bob)
    page = client.get(club.get_absolute_url()).content.decode()
    assert f'<img src="{photo["thumbnail_url"]}" alt="board.png"' in page
    assert f'href="{photo["url"]}"' in page
    assert f'href="{notes["url"]}" download="notes.txt"' in page
    assert "<span>Attach files</span>" in page
    assert 'data-max-attachment-bytes="' in page
