"""Who may do what to a space and its posts: one matrix of personas
(leader, moderator, member, outsider) by spaces (open, closed, secret)
by actions, over REST, the pages and the catch-up log.

A secret space is 404 to outsiders everywhere; a closed one shows its
name, while its posts, comments, members and events are 404 to them.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.test import Client

from feeds import services
from feeds.models import Comment, JoinRequest, Post, Space
from profiles.factories import UserFactory
from profiles.models import User
from tests.base import events_since

pytestmark = pytest.mark.django_db

PERSONAS = ["leader", "moderator", "member", "outsider"]
VISIBILITIES = ["open", "closed", "secret"]


@dataclass
class World:
    """One space of the visibility under test, its people and things."""

    space: Space
    post: Post  # the member's
    comment: Comment  # the member's, on that post
    people: dict[str, User]
    newcomer: User  # asked to join; no member


@pytest.fixture
def make_world(db) -> Callable[[str], World]:
    # People without passwords: hashing them was most of each case's time.
    def make(visibility: str) -> World:
        alice, bob, carol, dave, erin = UserFactory.create_batch(5)
        space = services.create_space(
            alice, name=f"{visibility} space", visibility=visibility
        )
        services.add_members(alice, space_id=space.pk, user_ids=[bob.pk, carol.pk])
        services.set_role(alice, space_id=space.pk, user_id=bob.pk, role="moderator")
        post, _ = services.create_post(
            carol,
            space_id=space.pk,
            body=f"words of the {visibility} space",
            client_id="p",
        )
        comment = services.add_comment(carol, post_id=post.pk, body="a comment")
        JoinRequest.objects.create(space=space, user=erin)
        people = {"leader": alice, "moderator": bob, "member": carol, "outsider": dave}
        return World(space, post, comment, people, erin)

    return make


def expect(
    leader: int, moderator: int, member: int, open_: int, closed: int, secret: int
) -> Callable[[str, str], int]:
    """The status each persona gets; an outsider's depends on the space."""
    by_persona = {"leader": leader, "moderator": moderator, "member": member}
    outsider = {"open": open_, "closed": closed, "secret": secret}

    def status(persona: str, visibility: str) -> int:
        return outsider[visibility] if persona == "outsider" else by_persona[persona]

    return status


# (name, method, path, body, expected): {s} the space, {p} the post, {c}
# the comment, {m} the member, {n} the newcomer with a join request.
ACTIONS = [
    # Reading.
    ("space", "GET", "/spaces/{s}", None, expect(200, 200, 200, 200, 200, 404)),
    (
        "members",
        "GET",
        "/spaces/{s}/members",
        None,
        expect(200, 200, 200, 200, 404, 404),
    ),
    ("feed", "GET", "/spaces/{s}/posts", None, expect(200, 200, 200, 200, 404, 404)),
    ("pinned", "GET", "/spaces/{s}/pinned", None, expect(200, 200, 200, 200, 404, 404)),
    ("post", "GET", "/posts/{p}", None, expect(200, 200, 200, 200, 404, 404)),
    (
        "comments",
        "GET",
        "/posts/{p}/comments",
        None,
        expect(200, 200, 200, 200, 404, 404),
    ),
    ("comment", "GET", "/comments/{c}", None, expect(200, 200, 200, 200, 404, 404)),
    # Reach: the author and the space's leaders, no one else.
    ("reach", "GET", "/posts/{p}/reach", None, expect(200, 404, 200, 404, 404, 404)),
    (
        "requests",
        "GET",
        "/spaces/{s}/join-requests",
        None,
        expect(200, 403, 403, 403, 403, 404),
    ),
    # The space.
    (
        "update",
        "PATCH",
        "/spaces/{s}",
        {"description": "New"},
        expect(200, 403, 403, 403, 403, 404),
    ),
    ("join", "POST", "/spaces/{s}/join", None, expect(200, 200, 200, 200, 403, 404)),
    (
        "ask",
        "POST",
        "/spaces/{s}/join-requests",
        {},
        expect(409, 409, 409, 409, 201, 404),
    ),
    ("leave", "POST", "/spaces/{s}/leave", None, expect(409, 204, 204, 204, 204, 404)),
    ("mute", "PUT", "/spaces/{s}/mute", None, expect(204, 204, 204, 409, 409, 404)),
    (
        "read",
        "POST",
        "/spaces/{s}/read",
        {"post": "{p}"},
        expect(200, 200, 200, 409, 409, 404),
    ),
    # Members and requests: leaders only.
    (
        "add",
        "POST",
        "/spaces/{s}/members",
        {"members": ["{n}"]},
        expect(200, 403, 403, 403, 403, 404),
    ),
    (
        "role",
        "PATCH",
        "/spaces/{s}/members/{m}",
        {"role": "moderator"},
        expect(200, 403, 403, 403, 403, 404),
    ),
    (
        "remove",
        "DELETE",
        "/spaces/{s}/members/{m}",
        None,
        expect(204, 403, 403, 403, 403, 404),
    ),
    (
        "approve",
        "POST",
        "/spaces/{s}/join-requests/{n}/approve",
        None,
        expect(204, 403, 403, 403, 403, 404),
    ),
    (
        "decline",
        "POST",
        "/spaces/{s}/join-requests/{n}/decline",
        None,
        expect(204, 403, 403, 403, 403, 404),
    ),
    # Posts.
    (
        "write",
        "POST",
        "/spaces/{s}/posts",
        {"body": "Hi", "client_id": "w"},
        expect(201, 201, 201, 403, 404, 404),
    ),
    (
        "edit",
        "PATCH",
        "/posts/{p}",
        {"body": "Changed"},
        expect(403, 403, 200, 403, 404, 404),
    ),
    (
        "delete",
        "DELETE",
        "/posts/{p}",
        {"reason": "Spam"},
        expect(204, 204, 204, 403, 404, 404),
    ),
    ("pin", "PUT", "/posts/{p}/pin", None, expect(200, 200, 403, 403, 404, 404)),
    (
        "announce",
        "PUT",
        "/posts/{p}/announcement",
        None,
        expect(200, 200, 403, 403, 404, 404),
    ),
    (
        "react",
        "POST",
        "/posts/{p}/reactions",
        {"emoji": "👍"},
        expect(200, 200, 200, 403, 404, 404),
    ),
    ("mute post", "PUT", "/posts/{p}/mute", None, expect(204, 204, 204, 204, 404, 404)),
    # Comments.
    (
        "comment",
        "POST",
        "/posts/{p}/comments",
        {"body": "Yes"},
        expect(201, 201, 201, 403, 404, 404),
    ),
    (
        "edit comment",
        "PATCH",
        "/comments/{c}",
        {"body": "No"},
        expect(403, 403, 200, 403, 404, 404),
    ),
    (
        "delete comment",
        "DELETE",
        "/comments/{c}",
        {"reason": "Rude"},
        expect(204, 204, 204, 403, 404, 404),
    ),
    (
        "react comment",
        "POST",
        "/comments/{c}/reactions",
        {"emoji": "👍"},
        expect(200, 200, 200, 403, 404, 404),
    ),
]


def _fill(value, world: World):
    ids = {
        "{s}": world.space.pk,
        "{p}": world.post.pk,
        "{c}": world.comment.pk,
        "{m}": world.people["member"].pk,
        "{n}": world.newcomer.pk,
    }
    if isinstance(value, str):
        if value in ids:
            return ids[value]
        for key, pk in ids.items():
            value = value.replace(key, str(pk))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def api_client(user: User) -> Client:
    # Signed in without CSRF checks: test_api.py covers those; here what
    # counts is who the caller is.
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(*a[1:], id=a[0]) for a in ACTIONS],
)
def test_rest(make_world, visibility, persona, method, path, body, expected):
    world = make_world(visibility)
    client = api_client(world.people[persona])
    response = client.generic(
        method,
        "/api/v1" + _fill(path, world),
        "" if body is None else json.dumps(_fill(body, world)),
        content_type="application/json",
    )
    want = expected(persona, visibility)
    assert response.status_code == want, response.content
    if want == 404:
        # A 404 says nothing of what is behind it.
        assert world.space.name not in response.content.decode()


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_directory_lists_a_secret_space_to_its_members_only(
    make_world, visibility, persona
):
    world = make_world(visibility)
    found = api_client(world.people[persona]).get("/api/v1/spaces").json()
    listed = world.space.pk in [s["id"] for s in found["items"]]
    assert listed == (persona != "outsider" or visibility != "secret")


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_seen_counts_only_readers(make_world, visibility, persona):
    world = make_world(visibility)
    response = api_client(world.people[persona]).post(
        "/api/v1/posts/seen",
        {"posts": [world.post.pk]},
        content_type="application/json",
    )
    reads = persona != "outsider" or visibility == "open"
    # The member wrote it: their own post does not count.
    assert response.json() == {"new": int(reads and persona != "member")}


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("page", "template", "expected"),
    [
        ("space", "feeds/space.html", expect(200, 200, 200, 200, 200, 404)),
        ("post", "feeds/post.html", expect(200, 200, 200, 200, 404, 404)),
    ],
)
def test_pages(make_world, visibility, persona, page, template, expected):
    world = make_world(visibility)
    want = expected(persona, visibility)
    if want == 200 and not _template_exists(template):
        pytest.skip(f"{template} is not written yet")
    url = (
        world.space.get_absolute_url()
        if page == "space"
        else world.post.get_absolute_url()
    )
    response = api_client(world.people[persona]).get(url)
    assert response.status_code == want
    if want == 404:
        assert world.post.body not in response.content.decode()


def _caught_up(user: User) -> str:
    result = events_since(user, 0)
    assert not result.more
    return json.dumps(result.events)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_catch_up_log_holds_only_readable_spaces(make_world, visibility, persona):
    world = make_world(visibility)
    caught_up = _caught_up(world.people[persona])
    if persona == "outsider":
        # Outsiders follow no space's stream, open ones included; a
        # closed or secret space's events never reach them.
        assert world.post.body not in caught_up
        assert f'"space": {world.space.pk}' not in caught_up
    else:
        assert world.post.body in caught_up


@pytest.mark.parametrize("visibility", ["closed", "secret"])
def test_a_removed_member_catches_up_on_nothing_more(make_world, visibility):
    world = make_world(visibility)
    member = world.people["member"]
    services.remove_member(
        world.people["leader"], space_id=world.space.pk, user_id=member.pk
    )
    services.create_post(
        world.people["leader"], space_id=world.space.pk, body="after", client_id="a"
    )
    assert "after" not in _caught_up(member)
    assert world.post.body not in _caught_up(member)
    client = api_client(member)
    response = client.get("/api/v1/events", {"since": 0})
    assert response.status_code == 200
    assert "after" not in response.content.decode()
    assert client.get(f"/api/v1/posts/{world.post.pk}").status_code == 404
    status = client.get(f"/api/v1/spaces/{world.space.pk}").status_code
    assert status == (404 if visibility == "secret" else 200)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_comment_forms(make_world, visibility, persona):
    """The pages' comment reaction and delete forms: 404 where the post is
    unknown, else a redirect with a flash; only the author, and leaders and
    moderators with a reason, delete."""
    world = make_world(visibility)
    client = api_client(world.people[persona])
    c = world.comment.pk
    react = client.post(f"/comments/{c}/react/", {"emoji": "👍"})
    delete = client.post(f"/comments/{c}/delete/", {"reason": "Rude"})
    hidden = persona == "outsider" and visibility != "open"
    want = 404 if hidden else 302
    assert (react.status_code, delete.status_code) == (want, want)
    comment = Comment.objects.get(pk=c)
    assert comment.reactions.exists() == (persona != "outsider")
    assert comment.is_deleted == (persona != "outsider")


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_mute_comments_form(make_world, visibility, persona):
    """Anyone who may read the post mutes its comments for themselves; for
    anyone else the post does not exist."""
    from feeds.models import PostMute

    world = make_world(visibility)
    person = world.people[persona]
    response = api_client(person).post(f"/posts/{world.post.pk}/mute/", {"muted": "1"})
    hidden = persona == "outsider" and visibility != "open"
    assert response.status_code == (404 if hidden else 302)
    muted = PostMute.objects.filter(post=world.post, user=person).exists()
    assert muted == (not hidden)
