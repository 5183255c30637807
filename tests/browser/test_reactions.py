"""Any emoji as a reaction: the vendored emoji-picker-element, its data
served from our static files, under the page's Content-Security-Policy."""

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Request, expect

from messaging import services
from messaging.models import Reaction
from tests.browser.base import PHONE, BrowserTestCase, check_page, off_the_loop

VENDOR = Path(settings.BASE_DIR) / "frontend/static/frontend/vendor"


class AnyEmojiTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        off_the_loop(
            services.send_message,
            self.alice,
            conversation_id=self.direct.pk,
            body="Lunch at noon?",
            client_id="lunch",
        )

    def test_searching_by_name_reacts_with_any_emoji_on_both_sides(self):
        path = f"/messages/{self.direct.pk}/"
        alice = self.open_as(self.alice, path, "any-emoji-alice")
        bob = self.new_page()
        asked: list[str] = []

        def note(request: Request) -> None:
            asked.append(request.url)

        bob.on("request", note)
        self.open_as(self.bob, path, "any-emoji-bob", page=bob)
        message = bob.locator("[data-messages] > .msg").first
        message.hover()
        message.get_by_role("button", name="React").click()
        picker = bob.get_by_role("dialog", name="Pick a reaction")
        search = picker.get_by_role("combobox")
        expect(search).to_be_visible()
        search.fill("taco")
        taco = picker.get_by_role("option", name=re.compile("taco", re.I)).first
        expect(taco).to_be_visible()
        check_page(bob, "any-emoji-search")
        taco.click()
        expect(picker).to_be_hidden()
        chip = alice.locator(".chip[data-emoji='🌮']")
        expect(chip).to_have_attribute("aria-label", "🌮 1 person")
        assert Reaction.objects.get().emoji == "🌮"
        # Nothing came from anywhere but this server.
        origin = self.live_server_url
        assert all(u.startswith((origin, "ws://", "data:")) for u in asked), asked
        assert any(u.endswith("/en/emojibase/data.json") for u in asked), asked

    def test_the_picker_fits_a_phone(self):
        path = f"/messages/{self.direct.pk}/"
        bob = self.open_as(self.bob, path, "any-emoji-phone", PHONE)
        message = bob.locator("[data-messages] > .msg").first
        message.click()
        message.get_by_role("button", name="React").click()
        picker = bob.get_by_role("dialog", name="Pick a reaction")
        expect(picker.get_by_role("combobox")).to_be_visible()
        box = picker.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
        check_page(bob, "any-emoji-phone-open")
        bob.keyboard.press("Escape")
        expect(picker).to_be_hidden()


def test_the_vendored_picker_is_pinned_and_licensed():
    """The version is in each folder's name (STYLE.md): the picker's and its
    data's, with their licences beside them."""
    picker = VENDOR / "emoji-picker-element-1.29.1"
    data = VENDOR / "emoji-picker-element-data-1.8.0"
    assert {p.name for p in picker.iterdir()} == {"picker.js", "database.js", "LICENSE"}
    assert (data / "LICENSE").is_file()
    assert (data / "en/emojibase/data.json").is_file()
    template = (
        Path(settings.BASE_DIR) / "messaging/templates/messaging/conversation.html"
    ).read_text()
    assert "frontend/vendor/emoji-picker-element-1.29.1/picker.js" in template
    assert "emoji-picker-element-data-1.8.0/en/emojibase/data.json" in template
