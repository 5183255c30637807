"""Editing, deleting and reacting to posts and comments in place, in two
real browsers: bob (the author) acts, alice (the space's leader) sees it
change live, without a reload.

Everything the test expects to arrive live starts in a browser (the Daphne
process publishes it); what exists before the pages open is made with the
services.
"""

import re

from playwright.sync_api import Page, expect

from feeds import services
from feeds.models import Comment, Post, Space
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
)
from tests.browser.test_feeds import shoot


def card(page: Page, text: str):
    return page.locator("[data-posts] > .post", has_text=text)


def comment_item(page: Page, text: str):
    return page.locator(".comment", has_text=text)


class FeedEditsTest(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space: Space = off_the_loop(
            services.create_space, self.alice, name="Gardening"
        )
        off_the_loop(services.join_space, self.bob, space_id=self.space.pk)
        self.post, _ = off_the_loop(
            services.create_post,
            self.bob,
            space_id=self.space.pk,
            body="Seed swap on Friday",
            client_id="edits-1",
        )
        self.alices = off_the_loop(
            services.add_comment, self.alice, post_id=self.post.pk, body="Count me in"
        )
        self.bobs = off_the_loop(
            services.add_comment, self.bob, post_id=self.post.pk, body="Bring pots"
        )
        self.path = self.space.get_absolute_url()

    def test_the_author_edits_reacts_and_deletes_and_the_leader_sees_it_live(self):
        author = self.open_as(self.bob, self.path, "feeds-edits-author")
        leader = self.open_as(self.alice, self.path, "feeds-edits-leader")

        # Edit the post in place: Escape cancels, Save saves.
        post = author.locator(f"#p{self.post.pk}")
        post.locator("summary", has_text="More").click()
        post.get_by_role("button", name="Edit post").click()
        box = post.get_by_role("textbox", name="Edit your post")
        expect(box).to_be_focused()
        expect(box).to_have_value("Seed swap on Friday")
        box.fill("Changed my mind")
        box.press("Escape")
        expect(post.locator(".post-body")).to_have_text("Seed swap on Friday")
        expect(post.get_by_role("button", name="Edit post")).to_be_focused()
        post.get_by_role("button", name="Edit post").click()
        box = post.get_by_role("textbox", name="Edit your post")
        box.fill("Seed swap moved to **Saturday**")
        shoot(author, "edit-post")
        post.get_by_role("button", name="Save").click()
        expect(post.locator(".post-body strong", has_text="Saturday")).to_be_visible()
        expect(post.locator(".post-head [data-edited]")).to_be_visible()
        seen = card(leader, "Seed swap")
        expect(seen.locator(".post-body strong", has_text="Saturday")).to_be_visible(
            timeout=LIVE_MS
        )
        expect(seen.locator(".post-head [data-edited]")).to_be_visible()

        # Edit a comment: Enter saves.
        mine = author.locator(f"#c{self.bobs.pk}")
        mine.get_by_role("button", name="Edit your comment").click()
        box = mine.get_by_role("textbox", name="Edit your comment")
        box.fill("Bring pots and labels")
        box.press("Enter")
        expect(mine.locator(".comment-body")).to_have_text("Bring pots and labels")
        expect(
            comment_item(leader, "Bring pots and labels").locator("[data-edited]")
        ).to_be_visible(timeout=LIVE_MS)

        # React to alice's comment with any emoji; she adds hers to it.
        theirs = comment_item(author, "Count me in")
        theirs.locator("summary", has_text="React").click()
        theirs.get_by_label("Any emoji").fill("🌱")
        theirs.get_by_role("button", name="React", exact=True).click()
        pressed = theirs.locator(".chip[aria-pressed=true]", has_text="🌱")
        expect(pressed).to_be_visible()
        chip = comment_item(leader, "Count me in").locator(".chip", has_text="🌱")
        expect(chip).to_have_attribute("aria-pressed", "false", timeout=LIVE_MS)
        chip.click()
        expect(chip).to_have_attribute("aria-pressed", "true")
        expect(theirs.locator(".chip", has_text="🌱 2")).to_be_visible(timeout=LIVE_MS)
        check_page(leader, "feeds-edits-comment-reactions")
        shoot(leader, "comment-reactions")

        # Delete a comment: a dialog asks first; Cancel keeps it.
        mine = comment_item(author, "Bring pots and labels")
        mine.get_by_role("button", name="Delete your comment").click()
        dialog = author.get_by_role("dialog", name="Delete this comment?")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        check_page(author, "feeds-edits-delete-dialog")
        shoot(author, "delete-dialog")
        author.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(mine.get_by_role("button", name="Delete your comment")).to_be_focused()
        mine.get_by_role("button", name="Delete your comment").click()
        dialog.get_by_role("button", name="Delete comment").click()
        gone = author.locator(f"#c{self.bobs.pk}")
        expect(gone).to_contain_text("This comment was deleted.")
        expect(gone).to_be_focused()
        expect(gone.get_by_role("button", name="Edit your comment")).to_have_count(0)
        expect(leader.locator(f"#c{self.bobs.pk}")).to_contain_text(
            "This comment was deleted.", timeout=LIVE_MS
        )
        assert off_the_loop(lambda: Comment.objects.get(pk=self.bobs.pk).is_deleted)

        # A comment that arrives live has the same controls: its author's
        # Edit and Delete, the leader's React and Remove.
        box = card(author, "Seed swap").get_by_role(
            "textbox", name=re.compile("Comment on")
        )
        box.fill("Bring seeds too")
        box.press("Enter")
        fresh = comment_item(author, "Bring seeds too")
        expect(fresh.get_by_role("button", name="Edit your comment")).to_be_visible()
        expect(fresh.get_by_role("button", name="Delete your comment")).to_be_visible()
        live = comment_item(leader, "Bring seeds too")
        expect(live).to_be_visible(timeout=LIVE_MS)
        expect(live.locator("summary", has_text="Remove")).to_be_visible()
        live.locator("summary", has_text="React").click()
        live.get_by_role("button", name="👍").click()
        expect(fresh.locator(".chip", has_text="👍 1")).to_be_visible(timeout=LIVE_MS)

        # Delete the post: gone from both feeds. (Its menu stayed open
        # after the edit, with the focus back on "Edit post".)
        post = card(author, "Seed swap")
        post.get_by_role("button", name="Delete post").click()
        author.get_by_role("dialog").get_by_role("button", name="Delete post").click()
        expect(card(author, "Seed swap")).to_have_count(0)
        expect(card(leader, "Seed swap")).to_have_count(0, timeout=LIVE_MS)
        assert off_the_loop(lambda: Post.objects.get(pk=self.post.pk).is_deleted)
        expect_live(author)

    def test_a_post_just_sent_can_be_edited_and_deleted_at_once(self):
        author = self.open_as(self.bob, self.path, "feeds-edits-fresh")
        leader = self.open_as(self.alice, self.path, "feeds-edits-fresh-leader")
        author.get_by_label("Post in Gardening").fill("Typo in this psot")
        author.get_by_role("button", name="Post", exact=True).click()
        fresh = card(author, "Typo in this psot")
        fresh.locator("summary", has_text="More").click()
        fresh.get_by_role("button", name="Edit post").click()
        box = author.get_by_role("textbox", name="Edit your post")
        box.fill("Typo in this post, fixed")
        box.press("Control+Enter")
        expect(card(author, "Typo in this post, fixed")).to_be_visible()
        leader.get_by_role("button", name="1 new post").click(timeout=LIVE_MS)
        expect(card(leader, "Typo in this post, fixed")).to_be_visible()
        fresh = card(author, "Typo in this post, fixed")
        fresh.get_by_role("button", name="Delete post").click()
        author.get_by_role("dialog").get_by_role("button", name="Delete post").click()
        expect(card(author, "Typo in this post")).to_have_count(0)
        expect(card(leader, "Typo in this post")).to_have_count(0, timeout=LIVE_MS)

    def test_a_leader_removes_a_comment_with_a_reason_at_phone_width(self):
        leader = self.open_as(
            self.alice, self.post.get_absolute_url(), "feeds-edits-phone", PHONE
        )
        author = self.open_as(
            self.bob, self.post.get_absolute_url(), "feeds-edits-phone-author"
        )
        assert_no_horizontal_scroll(leader)
        theirs = comment_item(leader, "Bring pots")
        expect(theirs.get_by_role("button", name=re.compile("Edit"))).to_have_count(0)
        theirs.locator("summary", has_text="Remove").click()
        theirs.get_by_label("Why remove it?").fill("Pots are banned")
        theirs.get_by_role("button", name="Remove comment").click()
        dialog = leader.get_by_role("dialog", name="Remove this comment?")
        expect(dialog).to_contain_text("Pots are banned")
        assert_no_horizontal_scroll(leader)
        shoot(leader, "remove-dialog-phone")
        dialog.get_by_role("button", name="Remove comment").click()
        expect(leader.locator(f"#c{self.bobs.pk}")).to_contain_text("was deleted")
        expect(author.locator(f"#c{self.bobs.pk}")).to_contain_text(
            "was deleted", timeout=LIVE_MS
        )
        check_page(leader, "feeds-edits-removed-phone")


class ReachNamesTest(BrowserTestCase):
    def test_a_leader_opens_who_saw_a_post_from_its_reach_line(self):
        self.make_personas()
        space = off_the_loop(services.create_space, self.alice, name="Gardening")
        for person in (self.bob, self.carol):
            off_the_loop(services.join_space, person, space_id=space.pk)
        post, _ = off_the_loop(
            services.create_post,
            self.bob,
            space_id=space.pk,
            body="Compost tips",
            client_id="reach-1",
        )
        off_the_loop(services.mark_seen, self.carol, post_ids=[post.pk])
        leader = self.open_as(self.alice, space.get_absolute_url(), "feeds-reach")
        # Found by place, not name: alice's own view turns "1 of 3" into
        # "2 of 3" live, maybe between two steps of the test.
        button = card(leader, "Compost tips").locator("[data-reach] button")
        expect(button).to_have_accessible_name(re.compile(r"Seen by [12] of 3"))
        expect(button).to_have_attribute("aria-expanded", "false")
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        names = card(leader, "Compost tips").locator("[data-seen-by]")
        expect(names.get_by_role("link", name=self.carol.display_name)).to_be_visible()
        check_page(leader, "feeds-reach-names")
        shoot(leader, "reach-names")
        button.click()
        expect(names).to_be_hidden()
        # The author sees the counts only.
        author = self.open_as(self.bob, space.get_absolute_url(), "feeds-reach-author")
        line = card(author, "Compost tips").locator("[data-reach]")
        expect(line).to_contain_text(" of 3 ")  # alice, too, has seen it by now
        expect(line.get_by_role("button")).to_have_count(0)


class LinkCardsTest(BrowserTestCase):
    def test_a_link_to_a_post_shows_a_card_at_phone_width(self):
        self.make_personas()
        space = off_the_loop(
            services.create_space,
            self.alice,
            name="Gardening",
            description="Seeds, soil and swaps.",
        )
        target, _ = off_the_loop(
            services.create_post,
            self.alice,
            space_id=space.pk,
            body="The seed swap is on **Friday** in the atrium",
            client_id="card-1",
        )
        off_the_loop(
            services.create_post,
            self.alice,
            space_id=space.pk,
            body=f"Details: {self.live_server_url}/posts/{target.pk}/ and "
            f"[our space]({space.get_absolute_url()})",
            client_id="card-2",
        )
        page = self.open_as(self.bob, space.get_absolute_url(), "feeds-cards", PHONE)
        cards = card(page, "Details:").locator(".link-card")
        expect(cards).to_have_count(2)
        expect(cards.first).to_contain_text("Alice Adams in Gardening")
        expect(cards.first).to_contain_text("The seed swap is on Friday")
        expect(cards.nth(1)).to_contain_text("Seeds, soil and swaps.")
        assert_no_horizontal_scroll(page)
        shoot(page, "link-cards-phone")
        cards.first.click()
        expect(page).to_have_url(re.compile(f"/posts/{target.pk}/$"))


class LiveCardsAndCountsTest(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space: Space = off_the_loop(
            services.create_space,
            self.alice,
            name="Gardening",
            description="Seeds, soil and swaps.",
        )
        off_the_loop(services.join_space, self.bob, space_id=self.space.pk)
        self.path = self.space.get_absolute_url()

    def test_a_live_post_gets_the_cards_its_viewer_may_see(self):
        secret = off_the_loop(
            services.create_space,
            self.alice,
            name="Acquisition Falcon",
            visibility="secret",
            description="Hush",
        )
        author = self.open_as(self.alice, self.path, "feeds-live-cards-author")
        member = self.open_as(self.bob, self.path, "feeds-live-cards-member")

        room = secret.get_absolute_url()
        author.get_by_label("Post in Gardening").fill(
            f"Plans: [our space]({self.path}) and [the room]({room})"
        )
        author.get_by_role("button", name="Post", exact=True).click()
        # The author may see both spaces: two cards on her own post.
        mine = card(author, "Plans:").locator(".link-card")
        expect(mine).to_have_count(2)
        expect(mine.nth(1)).to_contain_text("Acquisition Falcon")

        new = member.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        new.click()
        cards = card(member, "Plans:").locator(".link-card")
        expect(cards).to_have_count(1)
        expect(cards.first).to_contain_text("Gardening")
        expect(cards.first).to_contain_text("Seeds, soil and swaps.")
        expect(member.get_by_role("list", name="Linked pages")).to_be_visible()
        assert "Falcon" not in member.content()
        check_page(member, "feeds-live-cards")
        shoot(member, "live-link-cards")

        # An edit that drops the link drops its card, live.
        post = author.locator("[data-posts] > .post").first
        expect(post).to_contain_text("Plans:")
        post.locator("summary", has_text="More").click()
        post.get_by_role("button", name="Edit post").click()
        post.get_by_role("textbox", name="Edit your post").fill("Plans: none yet")
        post.get_by_role("button", name="Save").click()
        expect(card(member, "Plans: none yet")).to_be_visible(timeout=LIVE_MS)
        expect(card(member, "Plans:").locator(".link-card")).to_have_count(0)

    def test_view_all_comments_follows_comments_live(self):
        post, _ = off_the_loop(
            services.create_post,
            self.bob,
            space_id=self.space.pk,
            body="Seed swap on Friday",
            client_id="count-1",
        )
        for n in range(3):
            off_the_loop(
                services.add_comment, self.bob, post_id=post.pk, body=f"Note {n}"
            )
        reader = self.open_as(self.bob, self.path, "feeds-count-reader")
        writer = self.open_as(self.alice, self.path, "feeds-count-writer")
        view_all = card(reader, "Seed swap").locator("[data-all-comments]")
        expect(view_all).to_be_hidden()  # all three on screen

        box = card(writer, "Seed swap").get_by_role(
            "textbox", name=re.compile("Comment on")
        )
        box.fill("Count me in")
        box.press("Enter")
        expect(comment_item(writer, "Count me in")).to_be_visible()
        # Note 0 left the screen: the link to all four shows.
        expect(view_all).to_have_text("View all 4 comments", timeout=LIVE_MS)
        expect(view_all).to_be_visible()
        expect(comment_item(reader, "Note 0")).to_have_count(0)
        shoot(reader, "view-all-live")

        mine = comment_item(writer, "Count me in")
        mine.get_by_role("button", name="Delete your comment").click()
        writer.get_by_role("dialog", name="Delete this comment?").get_by_role(
            "button", name="Delete comment"
        ).click()
        expect(view_all).to_have_text("View all 3 comments", timeout=LIVE_MS)
        expect(view_all).to_be_visible()  # Note 0 is still off screen
        check_page(reader, "feeds-count-after-delete")
