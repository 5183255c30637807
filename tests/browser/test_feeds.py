"""Spaces and their feeds in two real browsers: a leader and a member.

The leader's post is sent from the page, so the Daphne process publishes
it (its channel layer is its own); everything the test expects to arrive
live starts in a browser.
"""

import re
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

from feeds import services
from feeds.models import Space
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
)

# Screenshots to look at by eye (tests/browser/screenshots has the checked ones).
SHOTS = Path(tempfile.gettempdir()) / "feeds-shots"


def post_card(page: Page, text: str):
    return page.locator("[data-posts] > .post", has_text=text)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


class FeedsTest(BrowserTestCase):
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

    def test_a_post_comes_live_and_the_leader_sees_the_comment_and_reach(self):
        leader = self.open_as(self.alice, self.path, "feeds-space-leader")
        member = self.open_as(self.bob, self.path, "feeds-space-member")

        leader.get_by_label("Post in Gardening").fill("Seed swap on **Friday**")
        leader.get_by_role("button", name="Post", exact=True).click()
        expect(post_card(leader, "Seed swap on Friday")).to_be_visible()
        expect_live(leader)

        new = member.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        expect(post_card(member, "Seed swap")).to_have_count(0)
        new.click()
        card = post_card(member, "Seed swap on Friday")
        expect(card).to_be_visible()
        expect(card.locator("strong", has_text="Friday")).to_be_visible()
        expect(new).to_be_hidden()

        card.locator("summary", has_text="Add reaction").click()
        card.get_by_role("button", name="🎉").click()
        card = post_card(member, "Seed swap on Friday")
        expect(card.locator(".chip[aria-pressed=true]", has_text="🎉")).to_be_visible()
        expect_live(member)

        reach = post_card(leader, "Seed swap").locator("[data-reach]")
        expect(reach).to_contain_text("1 reaction", timeout=LIVE_MS)
        expect(reach).to_contain_text("Seen by 1 of 2", timeout=LIVE_MS)

        box = card.get_by_role("textbox", name=re.compile("Comment on"))
        box.fill("Count me in")
        box.press("Enter")
        expect(
            post_card(member, "Seed swap").locator(".comment", has_text="Count me in")
        ).to_be_visible()

        expect(
            post_card(leader, "Seed swap").locator(".comment", has_text="Count me in")
        ).to_be_visible(timeout=LIVE_MS)
        expect(reach).to_contain_text("1 comment", timeout=LIVE_MS)
        check_page(leader, "feeds-space-after")
        shoot(leader, "space-desktop")

        member.goto("/")
        check_page(member, "feeds-home")
        expect(post_card(member, "Seed swap on Friday")).to_be_visible()
        shoot(member, "home-desktop")

    def test_the_feed_pages_fit_a_phone(self):
        post, _ = off_the_loop(
            services.create_post,
            self.alice,
            space_id=self.space.pk,
            body="A long post about compost: " + "greens and browns " * 20,
            client_id="phone-1",
        )
        page = self.open_as(self.bob, self.path, "feeds-space-phone", PHONE)
        assert_no_horizontal_scroll(page)
        shoot(page, "space-phone")
        page.goto("/")
        check_page(page, "feeds-home-phone")
        assert_no_horizontal_scroll(page)
        shoot(page, "home-phone")
        page.goto("/spaces/")
        check_page(page, "feeds-spaces-phone")
        assert_no_horizontal_scroll(page)
        shoot(page, "spaces-phone")
        page.goto(post.get_absolute_url())
        check_page(page, "feeds-post-phone")
        page.get_by_text("Add reaction").click()
        expect(page.get_by_label("Any emoji")).to_be_visible()
        assert_no_horizontal_scroll(page)
        shoot(page, "post-phone")

    def test_a_closed_space_shows_outsiders_its_door(self):
        club = off_the_loop(
            services.create_space, self.alice, name="Book club", visibility="closed"
        )
        page = self.open_as(self.carol, club.get_absolute_url(), "feeds-closed")
        page.get_by_label("A note for the leaders (optional)").fill("I read a lot")
        page.get_by_role("button", name="Ask to join").click()
        expect(page.get_by_text("You asked to join.")).to_be_visible()
        check_page(page, "feeds-closed-asked")
        shoot(page, "closed-desktop")
