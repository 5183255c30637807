"""Attachments between two real browsers: alice attaches, bob sees it live.

Files go through the page's own controls (the file chooser the paperclip
opens, paste, drop), and up to the server like any upload.
"""

import re
from typing import Any

from django.test import override_settings
from playwright.sync_api import FilePayload, Locator, Page, ViewportSize, expect

from messaging import services
from tests.browser.base import (
    DESKTOP,
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
)
from tests.browser.test_messaging import (
    composer,
    conversation_path,
    messages,
    say,
    show_actions,
)
from tests.messaging.files import HTML, image_bytes, pdf_bytes


def png(name: str, size: tuple[int, int] = (1200, 800)) -> FilePayload:
    return {"name": name, "mimeType": "image/png", "buffer": image_bytes("PNG", size)}


def pending_files(page: Page):
    return page.get_by_role("list", name="Files to send").get_by_role("listitem")


def thread_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Thread")


def attach(page: Page, *files: FilePayload) -> None:
    """Pick `files` through the paperclip button's file chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    chooser.value.set_files(list(files))


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class AttachmentTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.path = conversation_path(self.direct)

    def new_page(self, viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        page = super().new_page(viewport, **options)
        # Playwright turns on file chooser interception when a listener is
        # added, without waiting for it: listen from the start, so that a
        # chooser a quick key press opens is never missed.
        page.on("filechooser", lambda chooser: None)
        return page

    def test_an_attached_image_shows_live_as_a_thumbnail_for_the_other_person(self):
        alice = self.open_as(self.alice, self.path, "attach-alice")
        bob = self.open_as(self.bob, self.path, "attach-bob")

        attach(
            alice,
            png("harbour.png"),
            {
                "name": "minutes.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(),
            },
        )
        chips = pending_files(alice)
        expect(chips).to_have_count(2)
        expect(chips.first).to_have_attribute("data-state", "done")
        expect(chips.last).to_have_attribute("data-state", "done")
        expect(chips.first).to_contain_text("harbour.png")
        expect(chips.last).to_contain_text(re.compile(r"minutes\.pdf.*bytes"))
        expect(
            alice.get_by_role("status").filter(has_text="ready to send")
        ).to_have_count(1)
        check_page(alice, "attach-alice-pending")

        box = composer(alice)
        box.fill("Photos from the harbour")
        box.press("Enter")
        expect(chips).to_have_count(0)
        expect(box).to_be_focused()

        # bob sees it arrive: a thumbnail of the right shape, and a card.
        received = messages(bob).filter(has_text="Photos from the harbour")
        expect(received).to_have_count(1, timeout=LIVE_MS)
        image = received.get_by_role("img", name="harbour.png")
        expect(image).to_have_attribute("width", "320")
        expect(image).to_have_attribute("height", "213")
        bob.wait_for_function(
            "img => img.complete && img.naturalWidth === 400",
            arg=image.element_handle(),
        )
        expect(received.locator(".attachments a").first).to_have_class(
            "attachment-image"
        )
        card = received.get_by_role("link", name=re.compile(r"^minutes\.pdf"))
        expect(card).to_contain_text("PDF")
        expect(card).to_have_attribute("download", "minutes.pdf")
        check_page(bob, "attach-bob-received")

        # alice's own copy is the stored message, with the same files.
        sent = messages(alice).filter(has_text="Photos from the harbour")
        expect(sent).not_to_have_class(re.compile(r"\bpending\b"))
        expect(sent.get_by_role("img", name="harbour.png")).to_be_visible()
        check_page(alice, "attach-alice-sent")

        # The thumbnail opens the full image, served inline as an image.
        link = received.get_by_role("link", name=re.compile(r"^harbour\.png"))
        with bob.context.expect_page() as opened:
            link.click()
        full = opened.value
        full.wait_for_load_state()
        response = full.request.get(full.url)
        assert response.headers["content-type"] == "image/png"
        assert "sandbox" in response.headers["content-security-policy"]
        full.close()

        # After a reload the page draws the same thing from the server.
        bob.reload()
        expect_live(bob)
        reloaded = messages(bob).filter(has_text="Photos from the harbour")
        expect(reloaded.get_by_role("img", name="harbour.png")).to_have_attribute(
            "height", "213"
        )
        # In the order alice attached them, whichever upload finished first.
        expect(reloaded.locator(".attachments a").first).to_have_class(
            "attachment-image"
        )

    def test_keyboard_paste_drop_remove_and_refused_files(self):
        alice = self.open_as(self.alice, self.path, "attach-keyboard")
        box = composer(alice)
        box.focus()
        # The paperclip is one Shift+Tab from the message box.
        alice.keyboard.press("Shift+Tab")
        button = alice.get_by_role("button", name="Attach files")
        expect(button).to_be_focused()
        with alice.expect_file_chooser() as chooser:
            alice.keyboard.press("Enter")
        disguised: FilePayload = {
            "name": "cat.png",
            "mimeType": "image/png",
            "buffer": HTML,
        }
        chooser.value.set_files([disguised])
        chip = pending_files(alice).first
        expect(chip).to_have_attribute("data-state", "failed")
        expect(chip).to_contain_text("Canteen cannot take this file")
        # Sending is held until the bad file is gone.
        box.fill("Here it is")
        box.press("Enter")
        expect(alice.locator("[data-composer] [data-composer-error]")).to_have_text(
            "Remove the files that could not be attached, then send."
        )
        expect(box).to_have_value("Here it is")
        check_page(alice, "attach-refused")
        alice.get_by_role("button", name="Remove cat.png").click()
        expect(pending_files(alice)).to_have_count(0)
        expect(box).to_be_focused()

        # Pasting an image, and dropping a file, both attach.
        alice.evaluate(
            """() => {
              const data = new DataTransfer();
              data.items.add(
                new File(["not really"], "notes.txt", {type: "text/plain"}));
              document.querySelector("#composer-body").dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
            }"""
        )
        drop = alice.evaluate_handle(
            """() => {
              const data = new DataTransfer();
              data.items.add(
                new File(["a,b\\n1,2\\n"], "table.csv", {type: "text/csv"}));
              return data;
            }"""
        )
        alice.dispatch_event(".chat", "dragenter", {"dataTransfer": drop})
        expect(alice.locator("[data-composer]")).to_have_class(re.compile("dragging"))
        alice.dispatch_event(".chat", "drop", {"dataTransfer": drop})
        expect(alice.locator("[data-composer]")).not_to_have_class(
            re.compile("dragging")
        )
        chips = pending_files(alice)
        expect(chips).to_have_count(2)
        for n in range(2):
            expect(chips.nth(n)).to_have_attribute("data-state", "done")
        box.fill("")
        box.press("Enter")  # files alone make a message
        sent = messages(alice).last
        expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"))
        expect(sent.get_by_role("link", name=re.compile("^notes.txt"))).to_be_visible()
        expect(sent.get_by_role("link", name=re.compile("^table.csv"))).to_be_visible()

    def test_attachments_on_a_phone(self):
        alice = self.open_as(self.alice, self.path, "attach-phone-alice")
        bob = self.open_as(
            self.bob,
            self.path,
            "attach-phone-bob",
            PHONE,
            has_touch=True,
            is_mobile=True,
        )
        attach(
            alice,
            png("tall.png", (600, 1400)),
            {
                "name": "a-rather-long-quarterly-planning-report-name.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(),
            },
        )
        expect(pending_files(alice).last).to_have_attribute("data-state", "done")
        expect(pending_files(alice).first).to_have_attribute("data-state", "done")
        composer(alice).press("Enter")
        received = messages(bob).last
        image = received.get_by_role("img", name="tall.png")
        expect(image).to_be_visible(timeout=LIVE_MS)
        bob.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert_no_horizontal_scroll(bob)
        # A pending file on the phone too.
        attach(bob, png("reply.png"))
        expect(pending_files(bob)).to_have_count(1)
        expect(pending_files(bob).first).to_have_attribute("data-state", "done")
        assert_no_horizontal_scroll(bob)
        check_page(bob, "attach-phone-bob-received")

    def test_a_thread_reply_with_an_image_shows_live_in_both_open_threads(self):
        say(self.bob, self.direct, "Which photo for the poster?")
        alice = self.open_as(self.alice, self.path, "thread-attach-alice")
        bob = self.open_as(
            self.bob,
            self.path,
            "thread-attach-bob",
            ViewportSize(width=390, height=844),
            has_touch=True,
            is_mobile=True,
        )
        question = messages(bob).first
        question.locator(".msg-body").tap()
        question.get_by_role("button", name="Reply in thread").tap()
        bob_panel = thread_panel(bob)
        expect(bob_panel.locator(".thread-root")).to_be_visible()
        show_actions(messages(alice).first).get_by_role(
            "button", name="Reply in thread"
        ).click()
        panel = thread_panel(alice)
        box = panel.get_by_role("textbox", name="Reply in thread")
        expect(box).to_be_focused()
        # The panel's paperclip is one Shift+Tab from its reply box.
        alice.keyboard.press("Shift+Tab")
        expect(
            panel.get_by_role("button", name="Attach files to the reply")
        ).to_be_focused()

        panel.locator("[data-attach-input]").set_input_files([png("poster.png")])
        # Files dropped anywhere on the panel attach to the reply.
        drop = alice.evaluate_handle(
            """() => {
              const data = new DataTransfer();
              data.items.add(
                new File(["draft text"], "notes.txt", {type: "text/plain"}));
              data.items.add(new File(
                ["<!DOCTYPE html><html></html>"], "cat.png", {type: "image/png"}));
              return data;
            }"""
        )
        alice.dispatch_event("[data-thread-panel]", "drop", {"dataTransfer": drop})
        chips = pending_files(alice)
        expect(chips).to_have_count(3)
        expect(chips.nth(0)).to_have_attribute("data-state", "done")
        expect(chips.nth(1)).to_have_attribute("data-state", "done")
        expect(chips.nth(2)).to_have_attribute("data-state", "failed")
        expect(chips.nth(2)).to_contain_text("Canteen cannot take this file")
        # The refusal is said in the panel, where the person is.
        box.fill("Poster candidates")
        box.press("Enter")
        expect(panel.get_by_role("alert")).to_have_text(
            "Remove the files that could not be attached, then send."
        )
        expect(alice.locator("[data-composer] [data-composer-error]")).to_be_hidden()
        check_page(alice, "thread-attach-alice-pending")

        # The chips before the paperclip: remove two with the keyboard alone.
        box.focus()
        alice.keyboard.press("Shift+Tab")
        alice.keyboard.press("Shift+Tab")
        expect(panel.get_by_role("button", name="Remove cat.png")).to_be_focused()
        alice.keyboard.press("Enter")
        expect(panel.get_by_role("button", name="Remove notes.txt")).to_be_focused()
        alice.keyboard.press("Enter")
        expect(chips).to_have_count(1)
        expect(panel.get_by_role("button", name="Remove poster.png")).to_be_focused()
        expect(panel.get_by_role("status")).to_have_text("notes.txt removed.")

        box.press("Enter")
        expect(chips).to_have_count(0)
        expect(box).to_be_focused()
        expect(panel.get_by_role("alert")).to_be_hidden()
        reply = panel.locator(".msg:not(.thread-root)")
        expect(reply).to_have_count(1)
        expect(reply).not_to_have_class(re.compile(r"\bpending\b"))
        expect(reply.get_by_role("img", name="poster.png")).to_have_attribute(
            "width", "320"
        )
        expect(reply.get_by_role("link", name=re.compile("^notes"))).to_have_count(0)
        # Replies stay in the thread.
        expect(messages(alice)).to_have_count(1)
        check_page(alice, "thread-attach-alice-sent")

        # bob, on a phone with the thread open, sees it arrive.
        received = bob_panel.locator(".msg:not(.thread-root)")
        expect(received).to_contain_text("Poster candidates", timeout=LIVE_MS)
        image = received.get_by_role("img", name="poster.png")
        expect(image).to_have_attribute("height", "213")
        bob.wait_for_function(
            "img => img.complete && img.naturalWidth === 400",
            arg=image.element_handle(),
        )
        assert_no_horizontal_scroll(bob)
        check_page(bob, "thread-attach-phone-received")
        # And can attach from the panel on the phone too.
        notes: FilePayload = {
            "name": "a-long-name-for-meeting-notes.txt",
            "mimeType": "text/plain",
            "buffer": b"notes",
        }
        bob_panel.locator("[data-attach-input]").set_input_files(
            [png("reply.png"), notes]
        )
        for n in range(2):
            expect(pending_files(bob).nth(n)).to_have_attribute("data-state", "done")
        expect(
            bob_panel.get_by_role("button", name="Attach files to the reply")
        ).to_be_in_viewport()
        assert_no_horizontal_scroll(bob)
        check_page(bob, "thread-attach-phone-pending")
