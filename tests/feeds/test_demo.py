"""The demo company's spaces and feeds: every kind of space, members kept
as the directory and the chats say, lived-in feeds, safe HTML."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from feeds import selectors
from feeds.demo import COMPANY
from feeds.models import Comment, Post, Reaction, Space, SpaceMember
from intranet.markdown import render
from messaging.models import Conversation, Membership, Message
from profiles import demo
from profiles.models import Department, User

CHIP = re.compile(r'<span class="mention" data-user="\d+">@[^<]+</span>')


@pytest.fixture
def company(db):
    call_command("demo_company", verbosity=0)


def members(space: Space) -> set[int]:
    return set(space.members.values_list("user_id", flat=True))


def test_the_demo_has_every_kind_of_space(company):
    kinds = dict(
        Space.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    assert kinds[Space.Kind.COMPANY] == 1
    assert kinds[Space.Kind.ONBOARDING] == 1
    assert kinds[Space.Kind.COMMUNITY] >= 5
    communities = Space.objects.filter(kind=Space.Kind.COMMUNITY)
    assert communities.filter(visibility=Space.Visibility.CLOSED).count() == 1
    assert {"Running club", "Book club", "Parents", "Photography", "Tech talks"} <= set(
        communities.values_list("name", flat=True)
    )


def test_team_spaces_are_their_departments(company):
    for department in Department.objects.all():
        people = set(
            User.objects.filter(department=department).values_list("pk", flat=True)
        )
        space = Space.objects.filter(department=department).first()
        if len(people) < 2:  # the chief executive's team of one has none
            assert space is None
            continue
        assert space is not None and space.kind == Space.Kind.TEAM
        assert members(space) == people
        leaders = space.members.filter(role=SpaceMember.Role.LEADER)
        (head,) = leaders.values_list("user__title", flat=True)
        assert head in {plan.head for plan in demo.DEPARTMENTS}


def test_the_company_space_is_everyone_led_by_hr(company):
    space = Space.objects.get(kind=Space.Kind.COMPANY)
    assert space.name == f"Everyone at {COMPANY}"
    assert space.who_may_post == Space.Who.LEADERS
    assert members(space) == set(User.objects.values_list("pk", flat=True))
    leaders = User.objects.filter(
        space_memberships__space=space,
        space_memberships__role=SpaceMember.Role.LEADER,
    )
    assert set(leaders.values_list("department__name", flat=True)) == {"People"}
    posts = Post.objects.filter(space=space)
    assert set(posts.values_list("author__department__name", flat=True)) == {"People"}
    # The welcome, and HR's announcement pinned for a week.
    assert posts.filter(pinned_at__isnull=False).count() == 2
    # The holiday policy, the must-read and the pinned one (the scheduled
    # one is not a post yet).
    assert posts.filter(is_announcement=True).count() == 3


def test_the_onboarding_space_holds_this_weeks_starters_and_hr(company):
    space = Space.objects.get(kind=Space.Kind.ONBOARDING)
    rita = User.objects.get(email=demo.NEW_STARTER.email)
    assert rita.start_date is not None
    starters = set(
        User.objects.filter(start_date__gte=rita.start_date).values_list(
            "pk", flat=True
        )
    )
    hr = set(
        User.objects.filter(department__name="People").values_list("pk", flat=True)
    )
    # Onboarding's enrollments add their buddies and managers (and a
    # returner) to the cohort.
    assert starters | hr <= members(space)
    welcome = Post.objects.get(space=space, pinned_at__isnull=False)
    assert set(welcome.mentions.values_list("pk", flat=True)) >= {rita.pk}
    # The new starter has their first week to read.
    summaries = {s.space.pk: s for s in selectors.space_summaries(rita)}
    assert summaries[space.pk].unread > 0


def test_every_space_chat_has_the_spaces_members(company):
    spaces = list(Space.objects.select_related("chat"))
    assert all(s.chat is not None for s in spaces)
    assert len({s.chat_id for s in spaces}) == len(spaces)
    for space in spaces:
        assert space.chat is not None and space.chat.kind == Conversation.Kind.SPACE
        chat = set(
            Membership.objects.filter(conversation=space.chat).values_list(
                "user_id", flat=True
            )
        )
        assert chat == members(space), space.name
    # The team chats are the team spaces': no second group beside them.
    assert not Conversation.objects.filter(
        kind=Conversation.Kind.GROUP, title__endswith=" team"
    ).exists()
    engineering = Space.objects.get(name="Engineering team")
    assert Message.objects.filter(conversation=engineering.chat).exists()


def test_feeds_are_lived_in(company):
    posts = Post.objects.all()
    assert posts.count() >= 1000
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Reaction.objects.filter(comment__isnull=True).exists()
    assert Reaction.objects.filter(comment__isnull=False).exists()
    authors = posts.values("author").distinct().count()
    assert authors >= 40
    # Newer posts have higher ids: the feeds' keyset pages rely on it.
    times = list(posts.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)
    # comment_count is what the thread holds.
    counted = posts.annotate(n=Count("comments")).values_list("comment_count", "n")
    assert all(kept == real for kept, real in counted)

    alex = User.objects.get(email=demo.DEMO_LOGIN)
    page = selectors.home_feed(alex)
    assert len(page) == selectors.FEED_PAGE
    assert any(p.latest_comments for p in page)  # type: ignore[attr-defined]
    assert any(s.unread for s in selectors.space_summaries(alex))


def test_demo_posts_are_rendered_and_safe(company):
    people = {
        u.display_name.lower(): (u.pk, u.display_name) for u in User.objects.all()
    }
    mentioned = 0
    for body, html in Post.objects.values_list("body", "body_html"):
        assert html == render(body, people=people).html
        assert "<script" not in html and "onerror" not in html
        if "@**" in body:
            assert CHIP.search(html), body
            mentioned += 1
    assert mentioned > 0
    # Text that looks like HTML stays text.
    tags = Post.objects.filter(body__contains="<div onclick>")
    assert tags.exists()
    for html in tags.values_list("body_html", flat=True):
        assert "<div" not in html and "&lt;div onclick&gt;" in html
        assert "<code>&lt;button&gt;</code>" in html
    # Their chips are stored as mentions, as create_post does.
    with_chips = Post.objects.filter(body_html__contains='class="mention"')
    assert all(p.mentions.exists() for p in with_chips[:50])
    for body, html in Comment.objects.values_list("body", "body_html")[:500]:
        assert html == render(body, people=people).html


def test_the_demo_describes_only_what_exists(company):
    texts = [
        *Post.objects.values_list("body", flat=True),
        *Comment.objects.values_list("body", flat=True),
        *Message.objects.values_list("body", flat=True),
    ]
    for word in ("checklist", "acknowledge"):
        assert not any(word in t.lower() for t in texts), word


def test_the_demo_has_hrs_announcements(company):
    from feeds.models import Announcement

    must_read = Announcement.objects.get(must_read=True)
    readers = must_read.readers.count()
    acknowledged = must_read.readers.filter(acknowledged_at__isnull=False).count()
    assert 0 < acknowledged < readers
    assert must_read.published_post.must_read
    pinned = Announcement.objects.get(pinned_until__isnull=False)
    assert pinned.published_post.pinned_at is not None
    scheduled = Announcement.objects.get(published_at__isnull=True)
    assert scheduled.post is None
    assert not Post.objects.filter(body__contains="winter party").exists()
