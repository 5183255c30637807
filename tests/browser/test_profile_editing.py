"""A person edits their profile, uploads a photo and sets a status, with
the plain forms (no script needed), and others see it."""

from playwright.sync_api import expect

from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    visit,
)
from tests.messaging.files import phone_photo


class ProfileEditingTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()

    def test_alice_edits_her_profile_photo_and_status(self):
        page = self.open_as(self.alice, "/settings/profile/", "profile-edit")
        page.get_by_label("Pronouns").fill("she/her")
        page.get_by_label("Skills and expertise").fill("Python, Café latte art")
        page.get_by_label("Bio").fill("I keep the sockets open.")
        page.get_by_label("Photo").set_input_files(
            {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}
        )
        page.get_by_role("button", name="Save profile").click()

        expect(page).to_have_url(f"{self.live_server_url}/people/{self.alice.pk}/")
        expect(page.get_by_text("Your profile is saved.")).to_be_visible()
        expect(page.get_by_text("she/her")).to_be_visible()
        expect(page.get_by_role("link", name="Café latte art")).to_be_visible()
        photo = page.locator("img.avatar-large")
        expect(photo).to_be_visible()
        # Visible before it has loaded: wait for the image itself.
        expect(photo).to_have_js_property("naturalWidth", 256)
        check_page(page, "profile-edited")

        page.get_by_role("link", name="Edit profile").click()
        page.get_by_label("Emoji").fill("🌴")
        page.get_by_label("Status text").fill("On holiday until Monday")
        page.get_by_label("Clear it").select_option("week")
        page.get_by_role("button", name="Set status").click()
        expect(page.get_by_text("Your status is set.")).to_be_visible()
        check_page(page, "profile-status-set")

        # Bob sees the photo and the status in the directory and finds her
        # by a skill typed without its accent.
        other = self.open_as(self.bob, "/people/?q=cafe", "directory-skill")
        card = other.locator(".person-card", has_text="Alice Adams")
        expect(card.get_by_text("On holiday until Monday")).to_be_visible()
        expect(card.locator("img.avatar")).to_be_visible()

        # Her place in the company, as a tree of links up to the top.
        visit(other, f"/people/{self.alice.pk}/org/", "org-chart")
        chart = other.get_by_role("navigation", name="Management chain of Alice Adams")
        chart.get_by_role("link", name="Bob Brown").click()
        expect(other).to_have_url(f"{self.live_server_url}/people/{self.bob.pk}/org/")

    def test_the_profile_form_fits_a_phone(self):
        page = self.open_as(
            self.alice, "/settings/profile/", "profile-edit-phone", PHONE
        )
        expect(page.get_by_role("button", name="Save profile")).to_be_visible()
        assert_no_horizontal_scroll(page)
