"""Renaming a group from its people dialog, live in every member's tabs.

alice renames from her browser, so the service runs in the Daphne process
and its conversation.updated reaches bob's open pages as it would in
production. A rename made in the test process reaches a page only by the
catch-up after a reconnect (see tests/browser/test_messaging.py).
"""

import re

from playwright.sync_api import Locator, Page, expect

from messaging import services
from messaging.models import Conversation
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    connection_status,
    expect_live,
    off_the_loop,
    tab_to,
)
from tests.browser.test_messaging import Network, conversation_list


class RenameTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.group = off_the_loop(
            services.create_group, self.alice, title="Lunch", member_ids=[self.bob.pk]
        )
        self.path = f"/messages/{self.group.pk}/"

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

    def test_alice_renames_with_the_keyboard_and_bobs_tabs_follow(self):
        alice = self.open_as(self.alice, self.path, "rename-alice")
        expect_live(alice)
        bob = self.open_as(self.bob, self.path, "rename-bob")
        expect_live(bob)
        bob_inbox = self.second_tab(bob, "/messages/", "rename-bob-inbox")

        dialog = self.open_dialog(alice, "Lunch")
        rename = dialog.get_by_role("button", name="Rename the group")
        expect(rename).to_have_attribute("aria-expanded", "false")
        field = dialog.get_by_role("textbox", name="Group name")
        expect(field).to_be_hidden()
        # Focus starts on Close, as before; Shift+Tab reaches Rename.
        expect(dialog.get_by_role("button", name="Close people")).to_be_focused()
        alice.keyboard.press("Shift+Tab")
        expect(rename).to_be_focused()
        alice.keyboard.press("Enter")
        expect(rename).to_have_attribute("aria-expanded", "true")
        expect(field).to_be_focused()
        expect(field).to_have_value("Lunch")
        expect(field).to_have_accessible_description(
            re.compile("Everyone in the group")
        )
        check_page(alice, "rename-form-open")

        # Escape folds the form away and leaves the dialog open.
        alice.keyboard.type("Never mind")
        alice.keyboard.press("Escape")
        expect(field).to_be_hidden()
        expect(dialog).to_be_visible()
        expect(rename).to_be_focused()
        # So does Cancel; the next open starts from the name again.
        alice.keyboard.press("Enter")
        expect(field).to_have_value("Lunch")
        alice.keyboard.type("Never mind either")
        cancel = dialog.get_by_role("button", name="Cancel")
        tab_to(alice, cancel)
        alice.keyboard.press("Enter")
        expect(field).to_be_hidden()
        expect(rename).to_be_focused()
        group = off_the_loop(Conversation.objects.get, pk=self.group.pk)
        assert group.title == "Lunch"

        # Enter saves (the name was selected, so typing replaces it).
        alice.keyboard.press("Enter")
        alice.keyboard.type("Friday lunch")
        alice.keyboard.press("Enter")
        expect(dialog.get_by_role("status").filter(has_text="Renamed")).to_have_text(
            "Renamed to “Friday lunch”."
        )
        expect(field).to_be_hidden()
        expect(rename).to_be_focused()
        expect(dialog.get_by_role("heading", level=2)).to_have_text("Friday lunch")
        self.expect_named(alice, "Friday lunch")
        check_page(alice, "rename-saved")
        group = off_the_loop(Conversation.objects.get, pk=self.group.pk)
        assert group.title == "Friday lunch"

        # bob's conversation tab: header, tab title, composer, sidebar row.
        self.expect_named(bob, "Friday lunch")
        expect(conversation_list(bob)).to_contain_text("# Friday lunch")
        bob_dialog = self.open_dialog(bob, "Friday lunch")
        bob_dialog.get_by_role("button", name="Rename the group").click()
        expect(bob_dialog.get_by_role("textbox", name="Group name")).to_have_value(
            "Friday lunch"
        )
        check_page(bob, "rename-bob-live")
        # bob's other tab, the inbox: its list.
        expect(conversation_list(bob_inbox)).to_contain_text("# Friday lunch")
        check_page(bob_inbox, "rename-bob-inbox-live")

    def test_errors_show_in_the_form_and_an_empty_name_names_it_after_people(self):
        alice = self.open_as(self.alice, self.path, "rename-errors-alice")
        bob = self.open_as(self.bob, self.path, "rename-errors-bob")
        expect_live(alice)
        dialog = self.open_dialog(alice, "Lunch")
        dialog.get_by_role("button", name="Rename the group").click()
        field = dialog.get_by_role("textbox", name="Group name")
        # No network: the form stays open and says so.
        field.fill("Offline lunch")
        alice.context.set_offline(True)
        dialog.get_by_role("button", name="Save").click()
        expect(dialog.get_by_role("alert").filter(has_text="connection")).to_have_text(
            "Could not rename the group: check your connection and try again."
        )
        alice.context.set_offline(False)
        # maxlength stops typing at 100; the server's answer to more (from a
        # script, say) shows in the same place.
        field.evaluate("(input, name) => { input.value = name; }", "x" * 101)
        dialog.get_by_role("button", name="Save").click()
        error = dialog.get_by_role("alert").filter(has_text="at most")
        expect(error).to_have_text(
            "A name can be at most 100 characters (this one has 101)."
        )
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile("^A name can be"))
        expect(field).to_be_focused()
        check_page(alice, "rename-error")

        # Empty: the group goes by its people, for each of them.
        field.fill("")
        alice.keyboard.press("Enter")
        expect(dialog.get_by_role("status").filter(has_text="no name")).to_be_visible()
        expect(dialog.get_by_role("heading", level=2)).to_have_text("Bob Brown")
        self.expect_named(alice, "Bob Brown")
        self.expect_named(bob, "Alice Adams")
        expect(conversation_list(bob)).to_contain_text("# Alice Adams")
        # Opened again, the field is empty and the error gone.
        dialog.get_by_role("button", name="Rename the group").click()
        expect(field).to_have_value("")
        expect(field).not_to_have_attribute("aria-invalid", "true")
        expect(error).to_be_hidden()

    def test_renaming_fits_a_phone_and_bob_sees_it_live(self):
        alice = self.open_as(self.alice, self.path, "rename-phone-alice", PHONE)
        expect_live(alice)
        bob = self.open_as(self.bob, self.path, "rename-phone-bob", PHONE)
        expect_live(bob)
        bob_inbox = self.second_tab(bob, "/messages/", "rename-phone-bob-inbox")
        dialog = self.open_dialog(alice, "Lunch")
        dialog.get_by_role("button", name="Rename the group").click()
        field = dialog.get_by_role("textbox", name="Group name")
        field.fill("A name long enough to wrap on a phone, twice over")
        for control in (
            field,
            dialog.get_by_role("button", name="Save"),
            dialog.get_by_role("button", name="Cancel"),
        ):
            expect(control).to_be_in_viewport()
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert_no_horizontal_scroll(alice)
        check_page(alice, "rename-phone-form")
        field.press("Enter")
        title = "A name long enough to wrap on a phone, twice over"
        expect(dialog.get_by_role("heading", level=2)).to_have_text(title)
        check_page(alice, "rename-phone-saved")

        self.expect_named(bob, title)
        assert_no_horizontal_scroll(bob)
        check_page(bob, "rename-phone-bob-live")
        expect(conversation_list(bob_inbox)).to_contain_text(title)
        assert_no_horizontal_scroll(bob_inbox)
        check_page(bob_inbox, "rename-phone-bob-inbox-live")

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
        self.open_as(self.bob, self.path, "rename-offline-bob", page=bob)
        expect_live(bob)
        network.go_offline()
        expect(connection_status(bob)).to_have_text("Offline")
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
