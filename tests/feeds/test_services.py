"""Spaces, posts, comments and reactions through their services: access,
limits, the chat kept in step, and the catch-up log."""

import pytest
from django.http import Http404

from feeds import services
from feeds.models import Post, Space, SpaceMember
from intranet.errors import ServiceError
from messaging.models import Membership
from profiles.factories import DepartmentFactory, UserFactory
from tests.base import capture_published, events_since

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def garden(alice):
    """An open community alice leads."""
    return services.create_space(alice, name="Gardening")


def chat_members(space: Space) -> set[int]:
    return set(
        Membership.objects.filter(conversation=space.chat).values_list(
            "user_id", flat=True
        )
    )


def test_a_space_owns_a_chat_whose_members_follow_the_space(alice, bob, garden):
    assert garden.chat.kind == "space"
    assert chat_members(garden) == {alice.pk}
    services.join_space(bob, space_id=garden.pk)
    assert chat_members(garden) == {alice.pk, bob.pk}
    services.leave_space(bob, space_id=garden.pk)
    assert chat_members(garden) == {alice.pk}


def test_joining_tells_the_tabs_to_follow_the_space(
    bob, garden, django_capture_on_commit_callbacks
):
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.join_space(bob, space_id=garden.pk)
    joined = [p for p in published if p["event"]["type"] == "space.joined"]
    assert joined[0]["groups"] == [f"user.{bob.pk}"]
    assert joined[0]["follow"] == [f"space.{garden.pk}"]


def test_a_secret_space_is_unknown_to_outsiders(alice, carol):
    secret = services.create_space(alice, name="Board", visibility="secret")
    with pytest.raises(Http404):
        services.join_space(carol, space_id=secret.pk)
    with pytest.raises(Http404):
        services.request_to_join(carol, space_id=secret.pk)
    post, _ = services.create_post(alice, space_id=secret.pk, body="Q3", client_id="a")
    with pytest.raises(Http404):
        services.add_comment(carol, post_id=post.pk, body="hi")


def test_a_closed_space_takes_requests_that_leaders_decide(alice, bob, carol):
    closed = services.create_space(alice, name="Leads", visibility="closed")
    with pytest.raises(ServiceError) as refused:
        services.join_space(carol, space_id=closed.pk)
    assert refused.value.code == "closed"
    services.request_to_join(carol, space_id=closed.pk, message="Please")
    with pytest.raises(ServiceError):  # bob is no leader
        services.decide_request(bob, space_id=closed.pk, user_id=carol.pk, approve=True)
    services.decide_request(alice, space_id=closed.pk, user_id=carol.pk, approve=True)
    assert SpaceMember.objects.filter(space=closed, user=carol).exists()
    assert carol.pk in chat_members(closed)


def test_a_post_is_stored_with_its_event_and_caught_up(alice, bob, garden):
    services.join_space(bob, space_id=garden.pk)
    post, created = services.create_post(
        alice, space_id=garden.pk, body="Tomatoes **ripe**", client_id="c1"
    )
    again, created_again = services.create_post(
        alice, space_id=garden.pk, body="Tomatoes **ripe**", client_id="c1"
    )
    assert created and not created_again and again.pk == post.pk
    assert "<strong>ripe</strong>" in post.body_html
    caught_up = [e["type"] for e in events_since(bob, 0).events]
    assert "post.new" in caught_up


def test_removed_text_is_not_caught_up(alice, bob, garden):
    services.join_space(bob, space_id=garden.pk)
    post, _ = services.create_post(
        alice, space_id=garden.pk, body="password hunter2", client_id="c1"
    )
    comment = services.add_comment(bob, post_id=post.pk, body="oops hunter2")
    services.edit_comment(bob, comment_id=comment.pk, body="fixed")
    services.delete_post(alice, post_id=post.pk)
    assert "hunter2" not in str(events_since(bob, 0).events)


def test_only_members_post_and_only_leaders_post_in_a_leaders_space(alice, bob):
    news = services.create_space(
        alice, name="Company news", kind="company", who_may_post="leaders"
    )
    with pytest.raises(ServiceError) as refused:
        services.create_post(bob, space_id=news.pk, body="hi", client_id="b1")
    assert refused.value.code == "not_member"
    services.join_space(bob, space_id=news.pk)
    with pytest.raises(ServiceError) as refused:
        services.create_post(bob, space_id=news.pk, body="hi", client_id="b1")
    assert refused.value.code == "forbidden"
    post, _ = services.create_post(alice, space_id=news.pk, body="hi", client_id="a1")
    assert post.pk


def test_bad_posts_and_reactions_get_a_sentence(alice, garden):
    for body in ("", "   ", "x" * 20_001):
        with pytest.raises(ServiceError):
            services.create_post(
                alice, space_id=garden.pk, body=body, client_id=body[:5] or "e"
            )
    post, _ = services.create_post(alice, space_id=garden.pk, body="hi", client_id="ok")
    for emoji in ("a", ":)", "👍👍", ""):
        with pytest.raises(ServiceError):
            services.react(alice, post_id=post.pk, emoji=emoji, add=True)
    services.react(alice, post_id=post.pk, emoji="👍🏽", add=True)
    services.react(alice, post_id=post.pk, emoji="👨‍👩‍👧", add=True)
    assert post.reactions.count() == 2


def test_pins_stop_at_three(alice, garden):
    posts = [
        services.create_post(
            alice, space_id=garden.pk, body=f"p{i}", client_id=f"p{i}"
        )[0]
        for i in range(4)
    ]
    for post in posts[:3]:
        services.pin_post(alice, post_id=post.pk, pinned=True)
    with pytest.raises(ServiceError) as refused:
        services.pin_post(alice, post_id=posts[3].pk, pinned=True)
    assert refused.value.code == "too_many"


def test_a_moderator_removes_with_a_reason_and_the_author_is_told(
    alice, bob, garden, django_capture_on_commit_callbacks
):
    services.join_space(bob, space_id=garden.pk)
    post, _ = services.create_post(bob, space_id=garden.pk, body="spam", client_id="s")
    services.set_role(alice, space_id=garden.pk, user_id=bob.pk, role="member")
    with pytest.raises(ServiceError):
        services.delete_post(alice, post_id=post.pk)  # no reason
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.delete_post(alice, post_id=post.pk, reason="Off topic")
    post.refresh_from_db()
    assert post.removed_by == alice and post.removed_reason == "Off topic"
    told = [p for p in published if p["event"]["type"] == "notification.new"]
    assert told[0]["groups"] == [f"user.{bob.pk}"]
    assert "Off topic" in told[0]["event"]["notification"]["text"]


def test_team_spaces_follow_the_directory(alice):
    design = DepartmentFactory.create(name="Design", slug="design")
    team = services.create_space(None, name="Design", kind="team", department=design)
    services.create_space(None, name="Everyone", kind="company")
    newcomer = UserFactory.create(department=design)
    assert SpaceMember.objects.filter(space=team, user=newcomer).exists()
    assert newcomer.pk in chat_members(team)
    newcomer.department = alice.department
    newcomer.save()
    assert not SpaceMember.objects.filter(space=team, user=newcomer).exists()
    assert newcomer.pk not in chat_members(team)
    newcomer.is_active = False
    newcomer.save()
    assert not SpaceMember.objects.filter(user=newcomer).exists()


def test_the_last_leader_cannot_leave(alice, garden):
    with pytest.raises(ServiceError) as refused:
        services.leave_space(alice, space_id=garden.pk)
    assert refused.value.code == "last_leader"


def test_reach_counts_each_person_once(alice, bob, carol, garden):
    from feeds.selectors.reach import reach_of

    for person in (bob, carol):
        services.join_space(person, space_id=garden.pk)
    post, _ = services.create_post(alice, space_id=garden.pk, body="hi", client_id="r")
    services.mark_seen(bob, post_ids=[post.pk])
    services.mark_seen(bob, post_ids=[post.pk])
    services.mark_seen(alice, post_ids=[post.pk])  # the author is no reach
    assert reach_of(Post.objects.get(pk=post.pk))["seen"] == 1


def test_comment_events_carry_the_posts_count_after_them(
    alice, bob, garden, django_capture_on_commit_callbacks
):
    services.join_space(bob, space_id=garden.pk)
    post, _ = services.create_post(alice, space_id=garden.pk, body="Hi", client_id="n")
    first = services.add_comment(bob, post_id=post.pk, body="One")
    services.add_comment(alice, post_id=post.pk, body="Two")
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.edit_comment(bob, comment_id=first.pk, body="One, edited")
        services.delete_comment(bob, comment_id=first.pk)
    edited, deleted = [
        p["event"]
        for p in published
        if p["event"]["type"] == "comment.updated"
        and p["groups"] == [f"space.{garden.pk}"]
    ]
    assert edited["comment_count"] == 2
    assert deleted["comment"]["deleted"] and deleted["comment_count"] == 1
    post.refresh_from_db()
    assert post.comment_count == 1
    # Catching up gives the delete's count too.
    stored = [e for e in events_since(bob, 0).events if e["type"] == "comment.updated"]
    assert stored[-1]["comment_count"] == 1
