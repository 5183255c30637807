"""Following a space closely: a notification for every new post, from the
page's form and the API, and never for a muted space, the author, or
someone a mention told already."""

import itertools

import pytest

from feeds import services
from feeds.models import SpaceMember
from intranet.models import Notification
from tests.feeds.test_api import Browser

pytestmark = pytest.mark.django_db

_ids = itertools.count()


@pytest.fixture
def garden(alice, bob, carol):
    space = services.create_space(alice, name="Gardening")
    for person in (bob, carol):
        services.join_space(person, space_id=space.pk)
    return space


def post_in(space, author, body="Tomatoes are in"):
    return services.create_post(
        author, space_id=space.pk, body=body, client_id=f"c-{next(_ids)}"
    )[0]


def told(person) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(user=person)
        .order_by("pk")
        .values_list("kind", "text")
    )


def test_close_followers_hear_of_every_post_and_nobody_else(alice, bob, carol, garden):
    services.follow_closely(bob, space_id=garden.pk, closely=True)
    services.follow_closely(alice, space_id=garden.pk, closely=True)
    post = post_in(garden, alice)
    assert told(bob) == [("post", "Alice Adams posted in Gardening")]
    assert Notification.objects.get(user=bob).url == post.get_absolute_url()
    assert told(alice) == []  # her own post
    assert told(carol) == []  # she does not follow it closely


def test_a_mention_is_told_once_not_twice(alice, bob, garden):
    services.follow_closely(bob, space_id=garden.pk, closely=True)
    post_in(garden, alice, "Thanks @**Bob Brown**")
    assert [kind for kind, _ in told(bob)] == ["mention"]


def test_muting_and_following_closely_exclude_each_other(alice, bob, garden):
    services.follow_closely(bob, space_id=garden.pk, closely=True)
    services.mute_space(bob, space_id=garden.pk, muted=True)
    member = SpaceMember.objects.get(space=garden, user=bob)
    assert (member.muted, member.every_post) == (True, False)
    post_in(garden, alice)
    assert told(bob) == []
    services.follow_closely(bob, space_id=garden.pk, closely=True)
    member.refresh_from_db()
    assert (member.muted, member.every_post) == (False, True)


def test_the_api_sets_it_with_the_csrf_check_on(alice, bob, garden):
    as_bob = Browser(bob)
    assert as_bob.get(f"/spaces/{garden.pk}").json()["follows_closely"] is False
    assert (
        as_bob.call("PUT", f"/spaces/{garden.pk}/closely", csrf=False).status_code
        == 403
    )
    assert as_bob.call("PUT", f"/spaces/{garden.pk}/closely").status_code == 204
    assert as_bob.get(f"/spaces/{garden.pk}").json()["follows_closely"] is True
    assert as_bob.call("DELETE", f"/spaces/{garden.pk}/closely").status_code == 204
    assert as_bob.get(f"/spaces/{garden.pk}").json()["follows_closely"] is False


def test_only_members_follow_closely_and_secret_spaces_stay_unknown(alice, bob):
    secret = services.create_space(alice, name="Plans", visibility="secret")
    closed = services.create_space(alice, name="Board", visibility="closed")
    as_bob = Browser(bob)
    assert as_bob.call("PUT", f"/spaces/{secret.pk}/closely").status_code == 404
    refused = as_bob.call("PUT", f"/spaces/{closed.pk}/closely")
    assert refused.status_code == 409
    assert refused.json()["error"] == "Join the space first."
    assert as_bob.call("PUT", f"/spaces/{2**70}/closely").status_code in (404, 422)


def test_the_page_form_turns_it_on_and_off(client, bob, garden):
    client.force_login(bob)
    response = client.post(
        f"/spaces/{garden.pk}/closely/", {"closely": "1"}, follow=True
    )
    assert (
        "You will be notified of every post in Gardening." in response.content.decode()
    )
    assert (
        'aria-pressed="true" aria-describedby="closely-note"'
        in response.content.decode()
    )
    client.post(f"/spaces/{garden.pk}/closely/", {"closely": "0"})
    assert not SpaceMember.objects.get(space=garden, user=bob).every_post
    assert client.post(f"/spaces/{2**70}/closely/", {"closely": "1"}).status_code == 404
