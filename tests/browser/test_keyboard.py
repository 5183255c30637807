"""The small things of a conversation: the tab's unread count, the phone's
menu, "(edited)" in line, the favicon, and the keyboard."""

import re

from playwright.sync_api import Page, expect

from messaging import services
from messaging.models import Message
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    check_page,
    off_the_loop,
)


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile(r"^Message "))


def send(page: Page, text: str) -> None:
    box = composer(page)
    box.fill(text)
    box.press("Enter")
    expect(page.locator("[data-messages] > .msg.pending")).to_have_count(0)


def focused_id(page: Page) -> str | None:
    return page.evaluate("() => document.activeElement?.dataset?.id ?? null")


class SmallThingsTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.path = f"/messages/{self.direct.pk}/"

    def test_the_tab_title_counts_unread_messages(self):
        bob = self.open_as(self.bob, "/messages/", "title-bob")
        expect(bob).to_have_title("Messages · Canteen")
        alice = self.open_as(self.alice, self.path, "title-alice")
        for n in range(3):
            send(alice, f"News {n}")
        expect(bob).to_have_title("(3) Messages · Canteen")
        bob.goto(self.path)
        expect(bob).to_have_title("Alice Adams · Canteen")

    def test_escape_closes_the_phone_menu(self):
        page = self.open_as(self.alice, "/messages/", "menu-phone", PHONE)
        toggle = page.get_by_role("button", name="Menu")
        toggle.click()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        check_page(page, "menu-phone-open")
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()

    def test_edited_stays_on_the_line_of_its_text_in_a_run(self):
        page = self.open_as(self.alice, self.path, "edited-alice")
        send(page, "First of a run")
        send(page, "Second, to be edited")
        second = Message.objects.get(body="Second, to be edited")
        off_the_loop(
            services.edit_message,
            self.alice,
            message_id=second.pk,
            body="Second, edited",
        )
        page.reload()
        message = page.locator(f'.msg[data-id="{second.pk}"]')
        expect(message).to_have_class(re.compile(r"\bcontinued\b"))
        edited = message.locator(".msg-edited")
        expect(edited).to_be_visible()
        body = message.locator(".msg-body p").last
        edited_box, body_box = edited.bounding_box(), body.bounding_box()
        assert edited_box and body_box
        # Same line: to the right of the text, their middles level.
        assert edited_box["x"] >= body_box["x"] + body_box["width"]
        middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
        assert abs(middle(edited_box) - middle(body_box)) < 6
        check_page(page, "edited-inline")
        page.set_viewport_size(PHONE)
        check_page(page, "edited-inline-phone")

    def test_favicon_is_served_where_no_page_names_it(self):
        page = self.new_page()
        for path in ("/healthz", "/admin/login/"):
            page.goto(path)
        response = page.request.get("/favicon.ico")
        assert response.ok, response.status
        assert response.headers["content-type"].startswith("image/svg+xml")

    def test_the_keyboard_moves_through_messages_and_edits_the_last(self):
        page = self.open_as(self.alice, self.path, "keys-alice")
        for text in ("one", "two", "three"):
            send(page, text)
        ids = [
            str(pk)
            for pk in Message.objects.order_by("pk").values_list("pk", flat=True)
        ]
        box = composer(page)
        expect(box).to_be_focused()

        # Shift+Tab from the composer reaches the messages (the newest).
        for _ in range(4):
            page.keyboard.press("Shift+Tab")
            if focused_id(page):
                break
        assert focused_id(page) == ids[-1]
        page.keyboard.press("ArrowUp")
        assert focused_id(page) == ids[-2]
        page.keyboard.press("Home")
        assert focused_id(page) == ids[0]
        page.keyboard.press("ArrowDown")
        assert focused_id(page) == ids[1]
        page.keyboard.press("End")
        assert focused_id(page) == ids[-1]
        page.keyboard.press("Escape")
        expect(box).to_be_focused()

        # ↑ in the empty composer edits my last message.
        page.keyboard.press("ArrowUp")
        editor = page.get_by_role("textbox", name="Edit message")
        expect(editor).to_be_focused()
        expect(editor).to_have_value("three")
        check_page(page, "keys-editing")
        editor.fill("three, fixed")
        editor.press("Enter")
        expect(page.locator(f'.msg[data-id="{ids[-1]}"] .msg-body')).to_have_text(
            "three, fixed"
        )
        expect(box).to_be_focused()

        # "?" lists the shortcuts, in a dialog Escape closes.
        page.locator(f'.msg[data-id="{ids[0]}"]').focus()
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("edit your last message")
        check_page(page, "shortcuts-dialog")
        page.set_viewport_size(PHONE)
        check_page(page, "shortcuts-dialog-phone")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        # Typed in a text box, "?" is just a character.
        box.focus()
        page.keyboard.press("?")
        expect(dialog).to_be_hidden()
        expect(box).to_have_value("?")
