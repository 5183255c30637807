"""A group's people dialog: who is in, and adding someone, live in every tab.

alice adds carol from the browser, so the service runs in the Daphne
process and its events reach bob's and carol's open pages.
"""

import re

from playwright.sync_api import Page, expect

from messaging import services
from messaging.models import Conversation
from messaging.views import PEOPLE_PAGE
from profiles.factories import UserFactory
from profiles.models import User
from tests.browser.base import (
    LIVE_MS,
    SCREENSHOTS,
    BrowserTestCase,
    ViewportSize,
    assert_accessible,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
    tab_to,
    visit,
)
from tests.browser.test_messaging import conversation_list

PHONE_390 = ViewportSize(width=390, height=844)


class PeopleDialogTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.group = off_the_loop(
            services.create_group, self.alice, title="Lunch", member_ids=[self.bob.pk]
        )

    def people_button(self, page: Page):
        return page.get_by_role("button", name=re.compile(r"people show the people$"))

    def test_alice_adds_carol_with_the_keyboard_and_every_tab_follows(self):
        path = f"/messages/{self.group.pk}/"
        alice = self.open_as(self.alice, path, "people-alice")
        expect_live(alice)
        bob = self.open_as(self.bob, path, "people-bob")
        expect_live(bob)
        carol = self.open_as(self.carol, "/messages/", "people-carol-inbox")
        expect(
            carol.locator("[data-connection-status]").filter(visible=True)
        ).to_have_text("Live", timeout=LIVE_MS)
        expect(conversation_list(carol)).not_to_contain_text("Lunch")
        # bob opens the dialog before carol is added: it must follow too.
        self.people_button(bob).click()
        bob_dialog = bob.get_by_role("dialog", name="Lunch")
        expect(bob_dialog).to_be_visible()

        button = self.people_button(alice)
        expect(button).to_have_accessible_name("2 people show the people")
        button.focus()
        alice.keyboard.press("Enter")
        dialog = alice.get_by_role("dialog", name="Lunch")
        expect(dialog).to_be_visible()
        # Focus moved in: to the first control, the close button.
        expect(dialog.get_by_role("button", name="Close people")).to_be_focused()
        members = dialog.get_by_role("list", name="2 people").get_by_role("listitem")
        expect(members).to_have_count(2)
        expect(members.first).to_contain_text("Alice Adams (you)")
        expect(members.first).to_contain_text("Software Engineer")
        expect(members.nth(1)).to_contain_text("Bob Brown")
        expect(members.nth(1).get_by_role("img", name="offline")).to_have_count(1)
        expect(members.nth(1)).to_contain_text("Engineering Manager")
        expect(
            members.nth(1).get_by_role("button", name="Message Bob Brown")
        ).to_be_visible()
        expect(members.first.get_by_role("button")).to_have_count(0)
        SCREENSHOTS.mkdir(exist_ok=True)
        alice.screenshot(path=SCREENSHOTS / "people-dialog.png")
        assert_accessible(alice, "people-dialog")

        # Escape closes, and focus goes back to the button.
        alice.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()

        # Keyboard only: open, find "car", Enter ticks Carol, then Add.
        alice.keyboard.press("Enter")
        find = dialog.get_by_role("searchbox", name="Find people")
        find.focus()
        alice.keyboard.type("car")
        picks = dialog.get_by_role("checkbox")
        expect(picks.filter(visible=True)).to_have_count(1)
        alice.keyboard.press("Enter")
        carol_pick = dialog.get_by_role("checkbox", name=re.compile("Carol Cruz"))
        expect(carol_pick).to_be_checked()
        add = dialog.get_by_role("button", name="Add people")
        tab_to(alice, add)
        alice.keyboard.press("Enter")
        expect(dialog.get_by_role("status")).to_have_text("Added Carol Cruz.")
        added = dialog.get_by_role("listitem").filter(has_text="Carol Cruz")
        expect(added).to_have_count(1)
        expect(dialog.get_by_text("Everyone is already here.")).to_be_visible()
        # Nobody is left to add, so the button goes, and focus with it to Close.
        expect(add).to_be_hidden()
        expect(dialog.get_by_role("button", name="Close people")).to_be_focused()
        alice.screenshot(path=SCREENSHOTS / "people-added.png")
        assert_accessible(alice, "people-added")
        assert {m.pk for m in Conversation.objects.get().members.all()} == {
            self.alice.pk,
            self.bob.pk,
            self.carol.pk,
        }

        # bob's tab: header count and names, and the open dialog's list.
        expect(self.people_button(bob)).to_have_accessible_name(
            "3 people show the people", timeout=LIVE_MS
        )
        expect(bob.locator("[data-member-names]")).to_contain_text("Carol Cruz")
        expect(bob_dialog.get_by_role("listitem")).to_have_count(3)
        newcomer = bob_dialog.get_by_role("listitem").last
        expect(newcomer).to_contain_text("Carol Cruz")
        expect(newcomer).to_contain_text("Support Specialist")
        # A presence dot; which one depends on whether bob's page has polled
        # since carol's tab opened.
        expect(
            newcomer.get_by_role("img", name=re.compile(r"^(online|away|offline)$"))
        ).to_have_count(1)
        expect(
            bob_dialog.get_by_role("button", name="Message Carol Cruz")
        ).to_be_visible()
        bob.screenshot(path=SCREENSHOTS / "people-bob-live.png")

        # carol's tab: the conversation appears in her sidebar.
        expect(conversation_list(carol)).to_contain_text("Lunch", timeout=LIVE_MS)
        check_page(carol, "people-carol-joined")

    def test_errors_show_in_the_dialog_and_a_direct_chat_has_no_dialog(self):
        direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        alice = self.open_as(self.alice, f"/messages/{direct.pk}/", "people-direct")
        expect(alice.get_by_role("dialog")).to_have_count(0)
        expect(alice.locator("#people-dialog")).to_have_count(0)

        visit(alice, f"/messages/{self.group.pk}/", "people-group")
        self.people_button(alice).click()
        dialog = alice.get_by_role("dialog", name="Lunch")
        dialog.get_by_role("button", name="Add people").click()
        expect(dialog.get_by_role("alert")).to_have_text("Choose someone to add.")
        # carol is deactivated after the page was drawn: the service says no.
        off_the_loop(User.objects.filter(pk=self.carol.pk).update, is_active=False)
        dialog.get_by_role("checkbox", name=re.compile("Carol Cruz")).check()
        dialog.get_by_role("button", name="Add people").click()
        expect(dialog.get_by_role("alert")).to_have_text(
            "Some of those people do not exist."
        )
        expect(dialog).to_be_visible()

    def test_the_dialog_fits_a_phone(self):
        path = f"/messages/{self.group.pk}/"
        phone = self.open_as(self.alice, path, "people-phone", PHONE_390)
        expect_live(phone)
        button = self.people_button(phone)
        expect(button).to_be_in_viewport()
        button.click()
        dialog = phone.get_by_role("dialog", name="Lunch")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
        dialog.get_by_role("searchbox", name="Find people").fill("carol")
        dialog.get_by_role("checkbox", name=re.compile("Carol Cruz")).check()
        add = dialog.get_by_role("button", name="Add people")
        add.scroll_into_view_if_needed()
        expect(add).to_be_in_viewport()
        assert_no_horizontal_scroll(phone)
        phone.screenshot(path=SCREENSHOTS / "people-phone-dialog.png")
        assert_accessible(phone, "people-phone-dialog")
        add.click()
        expect(dialog.get_by_role("status")).to_have_text("Added Carol Cruz.")
        expect(dialog.get_by_role("listitem")).to_have_count(3, timeout=LIVE_MS)
        phone.screenshot(path=SCREENSHOTS / "people-phone-added.png")

    def test_someone_past_the_first_page_is_found_by_the_server(self):
        # More people than the page lists: Zoe is not drawn, the search asks.
        off_the_loop(
            lambda: [
                UserFactory.create(first_name="Aaron", last_name=f"Extra{n}")
                for n in range(PEOPLE_PAGE + 5)
            ]
        )
        zoe = off_the_loop(
            UserFactory.create, first_name="Zoe", last_name="Zimmer", title="Buyer"
        )
        alice = self.open_as(self.alice, f"/messages/{self.group.pk}/", "people-many")
        expect_live(alice)
        self.people_button(alice).click()
        dialog = alice.get_by_role("dialog", name="Lunch")
        zoe_box = dialog.get_by_role("checkbox", name=re.compile("Zoe Zimmer"))
        expect(zoe_box).to_have_count(0)
        dialog.get_by_role("searchbox", name="Find people").fill("zimmer")
        expect(zoe_box).to_be_visible(timeout=LIVE_MS)
        # Members are never offered, even when the server finds them.
        dialog.get_by_role("searchbox", name="Find people").fill("brown")
        expect(
            dialog.get_by_role("checkbox", name=re.compile("Bob Brown"))
        ).to_have_count(0)
        dialog.get_by_role("searchbox", name="Find people").fill("zimmer")
        zoe_box.check()
        dialog.get_by_role("button", name="Add people").click()
        expect(dialog.get_by_role("status")).to_have_text("Added Zoe Zimmer.")
        # The box is cleared and the list is whole again, the server's
        # answer to "zimmer" notwithstanding.
        expect(dialog.get_by_role("searchbox", name="Find people")).to_have_value("")
        alice.wait_for_timeout(400)  # past the search's 200 ms pause
        expect(dialog.get_by_text("Nobody here matches that.")).to_be_hidden()
        expect(
            dialog.get_by_role("checkbox", name=re.compile("Aaron")).first
        ).to_be_visible()
        assert off_the_loop(self.group.memberships.filter(user=zoe).exists), (
            "zoe is a member"
        )
        check_page(alice, "people-found-by-server")
