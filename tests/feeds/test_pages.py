"""The feed pages without JavaScript: every write is a plain form that
answers with a redirect and a flash, refusals are 4xx-free flashes (never a
500), private spaces are 404s, and each page's queries stay fixed as the
feed grows."""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds import services
from feeds.models import (
    Comment,
    JoinRequest,
    Post,
    PostAttachment,
    Reaction,
    SpaceMember,
)
from profiles.factories import UserFactory

pytestmark = pytest.mark.django_db

_ids = itertools.count()


@pytest.fixture
def garden(alice, bob):
    """An open community alice leads and bob belongs to."""
    space = services.create_space(alice, name="Gardening")
    services.join_space(bob, space_id=space.pk)
    return space


def post_in(space, author, body="Tomatoes are in") -> Post:
    return services.create_post(
        author, space_id=space.pk, body=body, client_id=f"t-{next(_ids)}"
    )[0]


def text(response) -> str:
    """The page's words, without its tags."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", words)


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_space_page_shows_the_feed_composer_and_members(client, alice, garden):
    post_in(garden, alice, "First **harvest**")
    client.force_login(alice)
    response = client.get(garden.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>harvest</strong>" in html
    assert 'name="body"' in html  # the composer
    assert "Requests to join" in html  # alice leads
    assert f"/messages/{garden.chat_id}/" in html
    assert "Seen by 0 of 2 · 0 reactions · 0 comments" in text(response)


def test_a_big_space_shows_its_leaders_first_and_counts_the_rest(
    client, alice, garden, settings
):
    from feeds.views.spaces import MEMBERS_SHOWN

    for person in UserFactory.create_batch(MEMBERS_SHOWN + 5):
        services.join_space(person, space_id=garden.pk)
    client.force_login(alice)
    response = client.get(garden.get_absolute_url())
    total = MEMBERS_SHOWN + 7  # with alice and bob
    assert f"{total} members" in text(response)
    shown = response.context["members"]
    assert len(shown) == MEMBERS_SHOWN
    assert shown[0].user == alice  # the leader
    assert "and 7 more" in text(response)


def test_a_member_posts_with_a_plain_form(client, bob, garden):
    client.force_login(bob)
    response = client.post(
        f"/spaces/{garden.pk}/posts/",
        {"body": "Seedlings to give away", "client_id": "form-1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == garden.get_absolute_url()
    assert "Posted." in flashes(response)
    assert "Seedlings to give away" in response.content.decode()
    # The same form sent again posts once.
    client.post(f"/spaces/{garden.pk}/posts/", {"body": "x", "client_id": "form-1"})
    assert Post.objects.filter(author=bob).count() == 1


def test_an_empty_post_is_an_error_flash_not_a_500(client, bob, garden):
    client.force_login(bob)
    response = client.post(
        f"/spaces/{garden.pk}/posts/", {"body": "  ", "client_id": "e"}, follow=True
    )
    assert response.status_code == 200
    assert flashes(response) and "Posted." not in flashes(response)
    assert not Post.objects.exists()


def test_nul_characters_are_refused_politely(client, bob, garden):
    client.force_login(bob)
    response = client.post(
        f"/spaces/{garden.pk}/posts/", {"body": "a\x00b", "client_id": "n"}, follow=True
    )
    assert response.status_code == 200
    assert not Post.objects.exists()


def test_comment_and_reply_with_plain_forms(client, alice, bob, garden):
    post = post_in(garden, alice)
    client.force_login(bob)
    response = client.post(
        f"/posts/{post.pk}/comments/", {"body": "How many?"}, follow=True
    )
    assert "Comment added." in flashes(response)
    comment = Comment.objects.get()
    client.post(
        f"/posts/{post.pk}/comments/", {"body": "Six", "parent": str(comment.pk)}
    )
    reply = Comment.objects.latest("pk")
    assert reply.parent_id == comment.pk
    page = client.get(post.get_absolute_url()).content.decode()
    assert "How many?" in page and "Six" in page
    response = client.post(
        f"/posts/{post.pk}/comments/", {"body": "x", "parent": "nope"}, follow=True
    )
    assert response.status_code == 200 and Comment.objects.count() == 2


def test_the_feed_shows_the_latest_three_comments_and_links_to_all(
    client, alice, bob, garden
):
    post = post_in(garden, alice)
    for n in range(5):
        services.add_comment(bob, post_id=post.pk, body=f"comment number {n}")
    client.force_login(bob)
    html = client.get(garden.get_absolute_url()).content.decode()
    assert "comment number 1" not in html
    assert "comment number 4" in html
    assert 'View all <span class="n">5</span> comments' in html


def test_react_and_take_it_back_with_plain_forms(client, alice, bob, garden):
    post = post_in(garden, alice)
    client.force_login(bob)
    client.post(f"/posts/{post.pk}/react/", {"emoji": "🎉"})
    client.post(f"/posts/{post.pk}/react/", {"emoji": "", "other": "🦔"})
    assert set(Reaction.objects.values_list("emoji", flat=True)) == {"🎉", "🦔"}
    client.post(f"/posts/{post.pk}/react/", {"emoji": "🎉", "remove": "1"})
    assert list(Reaction.objects.values_list("emoji", flat=True)) == ["🦔"]
    response = client.post(
        f"/posts/{post.pk}/react/", {"other": "not one"}, follow=True
    )
    assert response.status_code == 200
    assert "A reaction is one emoji." in flashes(response)


def test_join_and_leave_with_plain_forms(client, alice, carol, garden):
    client.force_login(carol)
    response = client.post(f"/spaces/{garden.pk}/join/", follow=True)
    assert "You joined Gardening." in flashes(response)
    assert SpaceMember.objects.filter(space=garden, user=carol).exists()
    response = client.post(f"/spaces/{garden.pk}/leave/", follow=True)
    assert "You left Gardening." in flashes(response)
    assert not SpaceMember.objects.filter(space=garden, user=carol).exists()
    # alice is its only leader: refused, with a sentence.
    client.force_login(alice)
    response = client.post(f"/spaces/{garden.pk}/leave/", follow=True)
    assert response.status_code == 200
    assert any("only leader" in m for m in flashes(response))


def test_pin_is_for_leaders(client, alice, bob, garden):
    post = post_in(garden, bob)
    client.force_login(bob)
    response = client.post(f"/posts/{post.pk}/pin/", {"pinned": "1"}, follow=True)
    assert response.status_code == 200
    assert any("pin" in m for m in flashes(response))
    client.force_login(alice)
    client.post(f"/posts/{post.pk}/pin/", {"pinned": "1"})
    post.refresh_from_db()
    assert post.pinned_at is not None
    html = client.get(garden.get_absolute_url()).content.decode()
    assert 'id="pinned-heading"' in html
    client.post(f"/posts/{post.pk}/pin/", {"pinned": "0"})
    post.refresh_from_db()
    assert post.pinned_at is None


def test_delete_own_post_and_a_leader_removes_with_a_reason(client, alice, bob, garden):
    mine = post_in(garden, bob)
    theirs = post_in(garden, bob, "Off topic")
    client.force_login(bob)
    client.post(f"/posts/{mine.pk}/delete/")
    mine.refresh_from_db()
    assert mine.is_deleted
    client.force_login(alice)
    response = client.post(f"/posts/{theirs.pk}/delete/", follow=True)
    assert any("Say why" in m for m in flashes(response))
    client.post(f"/posts/{theirs.pk}/delete/", {"reason": "Spam"})
    theirs.refresh_from_db()
    assert theirs.removed_by == alice


def test_a_closed_space_shows_outsiders_only_its_door(client, alice, carol):
    club = services.create_space(alice, name="Book club", visibility="closed")
    post = post_in(club, alice, "Chapter one thoughts")
    client.force_login(carol)
    response = client.get(club.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Book club" in html and "Ask to join" in html
    assert "Chapter one" not in html
    assert client.get(post.get_absolute_url()).status_code == 404
    response = client.post(f"/spaces/{club.pk}/ask/", {"message": "Hi"}, follow=True)
    assert "You asked to join" in response.content.decode()
    assert JoinRequest.objects.filter(space=club, user=carol).exists()
    response = client.post(f"/spaces/{club.pk}/join/", follow=True)
    assert response.status_code == 200
    assert not SpaceMember.objects.filter(space=club, user=carol).exists()
    # alice approves from the space's page.
    client.force_login(alice)
    assert "Carol" in client.get(club.get_absolute_url()).content.decode()
    client.post(f"/spaces/{club.pk}/requests/{carol.pk}/", {"decision": "approve"})
    assert SpaceMember.objects.filter(space=club, user=carol).exists()


def test_a_secret_space_is_404_everywhere_for_outsiders(client, alice, carol):
    board = services.create_space(alice, name="Board", visibility="secret")
    post = post_in(board, alice)
    client.force_login(carol)
    assert client.get(board.get_absolute_url()).status_code == 404
    assert client.get(post.get_absolute_url()).status_code == 404
    for path in ("join", "ask", "leave", "settings", "posts"):
        assert client.post(f"/spaces/{board.pk}/{path}/").status_code == 404, path
    for path in ("comments", "react", "pin", "delete"):
        assert client.post(f"/posts/{post.pk}/{path}/").status_code == 404, path
    listing = client.get("/spaces/").content.decode()
    assert "Board" not in listing


def test_the_directory_lists_my_spaces_first_and_filters(client, alice, carol, garden):
    services.create_space(alice, name="Archery", kind="community")
    client.force_login(carol)
    services.join_space(carol, space_id=garden.pk)
    html = client.get("/spaces/").content.decode()
    assert html.index("Gardening") < html.index("Archery")
    html = client.get("/spaces/?q=arch").content.decode()
    assert "Archery" in html and "Gardening</a></h2>" not in html
    assert client.get("/spaces/?kind=bogus&q=%00").status_code == 200


def test_leaders_change_settings_with_a_form(client, alice, bob, garden):
    client.force_login(bob)
    response = client.post(f"/spaces/{garden.pk}/settings/", {"name": "X"}, follow=True)
    assert any("leaders" in m for m in flashes(response))
    client.force_login(alice)
    response = client.post(
        f"/spaces/{garden.pk}/settings/",
        {"name": "Allotment", "visibility": "closed", "who_may_post": "leaders"},
        follow=True,
    )
    garden.refresh_from_db()
    assert (garden.name, garden.visibility, garden.who_may_post) == (
        "Allotment",
        "closed",
        "leaders",
    )
    response = client.post(
        f"/spaces/{garden.pk}/settings/", {"visibility": "bogus"}, follow=True
    )
    assert response.status_code == 200


def test_the_home_feed_pages_by_keyset_and_has_a_trusted_view(
    client, alice, bob, garden, monkeypatch
):
    # More posts than the rate limit lets one person write in a second.
    monkeypatch.setattr(
        "feeds.services.posts.writing.take_token", lambda *a, **kw: None
    )
    for n in range(25):
        post_in(garden, alice if n % 2 else bob, f"post number {n}")
    client.force_login(bob)
    response = client.get("/")
    html = response.content.decode()
    assert "post number 24" in html and "post number 4<" not in html
    older = response.context["older"]
    assert older is not None
    html = client.get(f"/?before={older}").content.decode()
    assert "post number 4" in html
    assert client.get("/?before=abc").status_code == 404
    assert "New this week" in html
    assert client.get("/?view=trusted").status_code == 200


def test_the_sidebar_lists_my_spaces_with_unread_marks(client, alice, bob, garden):
    post_in(garden, alice)
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert 'data-space-unread="1"' in html
    client.get(garden.get_absolute_url())  # reading it clears the mark
    html = client.get("/").content.decode()
    assert 'data-space-unread="0"' in html


# Query counts --------------------------------------------------------------

# Each page's statements, pinned: a change here is a change in cost. The
# space page's include its read marker's move when there is something new.
# Each reads the catch-up cursor first (feed.js replays from it). Each
# list of posts reads their files in one statement (the space page has
# two: its feed and its pins), and its comments' authors in one more; the
# reach lines' counts are one statement.
QUERIES = {"home": 14, "space": 23, "post": 17}


def grow(space, people, *, posts: int, comments: int, reactions: int) -> None:
    author, *others = people
    for _ in range(posts):
        post = post_in(space, author)
        for n in range(comments):
            comment = services.add_comment(
                others[n % len(others)], post_id=post.pk, body=f"c {n}"
            )
            services.react(
                others[0], post_id=post.pk, comment_id=comment.pk, emoji="👍", add=True
            )
        for person in others[:reactions]:
            services.react(person, post_id=post.pk, emoji="🎉", add=True)
        for n in range(2):  # files, rows only: the page reads no file
            PostAttachment.objects.create(
                space=space,
                post=post,
                uploader=author,
                file=f"posts/{n}.txt",
                name=f"{n}.txt",
                size=1,
                content_type="text/plain",
            )
        services.mark_seen(others[0], post_ids=[post.pk])


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_feed_pages_run_the_same_queries_as_the_feed_grows(
    client, alice, bob, garden, settings
):
    others = UserFactory.create_batch(4)
    for person in others:
        services.join_space(person, space_id=garden.pk)
    people = [alice, bob, *others]
    grow(garden, people, posts=1, comments=1, reactions=1)
    services.pin_post(alice, post_id=Post.objects.latest("pk").pk, pinned=True)
    client.force_login(alice)
    first = Post.objects.earliest("pk")
    urls = {
        "home": "/",
        "space": garden.get_absolute_url(),
        "post": first.get_absolute_url(),
    }
    small = {name: count(client, url) for name, url in urls.items()}
    grow(garden, people, posts=8, comments=5, reactions=4)
    large = {name: count(client, url) for name, url in urls.items()}
    assert small == large
    assert large == QUERIES


def test_a_member_mutes_a_space_and_its_mark_goes(client, alice, bob, garden):
    from feeds.selectors.sidebar import space_summaries

    post_in(garden, alice, "News")
    assert [s.unread for s in space_summaries(bob)] == [1]
    client.force_login(bob)
    response = client.post(f"/spaces/{garden.pk}/mute/", {"muted": "1"}, follow=True)
    assert "Gardening is muted." in flashes(response)
    assert "Unmute space" in text(response)
    assert [s.unread for s in space_summaries(bob)] == [0]
    client.post(f"/spaces/{garden.pk}/mute/", {"muted": "0"})
    post_in(garden, alice, "More news")  # the page above read the first
    assert [s.unread for s in space_summaries(bob)] == [1]


def test_a_verified_authors_posts_carry_the_badge(client, alice, bob, garden):
    alice.is_verified = True
    alice.save(update_fields=["is_verified"])
    post_in(garden, alice, "From HR")
    post_in(garden, bob, "From Bob")
    client.force_login(bob)
    html = client.get(garden.get_absolute_url()).content.decode()
    assert 'Alice Adams</strong><span class="verified"' in html
    assert 'Bob Brown</strong><span class="verified"' not in html


def test_authors_get_edit_and_delete_moderators_remove_and_others_neither(
    client, alice, bob, carol, garden
):
    services.join_space(carol, space_id=garden.pk)
    post = post_in(garden, bob, "Bob's tomatoes")
    comment = services.add_comment(bob, post_id=post.pk, body="Ripe now")

    def page_for(user) -> str:
        client.force_login(user)
        return client.get(post.get_absolute_url()).content.decode()

    mine = page_for(bob)
    assert "Edit post" in mine and "Delete post" in mine
    assert f'action="/comments/{comment.pk}/delete/"' in mine
    assert 'Delete<span class="visually-hidden"> your comment' in mine
    # Edit works in place with JavaScript only: hidden until feed.js shows it.
    assert re.search(r"<button[^>]*data-edit hidden>Edit post", mine)

    leader = page_for(alice)  # leads the space: removes with a reason
    assert "Edit post" not in leader and "Remove post" in leader
    assert "Remove comment" in leader and f"c-reason-{comment.pk}" in leader

    other = page_for(carol)
    assert "Edit" not in text(client.get(post.get_absolute_url())).replace(
        "(edited)", ""
    )
    assert f"/comments/{comment.pk}/delete/" not in other
    # Every member may react to the comment.
    assert f'action="/comments/{comment.pk}/react/"' in other


def test_comment_reactions_and_deletes_work_as_plain_forms(
    client, alice, bob, carol, garden
):
    post = post_in(garden, alice)
    comment = services.add_comment(bob, post_id=post.pk, body="Me too")
    client.force_login(alice)
    response = client.post(
        f"/comments/{comment.pk}/react/", {"emoji": "🎉"}, follow=True
    )
    assert response.status_code == 200
    assert Reaction.objects.filter(comment=comment, user=alice, emoji="🎉").exists()
    client.post(f"/comments/{comment.pk}/react/", {"emoji": "🎉", "remove": "1"})
    assert not Reaction.objects.filter(comment=comment).exists()
    response = client.post(
        f"/comments/{comment.pk}/react/", {"emoji": "", "other": "not one"}, follow=True
    )
    assert response.status_code == 200 and flashes(response)

    # A leader removes someone else's comment only with a reason.
    response = client.post(f"/comments/{comment.pk}/delete/", {}, follow=True)
    assert response.status_code == 200 and flashes(response)
    assert not Comment.objects.get(pk=comment.pk).is_deleted
    client.post(f"/comments/{comment.pk}/delete/", {"reason": "Off topic"})
    assert Comment.objects.get(pk=comment.pk).is_deleted

    # An outsider of nothing: carol is no member, so she cannot delete or react.
    mine = services.add_comment(alice, post_id=post.pk, body="Mine")
    client.force_login(carol)
    response = client.post(f"/comments/{mine.pk}/delete/", {}, follow=True)
    assert response.status_code == 200 and flashes(response)
    assert not Comment.objects.get(pk=mine.pk).is_deleted
    response = client.post(f"/comments/{mine.pk}/react/", {"emoji": "👍"}, follow=True)
    assert "Join the space to react." in flashes(response)

    # Its author deletes it.
    client.force_login(alice)
    response = client.post(f"/comments/{mine.pk}/delete/", {}, follow=True)
    assert "Comment deleted." in flashes(response)
    assert Comment.objects.get(pk=mine.pk).is_deleted


def test_a_secret_space_comment_is_404_to_outsiders_on_its_forms(client, alice, bob):
    secret = services.create_space(alice, name="Board", visibility="secret")
    post = post_in(secret, alice)
    comment = services.add_comment(alice, post_id=post.pk, body="Salaries")
    client.force_login(bob)
    react = client.post(f"/comments/{comment.pk}/react/", {"emoji": "👍"})
    assert react.status_code == 404
    assert client.post(f"/comments/{comment.pk}/delete/", {}).status_code == 404
    assert not Reaction.objects.filter(comment=comment).exists()
    assert not Comment.objects.get(pk=comment.pk).is_deleted


def test_only_leaders_get_the_who_saw_it_button_on_the_reach_line(
    client, alice, bob, garden
):
    post_in(garden, bob, "Bob's news")
    client.force_login(alice)  # leads the space
    assert "data-names=" in client.get(garden.get_absolute_url()).content.decode()
    client.force_login(bob)  # the author: counts, not names
    page = client.get(garden.get_absolute_url())
    assert "Seen by 0 of 2" in text(page)
    assert "data-names=" not in page.content.decode()


def test_links_to_canteen_pages_get_cards_only_for_what_the_viewer_may_see(
    client, alice, bob, carol, garden
):
    secret = services.create_space(
        alice, name="Acquisition Falcon", visibility="secret", description="Hush"
    )
    hidden = post_in(secret, alice, "Falcon closes Friday")
    closed = services.create_space(
        alice, name="Book club", visibility="closed", description="We read"
    )
    inside = post_in(closed, alice, "Chapter 3 thoughts")
    shared = post_in(garden, alice, "Tomatoes **ripe**")
    body = (
        f"See [the plan](http://testserver/posts/{hidden.pk}/), "
        f"[the club]({closed.get_absolute_url()}), "
        f"[secret space]({secret.get_absolute_url()}), "
        f"[its post](/posts/{inside.pk}/), "
        f"[tomatoes](/posts/{shared.pk}/#c1) and [Carol](/people/{carol.pk}/) "
        f"but not [elsewhere](https://evil.example/posts/{shared.pk}/)"
    )
    linking = post_in(garden, bob, body)

    client.force_login(carol)  # in none of alice's private spaces
    page = client.get(linking.get_absolute_url()).content.decode()
    cards = page[page.index('class="link-cards"') :]
    cards = cards[: cards.index("</ul>")]
    assert "Acquisition Falcon" not in page and "Falcon closes" not in page
    assert "Chapter 3" not in cards  # the closed space's posts are private
    assert "Book club" in cards and "We read" in cards  # its door is public
    assert "Alice Adams in Gardening" in cards and "Tomatoes ripe" in cards
    assert "Carol Cruz" in cards
    assert cards.count('class="link-card"') == 3  # at most three
    outside = post_in(garden, bob, f"[x](https://evil.example/posts/{shared.pk}/)")
    assert "link-cards" not in client.get(outside.get_absolute_url()).content.decode()

    client.force_login(alice)  # sees everything she links to
    page = client.get(linking.get_absolute_url()).content.decode()
    assert "Alice Adams in Acquisition Falcon" in page
    assert "Falcon closes Friday" in page


def test_link_cards_cost_the_same_queries_for_one_link_or_many(
    client, alice, bob, carol, garden
):
    client.force_login(bob)
    target = post_in(garden, alice, "Target")
    post_in(garden, bob, f"[a](/posts/{target.pk}/) [g]({garden.get_absolute_url()})")
    one = count(client, garden.get_absolute_url())
    for n in range(5):
        other = post_in(garden, alice, f"Target {n}")
        post_in(
            garden,
            bob,
            f"[a](/posts/{other.pk}/) [p](/people/{carol.pk}/) [g](/spaces/gardening/)",
        )
    many = count(client, garden.get_absolute_url())
    assert many == one + 1  # the people's query, once
    assert "Carol Cruz" in client.get(garden.get_absolute_url()).content.decode()


def test_a_reader_mutes_a_posts_comments_from_the_page(client, alice, bob, garden):
    """No notifications of its comments and replies, from a plain form."""
    from intranet.models import Notification

    post = post_in(garden, bob, "Who wants seedlings?")
    client.force_login(bob)
    page = client.post(
        f"/posts/{post.pk}/mute/", {"muted": "1", "next": "/"}, follow=True
    )
    assert "You will not be notified of this post's comments." in flashes(page)
    assert "Unmute comments" in text(page)
    services.add_comment(alice, post_id=post.pk, body="Me!")
    assert not Notification.objects.filter(user=bob, kind="comment").exists()
    client.post(f"/posts/{post.pk}/mute/", {"muted": "0"})
    services.add_comment(alice, post_id=post.pk, body="And me")
    assert Notification.objects.filter(user=bob, kind="comment").count() == 1
    assert client.post(f"/posts/{10**12}/mute/", {"muted": "1"}).status_code == 404


def test_an_outsider_cannot_mute_a_secret_spaces_post(client, alice, carol):
    secret = services.create_space(alice, name="Plans", visibility="secret")
    post = post_in(secret, alice, "Plans")
    client.force_login(carol)
    assert client.post(f"/posts/{post.pk}/mute/", {"muted": "1"}).status_code == 404
