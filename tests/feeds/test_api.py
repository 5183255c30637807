"""The spaces and feeds REST API: through a browser session with the CSRF
check on, and over real HTTP with a personal token."""

import json
import types
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from feeds import selectors, services
from feeds.models import Comment, JoinRequest, Post, Space, SpaceMember
from profiles.factories import UserFactory
from profiles.services import create_api_token
from tests.base import session_cookie_for

pytestmark = pytest.mark.django_db


class Browser:
    """A signed-in browser: session cookie, and the CSRF token on unsafe
    requests, as the pages' JavaScript sends it."""

    def __init__(self, user):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.client.get("/")  # sets the CSRF cookie
        self.csrf = self.client.cookies[settings.CSRF_COOKIE_NAME].value

    def call(self, method: str, path: str, data=None, *, csrf: bool = True):
        extra = {"HTTP_X_CSRFTOKEN": self.csrf} if csrf else {}
        return getattr(self.client, method.lower())(
            "/api/v1" + path,
            data="" if data is None else json.dumps(data),
            content_type="application/json",
            **extra,
        )

    def get(self, path: str):
        return self.client.get("/api/v1" + path)


@pytest.fixture
def garden(alice):
    return services.create_space(alice, name="Gardening", description="Soil")


@pytest.fixture
def as_alice(alice):
    return Browser(alice)


@pytest.fixture
def as_bob(bob):
    return Browser(bob)


def test_an_unsafe_request_without_the_csrf_token_is_refused(as_alice, garden):
    response = as_alice.call(
        "POST",
        f"/spaces/{garden.pk}/posts",
        {"body": "hi", "client_id": "c1"},
        csrf=False,
    )
    assert response.status_code == 403
    assert response.json() == {"error": "CSRF check Failed"}
    assert not Post.objects.exists()


def test_create_find_and_change_a_space(as_alice, as_bob, alice, bob):
    response = as_alice.call(
        "POST",
        "/spaces",
        {"name": "Chess club", "description": "Moves", "visibility": "closed"},
    )
    assert response.status_code == 201, response.content
    space = response.json()
    assert space["role"] == "leader"
    assert space["member_count"] == 1
    assert space["chat"] is not None
    assert space["kind"] == "community"

    # Bob finds it, sees no members of a closed space, and cannot change it.
    found = as_bob.get("/spaces?q=chess").json()
    assert [s["id"] for s in found["items"]] == [space["id"]]
    assert found["items"][0]["role"] is None
    assert found["items"][0]["member_count"] is None
    detail = as_bob.get(f"/spaces/{space['id']}").json()
    assert (detail["can_read"], detail["chat"]) == (False, None)
    response = as_bob.call("PATCH", f"/spaces/{space['id']}", {"name": "Mine"})
    assert response.status_code == 403

    response = as_alice.call(
        "PATCH",
        f"/spaces/{space['id']}",
        {"name": "Chess", "visibility": "open", "who_may_post": "leaders"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["visibility"]) == (
        "Chess",
        "open",
    )
    assert as_alice.get("/spaces?mine=true").json()["items"][0]["name"] == "Chess"


def test_people_start_communities_and_staff_the_rest(as_alice, alice):
    response = as_alice.call("POST", "/spaces", {"name": "Ops", "kind": "team"})
    assert response.status_code == 403
    alice.is_staff = True
    alice.save()
    response = as_alice.call("POST", "/spaces", {"name": "Ops", "kind": "team"})
    assert response.status_code == 201, response.content
    response = as_alice.call("POST", "/spaces", {"name": "  ", "kind": "community"})
    assert response.status_code == 400
    assert response.json()["error"] == "A space needs a name."


def test_the_space_directory_pages_by_name(as_alice, alice):
    for name in ("Delta", "Alpha", "Charlie", "Bravo"):
        services.create_space(alice, name=name)
    first = as_alice.get("/spaces?limit=2").json()
    assert [s["name"] for s in first["items"]] == ["Alpha", "Bravo"]
    rest = as_alice.get(f"/spaces?limit=2&after={first['next']}").json()
    assert [s["name"] for s in rest["items"]] == ["Charlie", "Delta"]
    assert as_alice.get("/spaces?after=999999").status_code == 400


def test_joining_leaving_members_and_roles(as_alice, as_bob, alice, bob, carol, garden):
    response = as_bob.call("POST", f"/spaces/{garden.pk}/join")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "member"
    members = as_bob.get(f"/spaces/{garden.pk}/members").json()
    assert {m["id"]: m["role"] for m in members} == {
        alice.pk: "leader",
        bob.pk: "member",
    }

    response = as_alice.call(
        "POST", f"/spaces/{garden.pk}/members", {"members": [carol.pk]}
    )
    assert [m["id"] for m in response.json()] == [carol.pk]
    response = as_alice.call(
        "PATCH", f"/spaces/{garden.pk}/members/{bob.pk}", {"role": "moderator"}
    )
    assert response.json()["role"] == "moderator"
    response = as_alice.call(
        "PATCH", f"/spaces/{garden.pk}/members/{bob.pk}", {"role": "king"}
    )
    assert response.status_code == 422
    # The only leader can neither step down nor leave.
    response = as_alice.call(
        "PATCH", f"/spaces/{garden.pk}/members/{alice.pk}", {"role": "member"}
    )
    assert response.status_code == 409
    assert as_alice.call("POST", f"/spaces/{garden.pk}/leave").status_code == 409

    assert (
        as_alice.call("DELETE", f"/spaces/{garden.pk}/members/{carol.pk}").status_code
        == 204
    )
    assert (
        as_alice.call("DELETE", f"/spaces/{garden.pk}/members/{carol.pk}").status_code
        == 404
    )
    assert as_bob.call("POST", f"/spaces/{garden.pk}/leave").status_code == 204
    assert not SpaceMember.objects.filter(space=garden, user=bob).exists()


def test_members_list_leaders_then_moderators_then_members(
    as_alice, alice, bob, carol, garden
):
    # carol's name sorts after bob's: by the role's text, a moderator came
    # after every member, and a big space's page never showed them.
    as_alice.call(
        "POST", f"/spaces/{garden.pk}/members", {"members": [bob.pk, carol.pk]}
    )
    as_alice.call(
        "PATCH", f"/spaces/{garden.pk}/members/{carol.pk}", {"role": "moderator"}
    )
    listed = [m["id"] for m in as_alice.get(f"/spaces/{garden.pk}/members").json()]
    assert listed == [alice.pk, carol.pk, bob.pk]
    access = selectors.find_space(alice, space_id=garden.pk)
    shown, total = selectors.first_members(access, 2)
    assert [m.user_id for m in shown] == [alice.pk, carol.pk]
    assert total == 3


def test_join_requests_for_a_closed_space(as_alice, as_bob, alice, bob):
    closed = services.create_space(alice, name="Leads", visibility="closed")
    assert as_bob.call("POST", f"/spaces/{closed.pk}/join").status_code == 403
    response = as_bob.call(
        "POST", f"/spaces/{closed.pk}/join-requests", {"message": "Please"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "Please"
    again = as_bob.call("POST", f"/spaces/{closed.pk}/join-requests", {})
    assert again.status_code == 200
    assert as_bob.get(f"/spaces/{closed.pk}").json()["requested"] is True
    assert as_bob.get(f"/spaces/{closed.pk}/join-requests").status_code == 403

    requests = as_alice.get(f"/spaces/{closed.pk}/join-requests").json()
    assert [r["person"]["id"] for r in requests] == [bob.pk]
    response = as_alice.call(
        "POST", f"/spaces/{closed.pk}/join-requests/{bob.pk}/approve"
    )
    assert response.status_code == 204
    assert SpaceMember.objects.filter(space=closed, user=bob).exists()
    response = as_alice.call(
        "POST", f"/spaces/{closed.pk}/join-requests/{bob.pk}/decline"
    )
    assert response.status_code == 404
    assert not JoinRequest.objects.exists()


def test_posts_comments_reactions_and_the_feeds(as_alice, as_bob, alice, bob, garden):
    services.join_space(bob, space_id=garden.pk)
    url = f"/spaces/{garden.pk}/posts"
    response = as_alice.call(
        "POST", url, {"body": "Tomatoes **ripe**", "client_id": "p1"}
    )
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["html"] == "<p>Tomatoes <strong>ripe</strong></p>"
    assert post["reach"] == {
        "seen": 0,
        "audience": 2,
        "reacted": 0,
        "comments": 0,
        "seen_by": None,
    }
    again = as_alice.call("POST", url, {"body": "Tomatoes **ripe**", "client_id": "p1"})
    assert (again.status_code, again.json()["id"]) == (200, post["id"])

    response = as_bob.call("POST", f"/posts/{post['id']}/comments", {"body": "Nice"})
    assert response.status_code == 201, response.content
    comment = response.json()
    reply = as_alice.call(
        "POST",
        f"/posts/{post['id']}/comments",
        {"body": "Thanks", "parent": comment["id"]},
    ).json()
    assert reply["parent"] == comment["id"]

    response = as_bob.call("POST", f"/posts/{post['id']}/reactions", {"emoji": "🍅"})
    assert response.json() == {
        "post": post["id"],
        "comment": None,
        "reactions": [{"emoji": "🍅", "users": [bob.pk]}],
    }
    response = as_alice.call(
        "POST", f"/comments/{comment['id']}/reactions", {"emoji": "👍"}
    )
    assert response.json()["reactions"] == [{"emoji": "👍", "users": [alice.pk]}]
    response = as_alice.call(
        "DELETE", f"/comments/{comment['id']}/reactions?emoji={quote('👍')}"
    )
    assert response.json()["reactions"] == []
    response = as_bob.call("DELETE", f"/posts/{post['id']}/reactions", {"emoji": "🍅"})
    assert response.json()["reactions"] == []
    for bad in ({"emoji": "ok"}, {"emoji": "🍅🍅"}):
        response = as_bob.call("POST", f"/posts/{post['id']}/reactions", bad)
        assert response.status_code == 400, bad
    assert as_bob.call("DELETE", f"/posts/{post['id']}/reactions").status_code == 400

    feed = as_bob.get(f"/spaces/{garden.pk}/posts").json()
    assert [p["id"] for p in feed["items"]] == [post["id"]]
    assert [c["id"] for c in feed["items"][0]["latest_comments"]] == [
        comment["id"],
        reply["id"],
    ]
    assert feed["items"][0]["reach"] is None  # not bob's, nor his space
    home = as_bob.get("/feed").json()
    assert [p["id"] for p in home["items"]] == [post["id"]]
    comments = as_bob.get(f"/posts/{post['id']}/comments").json()
    assert [c["body"] for c in comments] == ["Nice", "Thanks"]

    response = as_bob.call("PATCH", f"/comments/{comment['id']}", {"body": "Great"})
    assert response.json()["body"] == "Great"
    response = as_alice.call("PATCH", f"/comments/{comment['id']}", {"body": "No"})
    assert response.status_code == 403
    response = as_alice.call("PATCH", f"/posts/{post['id']}", {"body": "Ripe"})
    assert response.json()["edited_at"] is not None
    response = as_bob.call("PATCH", f"/posts/{post['id']}", {"body": "Mine"})
    assert response.status_code == 403


def test_the_home_feed_pages_and_follows(as_bob, alice, bob, garden):
    for n in range(5):
        services.create_post(alice, space_id=garden.pk, body=f"p{n}", client_id=str(n))
    assert as_bob.get("/feed").json()["items"] == []
    assert as_bob.call("PUT", f"/people/{alice.pk}/follow").status_code == 204
    first = as_bob.get("/feed?limit=3").json()
    assert [p["body"] for p in first["items"]] == ["p4", "p3", "p2"]
    rest = as_bob.get(f"/feed?limit=3&before={first['next']}").json()
    assert ([p["body"] for p in rest["items"]], rest["next"]) == (["p1", "p0"], None)
    assert as_bob.call("DELETE", f"/people/{alice.pk}/follow").status_code == 204
    assert as_bob.call("PUT", f"/people/{bob.pk}/follow").status_code == 400
    assert as_bob.call("PUT", "/people/999999/follow").status_code == 404


def test_moderators_remove_with_a_reason_and_pin_at_most_three(
    as_alice, as_bob, alice, bob, garden
):
    services.join_space(bob, space_id=garden.pk)
    posts = [
        services.create_post(bob, space_id=garden.pk, body=f"p{n}", client_id=str(n))[0]
        for n in range(5)
    ]
    for post in posts[:3]:
        response = as_alice.call("PUT", f"/posts/{post.pk}/pin")
        assert response.json()["pinned"] is True
    response = as_alice.call("PUT", f"/posts/{posts[3].pk}/pin")
    assert response.status_code == 409
    assert len(as_bob.get(f"/spaces/{garden.pk}/pinned").json()) == 3
    assert as_bob.call("PUT", f"/posts/{posts[3].pk}/pin").status_code == 403
    assert (
        as_alice.call("DELETE", f"/posts/{posts[0].pk}/pin").json()["pinned"] is False
    )

    response = as_alice.call("PUT", f"/posts/{posts[1].pk}/announcement")
    assert response.json()["announcement"] is True
    assert as_bob.call("PUT", f"/posts/{posts[1].pk}/announcement").status_code == 403

    # Someone else's post needs a reason: in the body or the query.
    assert as_alice.call("DELETE", f"/posts/{posts[2].pk}").status_code == 400
    response = as_alice.call("DELETE", f"/posts/{posts[2].pk}", {"reason": "Spam"})
    assert response.status_code == 204
    response = as_alice.call("DELETE", f"/posts/{posts[3].pk}?reason=Off%20topic")
    assert response.status_code == 204
    assert Post.objects.get(pk=posts[3].pk).removed_reason == "Off topic"
    removed = as_bob.get(f"/posts/{posts[2].pk}").json()
    assert (removed["deleted"], removed["body"], removed["removed"]) == (
        True,
        "",
        {"reason": "Spam"},
    )
    # An author deletes their own without one.
    assert as_bob.call("DELETE", f"/posts/{posts[4].pk}").status_code == 204

    comment = services.add_comment(alice, post_id=posts[0].pk, body="hm")
    assert as_bob.call("DELETE", f"/comments/{comment.pk}").status_code == 403
    assert as_alice.call("DELETE", f"/comments/{comment.pk}").status_code == 204
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_reach_is_for_the_author_and_leaders(
    as_alice, as_bob, alice, bob, carol, garden
):
    services.join_space(bob, space_id=garden.pk)
    services.join_space(carol, space_id=garden.pk)
    post, _ = services.create_post(bob, space_id=garden.pk, body="hi", client_id="1")
    as_carol = Browser(carol)
    response = as_carol.call("POST", "/posts/seen", {"posts": [post.pk, 999999]})
    assert response.json() == {"new": 1}
    assert as_carol.call("POST", "/posts/seen", {"posts": [post.pk]}).json() == {
        "new": 0
    }
    assert as_carol.get(f"/posts/{post.pk}/reach").status_code == 404

    mine = as_bob.get(f"/posts/{post.pk}/reach").json()
    assert (mine["seen"], mine["audience"], mine["seen_by"]) == (1, 3, None)
    led = as_alice.get(f"/posts/{post.pk}/reach").json()
    assert [v["id"] for v in led["seen_by"]] == [carol.pk]
    assert (
        as_alice.get(f"/spaces/{garden.pk}/posts").json()["items"][0]["reach"]["seen"]
        == 1
    )


def test_mutes_and_read_markers(as_bob, alice, bob, garden):
    services.join_space(bob, space_id=garden.pk)
    post, _ = services.create_post(alice, space_id=garden.pk, body="hi", client_id="1")
    assert as_bob.call("PUT", f"/spaces/{garden.pk}/mute").status_code == 204
    assert SpaceMember.objects.get(space=garden, user=bob).muted
    assert as_bob.call("DELETE", f"/spaces/{garden.pk}/mute").status_code == 204
    assert as_bob.get(f"/spaces/{garden.pk}").json()["muted"] is False

    # A marker past the newest post stops at it: later posts stay unread.
    response = as_bob.call("POST", f"/spaces/{garden.pk}/read", {"post": 2**62})
    assert response.json() == {"last_read_post_id": post.pk}
    other = services.create_space(alice, name="Other")
    services.join_space(bob, space_id=other.pk)
    response = as_bob.call("POST", f"/spaces/{other.pk}/read", {"post": post.pk})
    assert response.status_code == 404

    assert as_bob.call("PUT", f"/posts/{post.pk}/mute").status_code == 204
    assert as_bob.call("DELETE", f"/posts/{post.pk}/mute").status_code == 204


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/spaces/99999999999999999999", None, 422),
        ("GET", "/spaces/0", None, 422),
        ("GET", "/posts/abc", None, 422),
        ("GET", "/spaces?limit=100000", None, 422),
        ("GET", "/feed?before=-1", None, 422),
        ("POST", "/spaces", None, 422),
        ("POST", "/spaces", {"name": 5}, 422),
        ("POST", "/spaces", {"name": "x", "kind": "guild"}, 422),
        ("POST", "/spaces", {"name": "x" * 101}, 400),
        ("POST", "/spaces/{space}/posts", {}, 422),
        ("POST", "/spaces/{space}/posts", {"body": "", "client_id": "e"}, 400),
        ("POST", "/spaces/{space}/posts", {"body": ["x"], "client_id": "e"}, 422),
        ("POST", "/spaces/{space}/members", {"members": []}, 422),
        ("POST", "/spaces/{space}/members", {"members": [99999999]}, 400),
        ("POST", "/spaces/{space}/read", {"post": 2**64}, 422),
        ("POST", "/posts/seen", {"posts": []}, 422),
        ("POST", "/posts/seen", {"posts": ["1"]}, 422),
        ("POST", "/posts/{post}/reactions", {"emoji": ""}, 422),
        ("POST", "/posts/{post}/reactions", {"emoji": "x" * 40}, 422),
        ("POST", "/posts/{post}/comments", {"body": "x", "parent": 99999}, 404),
        ("DELETE", "/posts/{post}?reason=" + "x" * 501, None, 422),
        ("POST", "/spaces/99999/join", None, 404),
        ("PUT", "/posts/99999/pin", None, 404),
    ],
)
def test_bad_input_gets_a_4xx(as_alice, alice, garden, method, path, body, status):
    post, _ = services.create_post(alice, space_id=garden.pk, body="hi", client_id="1")
    path = path.format(space=garden.pk, post=post.pk)
    response = as_alice.call(method, path, body)
    assert response.status_code == status, response.content
    assert "error" in response.json()


def test_a_body_that_is_not_json_is_a_400(as_alice, garden):
    response = as_alice.client.post(
        f"/api/v1/spaces/{garden.pk}/posts",
        data=b"{not json",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=as_alice.csrf,
    )
    assert response.status_code == 400


def test_a_read_token_reads_but_does_not_write(alice, garden):
    _, reader = create_api_token(alice, name="Reader", scopes=["read"])
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {reader}"}
    response = client.get(f"/api/v1/spaces/{garden.pk}/posts", headers=auth)
    assert response.status_code == 200
    response = client.post(
        f"/api/v1/spaces/{garden.pk}/posts",
        {"body": "no", "client_id": "r"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 403
    assert response.json() == {"error": "This token lacks the 'write' scope."}


@pytest.mark.django_db(transaction=True)
def test_a_write_token_does_what_the_browser_does_over_real_http(live_server):
    from tests.base import make_people

    people = make_people()
    alice, bob = people["alice"], people["bob"]
    _, writer = create_api_token(bob, name="Bot", scopes=["read", "write"])

    def call(method, path, data=None, headers=None):
        request = urllib.request.Request(  # noqa: S310 (http only)
            live_server.url + "/api/v1" + path,
            data=None if data is None else json.dumps(data).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                **(headers if headers is not None else auth),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    auth = {"Authorization": f"Bearer {writer}"}
    status, space = call("POST", "/spaces", {"name": "Bots"})
    assert (status, space["role"]) == (201, "leader"), space
    garden = services.create_space(alice, name="Gardening")
    status, joined = call("POST", f"/spaces/{garden.pk}/join")
    assert (status, joined["role"]) == (200, "member"), joined

    status, post = call(
        "POST", f"/spaces/{garden.pk}/posts", {"body": "From a bot", "client_id": "b1"}
    )
    assert status == 201, post
    status, comment = call(
        "POST", f"/posts/{post['id']}/comments", {"body": "And more"}
    )
    assert status == 201, comment
    status, reactions = call("POST", f"/posts/{post['id']}/reactions", {"emoji": "🤖"})
    assert (status, reactions["reactions"]) == (
        200,
        [{"emoji": "🤖", "users": [bob.pk]}],
    )
    status, _ = call("POST", f"/comments/{comment['id']}/reactions", {"emoji": "👍"})
    assert status == 200
    status, feed = call("GET", f"/spaces/{garden.pk}/posts")
    assert status == 200
    assert feed["items"][0]["comment_count"] == 1
    assert feed["items"][0]["reactions"] == [{"emoji": "🤖", "users": [bob.pk]}]
    status, _ = call("DELETE", f"/posts/{post['id']}")
    assert status == 204

    # The session cookie without the CSRF token writes nothing.
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie_for(alice)}"
    status, body = call(
        "POST",
        f"/spaces/{garden.pk}/posts",
        {"body": "forged", "client_id": "f"},
        {"Cookie": cookie},
    )
    assert (status, body) == (403, {"error": "CSRF check Failed"})
    assert not Post.objects.filter(client_id="f").exists()
    assert Space.objects.filter(name="Bots").exists()


def test_staff_only_one_company_space(as_alice, alice):
    alice.is_staff = True
    alice.save()
    body = {"name": "Everyone", "kind": "company"}
    if services.company_space() is None:
        assert as_alice.call("POST", "/spaces", body).status_code == 201
    assert as_alice.call("POST", "/spaces", body).status_code == 409
    response = as_alice.call("POST", "/spaces", {**body, "visibility": "closed"})
    assert response.status_code == 400


def test_many_people_in_a_space_do_not_slow_its_members_page(as_alice, garden):
    people = UserFactory.create_batch(5)
    services.add_members(
        garden.created_by, space_id=garden.pk, user_ids=[p.pk for p in people]
    )
    assert len(as_alice.get(f"/spaces/{garden.pk}/members").json()) == 6


def test_starting_spaces_is_rate_limited(as_alice):
    statuses = [
        as_alice.call("POST", "/spaces", {"name": f"S{n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [201] * 10 + [429]


def test_a_comment_reads_back_with_its_source_for_its_edit_box(
    as_alice, as_bob, alice, bob, carol, garden
):
    services.join_space(bob, space_id=garden.pk)
    post = services.create_post(alice, space_id=garden.pk, body="Hi", client_id="c")[0]
    comment = services.add_comment(bob, post_id=post.pk, body="**Soil** is key")
    answer = as_bob.get(f"/comments/{comment.pk}")
    assert answer.status_code == 200
    assert answer.json()["body"] == "**Soil** is key"
    assert "<strong>Soil</strong>" in answer.json()["html"]
    # A secret space's comment is unknown to outsiders.
    secret = services.create_space(alice, name="Board", visibility="secret")
    hidden = services.create_post(alice, space_id=secret.pk, body="x", client_id="s")[0]
    private = services.add_comment(alice, post_id=hidden.pk, body="Salaries")
    assert as_bob.get(f"/comments/{private.pk}").status_code == 404
    assert as_bob.get("/comments/999999").status_code == 404
    # A deleted comment keeps no text.
    services.delete_comment(bob, comment_id=comment.pk)
    assert as_bob.get(f"/comments/{comment.pk}").json()["body"] == ""


def test_a_posts_cards_are_asked_for_by_each_viewer(as_bob, alice, bob, carol, garden):
    """What feed.js asks when a post arrives live: the page's cards, and
    only those the viewer may see."""
    services.join_space(bob, space_id=garden.pk)
    secret = services.create_space(
        alice, name="Acquisition Falcon", visibility="secret", description="Hush"
    )
    hidden = services.create_post(
        alice, space_id=secret.pk, body="Falcon closes Friday", client_id="s"
    )[0]
    shared = services.create_post(
        alice, space_id=garden.pk, body="Tomatoes **ripe**", client_id="t"
    )[0]
    linking = services.create_post(
        alice,
        space_id=garden.pk,
        body=f"See [the plan](/posts/{hidden.pk}/), "
        f"[the room]({secret.get_absolute_url()}), "
        f"[tomatoes](http://testserver/posts/{shared.pk}/) "
        f"and [Carol](/people/{carol.pk}/)",
        client_id="l",
    )[0]

    answer = as_bob.get(f"/posts/{linking.pk}/previews")
    assert answer.status_code == 200
    body = answer.json()
    assert body["post"] == linking.pk
    assert [set(card) for card in body["cards"]] == [{"url", "title", "context"}] * 2
    assert [card["url"] for card in body["cards"]] == [
        f"/posts/{shared.pk}/",
        f"/people/{carol.pk}/",
    ]
    assert body["cards"][0]["title"] == "Alice Adams in Gardening"
    assert body["cards"][0]["context"] == "Tomatoes ripe"
    assert "Falcon" not in answer.content.decode()  # the secret space leaks nothing

    # Alice is in the secret space: she gets its cards (at most three).
    as_alice = Browser(alice)
    cards = as_alice.get(f"/posts/{linking.pk}/previews").json()["cards"]
    assert [c["url"] for c in cards] == [
        f"/posts/{hidden.pk}/",
        secret.get_absolute_url(),
        f"/posts/{shared.pk}/",
    ]

    # A post one may not read is not found; neither is one that does not exist.
    assert as_bob.get(f"/posts/{hidden.pk}/previews").status_code == 404
    assert as_bob.get("/posts/999999/previews").status_code == 404
    assert as_bob.get("/posts/nope/previews").status_code in (400, 404, 422)
    # A post without links has no cards.
    assert as_bob.get(f"/posts/{shared.pk}/previews").json()["cards"] == []


def test_asking_for_cards_is_rate_limited(as_bob, alice, bob, garden, monkeypatch):
    from feeds.api import PREVIEWS_BURST

    # The clock stands still: no token comes back while the test asks.
    frozen = types.SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr("intranet.ratelimit.time", frozen)
    services.join_space(bob, space_id=garden.pk)
    post = services.create_post(alice, space_id=garden.pk, body="Hi", client_id="p")[0]
    statuses = [
        as_bob.get(f"/posts/{post.pk}/previews").status_code
        for _ in range(PREVIEWS_BURST + 1)
    ]
    assert statuses == [200] * PREVIEWS_BURST + [429]
    refused = as_bob.get(f"/posts/{post.pk}/previews")
    assert int(refused.headers["Retry-After"]) >= 1
    assert "too fast" in refused.json()["error"]
