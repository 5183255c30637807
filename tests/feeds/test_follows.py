"""Following a person: their posts in open spaces reach the follower's home
feed live and in the catch-up, and never from a space the follower may not
read."""

import pytest
from channels.db import database_sync_to_async

from feeds import services
from testkit.sockets import next_event, signed_in_socket
from tests.base import capture_published, events_since, make_people

pytestmark = pytest.mark.django_db


def caught_up(user) -> str:
    return str(events_since(user, 0).events)


def test_a_followed_persons_posts_in_open_spaces_reach_the_follower(alice, bob):
    garden = services.create_space(alice, name="Gardening")
    board = services.create_space(alice, name="Board", visibility="closed")
    services.follow(bob, person_id=alice.pk, following=True)

    post, _ = services.create_post(
        alice, space_id=garden.pk, body="Tomatoes are in", client_id="a"
    )
    services.create_post(alice, space_id=board.pk, body="Q3 numbers", client_id="b")
    assert "Tomatoes are in" in caught_up(bob)
    assert "Q3 numbers" not in caught_up(bob)

    # An edit reaches the follower, and the old text is gone from the log.
    services.edit_post(alice, post_id=post.pk, body="Peppers are in")
    text = caught_up(bob)
    assert "Peppers are in" in text
    assert "Tomatoes" not in text

    # So do comments and reactions on it: the card updates in place.
    services.add_comment(alice, post_id=post.pk, body="Basil next week")
    services.react(alice, post_id=post.pk, emoji="🌱", add=True)
    text = caught_up(bob)
    assert "Basil next week" in text
    assert "🌱" in text

    services.follow(bob, person_id=alice.pk, following=False)
    assert "Peppers are in" not in caught_up(bob)


def test_a_member_who_also_follows_gets_both_copies_of_one_post(alice, bob):
    garden = services.create_space(alice, name="Gardening")
    services.join_space(bob, space_id=garden.pk)
    services.follow(bob, person_id=alice.pk, following=True)
    post, _ = services.create_post(alice, space_id=garden.pk, body="Hi", client_id="a")
    news = [e for e in events_since(bob, 0).events if e["type"] == "post.new"]
    # The same post twice, each with its own cursor: feed.js draws a post once.
    assert [e["post"]["id"] for e in news] == [post.pk, post.pk]
    assert news[0]["cursor"] != news[1]["cursor"]


def test_following_tells_the_followers_tabs_at_once(
    alice, bob, django_capture_on_commit_callbacks
):
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.follow(bob, person_id=alice.pk, following=True)
        services.follow(bob, person_id=alice.pk, following=False)
    told = [p for p in published if p["event"]["type"] == "person.followed"]
    assert [(p["groups"], p.get("follow"), p.get("unfollow")) for p in told] == [
        ([f"user.{bob.pk}"], [f"author.{alice.pk}"], None),
        ([f"user.{bob.pk}"], None, [f"author.{alice.pk}"]),
    ]


def test_closing_a_space_takes_its_posts_out_of_followers_catch_up(alice, bob, carol):
    garden = services.create_space(alice, name="Gardening")
    services.join_space(carol, space_id=garden.pk)
    services.follow(bob, person_id=alice.pk, following=True)
    services.create_post(alice, space_id=garden.pk, body="Seed swap", client_id="a")
    assert "Seed swap" in caught_up(bob)

    services.update_space(alice, space_id=garden.pk, visibility="closed")

    assert "Seed swap" not in caught_up(bob)
    assert "Seed swap" in caught_up(carol)  # members keep their space's log
    services.create_post(alice, space_id=garden.pk, body="Members only", client_id="b")
    assert "Members only" not in caught_up(bob)


@pytest.mark.django_db(transaction=True)
async def test_a_followers_open_tab_shows_the_post_live_without_reconnecting():
    people = await database_sync_to_async(make_people)()
    alice, bob = people["alice"], people["bob"]
    garden = await database_sync_to_async(services.create_space)(
        alice, name="Gardening"
    )
    tab = await signed_in_socket(bob)
    await database_sync_to_async(services.follow)(
        bob, person_id=alice.pk, following=True
    )
    assert (await next_event(tab, "person.followed"))["person"] == alice.pk

    await database_sync_to_async(services.create_post)(
        alice, space_id=garden.pk, body="Plant sale", client_id="a"
    )
    live = await next_event(tab, "post.new")
    assert live["post"]["author"]["id"] == alice.pk
    assert live["post"]["space"]["id"] == garden.pk
    await tab.disconnect()


def test_a_company_wide_post_is_logged_once(alice, bob):
    """Everyone is in the company-wide space: its stream already reaches
    every follower, so its posts stay out of the authors' streams."""
    company = services.create_space(
        alice, name="Everyone", kind="company", members=[bob]
    )
    services.follow(bob, person_id=alice.pk, following=True)
    post, _ = services.create_post(alice, space_id=company.pk, body="Hi", client_id="a")
    news = [e for e in events_since(bob, 0).events if e["type"] == "post.new"]
    assert [e["post"]["id"] for e in news] == [post.pk]
