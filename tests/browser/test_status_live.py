"""A custom status appears and goes away live, in two real browsers: bob
has alice's profile and his people list open while she sets, then clears,
her status from her own page."""

from playwright.sync_api import expect

from messaging import services
from tests.browser.base import LIVE_MS, BrowserTestCase, check_page, off_the_loop


class LiveStatusTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        # They share a conversation: her status goes where she is.
        off_the_loop(services.get_or_create_direct, self.alice, other_id=self.bob.pk)

    def test_bob_sees_alices_status_appear_and_go_without_a_reload(self):
        bob = self.open_as(self.bob, f"/people/{self.alice.pk}/", "status-live-bob")
        people = bob.context.new_page()
        self.open_as(self.bob, "/people/", "status-live-directory", page=people)
        profile = bob.locator(".profile-status")
        card = people.locator(".person-card", has_text="Alice Adams")
        expect(profile).to_be_hidden()
        expect(card.get_by_text("Out for lunch")).to_have_count(0)

        alice = self.open_as(self.alice, "/settings/profile/", "status-live-alice")
        alice.get_by_label("Emoji").fill("🥪")
        alice.get_by_label("Status text").fill("Out for lunch")
        alice.get_by_label("Clear it").select_option("1h")
        alice.get_by_role("button", name="Set status").click()
        expect(alice.get_by_text("Your status is set.")).to_be_visible()

        expect(profile).to_be_visible(timeout=LIVE_MS)
        expect(profile).to_contain_text("Out for lunch")
        expect(profile.locator(".custom-status")).to_have_attribute(
            "title", "Out for lunch"
        )
        expect(card.get_by_text("Out for lunch")).to_be_visible(timeout=LIVE_MS)
        check_page(bob, "status-live-bob-set")

        alice.get_by_role("button", name="Clear status").click()
        expect(alice.get_by_text("Your status is cleared.")).to_be_visible()
        expect(profile).to_be_hidden(timeout=LIVE_MS)
        expect(card.get_by_text("Out for lunch")).to_have_count(0, timeout=LIVE_MS)
        # Her own sidebar offers to set one again.
        expect(alice.get_by_role("link", name="Set a status")).to_be_visible()
