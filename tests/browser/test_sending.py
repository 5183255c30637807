"""A person typing fast: the tab paces its sends by the server's limit.

The server's send limit (a burst of MESSAGE_SEND_BURST, then
MESSAGE_SEND_PER_MINUTE) stays as it is for scripts; these tests run with
its defaults.
"""

import re

from django.conf import settings
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message
from tests.browser.base import LIVE_MS, BrowserTestCase, check_page, off_the_loop

TYPED = 20


class FastTypistTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )

    def test_twenty_quick_messages_land_in_order_and_the_limit_never_shows(self):
        # More than the burst: the server refuses some, the tab waits.
        assert settings.MESSAGE_SEND_BURST < TYPED
        path = f"/messages/{self.direct.pk}/"
        bob = self.open_as(self.bob, path, "typist-bob")
        alice = self.open_as(self.alice, path, "typist-alice")
        box = alice.get_by_role("textbox", name=re.compile(r"^Message "))
        typed = [f"quick {n}" for n in range(1, TYPED + 1)]
        for text in typed:
            box.fill(text)
            box.press("Enter")
        check_page(alice, "typist-alice-queued")

        bob_bodies = bob.locator("[data-messages] > .msg .msg-body")
        # 10 at once, then one a second.
        expect(bob_bodies).to_have_text(typed, timeout=LIVE_MS + 15_000)
        alice_bodies = alice.locator("[data-messages] > .msg .msg-body")
        expect(alice.locator("[data-messages] > .msg.pending")).to_have_count(0)
        expect(alice_bodies).to_have_text(typed)
        # Never refused in the person's face: no error, no Retry.
        expect(alice.locator(".msg.failed")).to_have_count(0)
        expect(alice.get_by_role("button", name="Retry")).to_have_count(0)
        expect(alice.get_by_text("too fast")).to_have_count(0)
        assert (
            list(Message.objects.order_by("pk").values_list("body", flat=True)) == typed
        )
