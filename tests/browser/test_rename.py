"""A group's new name, live in every member's tabs.

A rename made in the test process reaches a page only by the catch-up
after a reconnect (see tests/browser/test_messaging.py).
"""

import re

from playwright.sync_api import Locator, Page, expect

from messaging import services
from profiles.models import User
from tests.browser.base import (
    DESKTOP,
    BrowserTestCase,
    ViewportSize,
    check_page,
    off_the_loop,
    visit,
)
from tests.browser.test_messaging import (
    LIVE_MS,
    Network,
    connection_status,
    conversation_list,
    expect_live,
)


class RenameTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.group = off_the_loop(
            services.create_group, self.alice, title="Lunch", member_ids=[self.bob.pk]
        )
        self.path = f"/messages/{self.group.pk}/"

    def open_as(
        self,
        user: User,
        path: str,
        name: str,
        viewport: ViewportSize = DESKTOP,
        page: Page | None = None,
    ) -> Page:
        """Open `path` as `user`, in a new browser context unless `page`
        (a tab of an existing one) is given; fail on any JavaScript error."""
        if page is None:
            page = self.new_page(viewport)
            self.sign_in_as(page, user)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        self.addCleanup(lambda: self.assertEqual(errors, [], page.url))
        visit(page, path, name)
        expect(connection_status(page)).to_have_text("Live", timeout=LIVE_MS)
        return page

    def second_tab(self, page: Page, path: str, name: str) -> Page:
        return self.open_as(
            self.bob, path, name, page=page.context.new_page()
        )  # same person, same cookies

    def open_dialog(self, page: Page, title: str) -> Locator:
        page.get_by_role("button", name=re.compile(r"people show the people$")).click()
        expect(page.get_by_role("dialog", name=title)).to_be_visible()
        # Whatever it is called later: a rename renames the dialog too.
        return page.get_by_role("dialog")

    def expect_named(self, page: Page, title: str) -> None:
        """The conversation page shows `title` in all the places it names it."""
        expect(page.get_by_role("heading", level=1)).to_have_text(
            title, timeout=LIVE_MS
        )
        expect(page).to_have_title(f"{title} · Canteen")
        expect(page.get_by_role("textbox", name=f"Message {title}")).to_be_visible()

    def test_a_group_without_a_name_is_retitled_when_its_people_change(self):
        group = off_the_loop(
            services.create_group, self.alice, title="", member_ids=[self.bob.pk]
        )
        path = f"/messages/{group.pk}/"
        alice = self.open_as(self.alice, path, "unnamed-alice")
        expect_live(alice)
        bob = self.open_as(self.bob, path, "unnamed-bob")
        expect_live(bob)
        self.expect_named(bob, "Alice Adams")
        dialog = self.open_dialog(alice, "Bob Brown")
        dialog.get_by_role("checkbox", name=re.compile("Carol Cruz")).check()
        dialog.get_by_role("button", name="Add people").click()
        # Each sees the others: no one is named to themselves.
        expect(dialog.get_by_role("heading", level=2)).to_have_text(
            "Bob Brown, Carol Cruz", timeout=LIVE_MS
        )
        self.expect_named(alice, "Bob Brown, Carol Cruz")
        self.expect_named(bob, "Alice Adams, Carol Cruz")
        expect(conversation_list(bob)).to_contain_text("# Alice Adams, Carol Cruz")
        check_page(bob, "unnamed-bob-retitled")

    def test_a_tab_that_was_offline_catches_up_on_the_new_name(self):
        bob = self.new_page()
        network = Network(bob)
        self.sign_in_as(bob, self.bob)
        self.open_as(self.bob, self.path, "rename-offline-bob", page=bob)
        expect_live(bob)
        network.go_offline()
        expect(connection_status(bob)).to_have_text("Reconnecting…")
        # The test process's rename reaches bob's page only through sync.
        off_the_loop(
            services.rename_conversation,
            self.alice,
            conversation_id=self.group.pk,
            name="Missed it",
        )
        network.go_online()
        expect_live(bob)
        self.expect_named(bob, "Missed it")
        expect(conversation_list(bob)).to_contain_text("Missed it")
        self.open_dialog(bob, "Missed it")
        check_page(bob, "rename-offline-bob-caught-up")
