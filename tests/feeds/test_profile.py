"""What feeds adds to a person's profile: their spaces and recent posts as
the viewer may see them, and a Follow button that works without
JavaScript."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feeds import services
from feeds.models import Follow, Space
from profiles.factories import UserFactory

pytestmark = pytest.mark.django_db

_ids = itertools.count()


def post_in(space, author, body):
    return services.create_post(
        author, space_id=space.pk, body=body, client_id=f"p-{next(_ids)}"
    )[0]


def profile_of(client, person):
    return client.get(reverse("profiles:person", args=[person.pk]))


@pytest.fixture
def bobs_spaces(alice, bob):
    """bob is in an open, a closed and a secret space; alice only in none."""
    return {
        visibility: services.create_space(
            bob, name=f"{visibility.title()} room", visibility=visibility
        )
        for visibility in Space.Visibility.values
    }


def test_a_profile_lists_the_spaces_the_viewer_may_know_of(
    client, alice, bob, bobs_spaces
):
    client.force_login(alice)
    html = profile_of(client, bob).content.decode()
    assert "Open room" in html
    assert "Closed room" in html  # closed spaces are findable by name
    assert "Secret room" not in html
    # A member of the secret space sees it on the profile.
    services.add_members(bob, space_id=bobs_spaces["secret"].pk, user_ids=[alice.pk])
    assert "Secret room" in profile_of(client, bob).content.decode()


def test_recent_posts_come_only_from_spaces_the_viewer_may_read(
    client, alice, bob, bobs_spaces
):
    post_in(bobs_spaces["open"], bob, "Open news for everyone")
    post_in(bobs_spaces["closed"], bob, "Closed plans for members")
    post_in(bobs_spaces["secret"], bob, "Secret project codename")
    client.force_login(alice)
    html = profile_of(client, bob).content.decode()
    assert "Open news for everyone" in html
    assert "Closed plans" not in html
    assert "Secret project" not in html
    client.force_login(bob)
    html = profile_of(client, bob).content.decode()
    assert "Closed plans for members" in html
    assert "Secret project codename" in html


def test_follow_and_unfollow_from_a_profile_with_the_csrf_check_on(alice, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = profile_of(client, bob)
    assert 'aria-pressed="false"' in page.content.decode()
    token = page.cookies["csrftoken"].value
    url = reverse("feeds:follow", args=[bob.pk])
    assert client.post(url, {"following": "1"}).status_code == 403  # no token
    response = client.post(url, {"following": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:person", args=[bob.pk])
    assert Follow.objects.filter(follower=alice, person=bob).exists()
    assert ">Following <" in profile_of(client, bob).content.decode()
    client.post(url, {"following": "0", "csrfmiddlewaretoken": token})
    assert not Follow.objects.filter(follower=alice, person=bob).exists()


def test_following_yourself_or_nobody_is_refused_clearly(client, alice):
    client.force_login(alice)
    mine = client.post(
        reverse("feeds:follow", args=[alice.pk]), {"following": "1"}, follow=True
    )
    assert "You see your own posts already." in mine.content.decode()
    assert not Follow.objects.exists()
    nobody = client.post(reverse("feeds:follow", args=[10**12]), {"following": "1"})
    assert nobody.status_code == 404
    huge = client.post(f"/people/{2**70}/follow/", {"following": "1"})
    assert huge.status_code == 404
    assert not profile_of(client, alice).content.decode().count(">Follow <")


def test_the_profile_costs_the_same_queries_however_many_spaces_and_posts(
    client, alice, bob
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert profile_of(client, bob).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(alice)
    space = services.create_space(bob, name="Only one")
    post_in(space, bob, "One post")
    few = queries()
    for n in range(6):  # more spaces and posts than the profile lists
        more = services.create_space(bob, name=f"Space {n}")
        post_in(more, bob, f"Post {n}")
        services.join_space(UserFactory.create(), space_id=more.pk)
    assert queries() == few
