"""Message search in a real browser: find a message, open it in context.

The box on every page is the one search (frontend/search.py); its messages
group links to the same permalinks as /messages/search/, still a page of
its own with the messages' filters.
"""

import re

from django.test import override_settings
from playwright.sync_api import Page, expect

from messaging import services
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
    visit,
)
from tests.browser.test_messaging import (
    conversation_path,
    messages,
    say,
)

BOX = "Search people, spaces, posts and messages"


def hits(page: Page):
    return page.locator(".hits > .hit")


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class SearchTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.support = off_the_loop(
            services.create_group, self.bob, title="Support", member_ids=[self.carol.pk]
        )

    def test_search_from_the_keyboard_and_land_on_the_highlighted_message(self):
        target = say(
            self.bob, self.direct, "The **rollout** plan <b>is</b> in the wiki"
        )
        # Enough later messages that the hit is not simply the newest one.
        for n in range(60):
            say(self.alice, self.direct, f"filler {n}")
        say(self.carol, self.support, "Rollout of the support portal")

        page = self.open_as(self.alice, "/", "home-search-box")
        # "/" jumps to the search box in the sidebar.
        page.locator("body").press("/")
        box = page.get_by_role("searchbox", name=BOX)
        expect(box).to_be_focused()
        page.keyboard.type("rollouts")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search/\?q=rollouts"))
        check_page(page, "search-results")

        # Only alice's conversations: carol's support group stays hidden.
        expect(hits(page)).to_have_count(1)
        hit = hits(page).first
        expect(hit).to_contain_text("Bob Brown")
        expect(hit).to_contain_text("Direct message with Bob Brown")
        expect(hit.locator("mark")).to_have_text(["rollout"])
        # The message's text, escaped: the <b> is text, not bold.
        expect(hit.locator(".hit-snippet")).to_have_text(
            "The rollout plan <b>is</b> in the wiki"
        )
        expect(hit.locator("b")).to_have_count(0)

        hit.get_by_role("link").click()
        page.wait_for_url(f"**{conversation_path(self.direct)}m/{target.pk}/")
        expect_live(page)
        highlighted = messages(page).filter(has_text="The rollout plan")
        expect(highlighted).to_have_class(re.compile(r"\bhighlight\b"))
        expect(highlighted).to_be_focused()
        expect(highlighted).to_be_in_viewport()
        check_page(page, "search-permalink")

    def test_no_hits_says_what_to_try_and_filters_can_be_cleared(self):
        say(self.bob, self.direct, "Quarterly report draft")
        page = self.open_as(self.alice, "/messages/search/", "search-empty")
        expect(page.get_by_role("heading", name="Find a message")).to_be_visible()

        form = page.get_by_role("search", name="Search messages with filters")
        form.get_by_label("Search for").fill("quarterly")
        expect(form.get_by_label("Sort by")).to_have_value("relevance")
        form.get_by_label("In", exact=True).select_option(label="Bob Brown")
        form.get_by_label("Before").fill("2000-01-01")
        form.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"before=2000-01-01"))
        check_page(page, "search-no-hits")
        expect(
            page.get_by_role("heading", name="No messages match “quarterly”")
        ).to_be_visible()
        page.get_by_role("link", name="Search all your conversations").click()
        # The sort chosen stays.
        page.wait_for_url(re.compile(r"/messages/search/\?q=quarterly&sort=relevance$"))
        expect(hits(page)).to_have_count(1)

        # The "/" shortcut can be switched off (WCAG 2.1.4), per browser.
        visit(page, "/messages/search/", "search-shortcut-setting")
        page.get_by_label("Use the / shortcut").uncheck()
        visit(page, "/", "home-shortcut-off")
        page.locator("body").press("/")
        expect(page.get_by_role("searchbox", name=BOX)).not_to_be_focused()

    def test_search_works_on_a_phone(self):
        for n in range(3):
            say(
                self.bob,
                self.direct,
                f"Invoice {n} for the very-long-supplier-name-{n}",
            )
        page = self.open_as(
            self.alice, "/", "home-phone-search", PHONE, has_touch=True, is_mobile=True
        )
        page.get_by_role("link", name="Search", exact=True).tap()
        page.wait_for_url("**/search/")
        check_page(page, "search-phone-empty")
        box = page.get_by_role("searchbox", name="Search for")
        box.fill("invoice")
        box.press("Enter")
        page.wait_for_url(re.compile(r"q=invoice"))
        expect(hits(page)).to_have_count(3)
        assert_no_horizontal_scroll(page)
        check_page(page, "search-phone-results")
        first = hits(page).first.get_by_role("link")
        size = first.bounding_box()
        assert size and size["height"] >= 44, size
