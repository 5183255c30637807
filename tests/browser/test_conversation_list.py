"""The conversation list of the other person: a chat someone opened with
you shows up with its first message, not before."""

import re

from playwright.sync_api import expect

from messaging.models import Conversation
from tests.browser.base import BrowserTestCase, check_page


class EmptyConversationTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()

    def test_an_opened_chat_reaches_the_other_sidebar_with_its_first_message(self):
        bob = self.open_as(self.bob, "/messages/", "empty-bob-inbox")
        listed = bob.get_by_role("navigation", name="Conversations").locator(
            "[data-conversation-id]"
        )
        expect(listed).to_have_count(0)

        alice = self.open_as(self.alice, f"/people/{self.bob.pk}/", "empty-profile")
        alice.get_by_role("button", name=re.compile(r"^Message")).click()
        alice.wait_for_url(re.compile(r"/messages/\d+/$"))
        direct = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
        # alice's own list has it at once.
        expect(
            alice.get_by_role("navigation", name="Conversations").locator(
                f'[data-conversation-id="{direct.pk}"]'
            )
        ).to_have_count(1)
        # Nothing said yet: not in bob's list, live or after a reload.
        bob.wait_for_timeout(1_000)
        expect(listed).to_have_count(0)
        bob.reload()
        check_page(bob, "empty-bob-reloaded")
        expect(listed).to_have_count(0)
        bob.wait_for_function(
            "() => document.querySelector('[data-connection-status]')"
            ".dataset.state === 'live'"
        )

        box = alice.get_by_role("textbox", name=re.compile(r"^Message "))
        box.fill("Hello Bob")
        box.press("Enter")
        item = bob.locator(f'[data-conversation-id="{direct.pk}"]')
        expect(item).to_contain_text("Alice Adams")
        expect(item.locator(".badge")).to_have_text("unread: 1")
        check_page(bob, "empty-bob-first-message")
