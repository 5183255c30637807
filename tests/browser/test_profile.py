"""A person's profile shows their spaces and recent posts, and following
them from it brings their posts to your home feed."""

from playwright.sync_api import expect

from feeds import services
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    off_the_loop,
)


class ProfileTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space = off_the_loop(services.create_space, self.alice, name="Gardening")
        off_the_loop(
            services.create_post,
            self.alice,
            space_id=self.space.pk,
            body="Seed swap on **Friday**",
            client_id="profile-1",
        )

    def test_bob_finds_alices_spaces_and_posts_and_follows_her(self):
        page = self.open_as(self.bob, f"/people/{self.alice.pk}/", "profile-feeds")
        spaces = page.get_by_role("region", name="Spaces")
        expect(spaces.get_by_role("link", name="Gardening")).to_be_visible()
        expect(page.get_by_role("link", name="Seed swap on Friday")).to_be_visible()

        follow = page.get_by_role("button", name="Follow Alice Adams")
        expect(follow).to_have_attribute("aria-pressed", "false")
        follow.focus()
        page.keyboard.press("Enter")
        following = page.get_by_role("button", name="Following Alice Adams")
        expect(following).to_have_attribute("aria-pressed", "true")
        expect(page.get_by_text("now come to your home feed")).to_be_visible()
        check_page(page, "profile-following")

        page.get_by_role("link", name="Gardening").click()
        expect(page).to_have_url(
            f"{self.live_server_url}{self.space.get_absolute_url()}"
        )

    def test_the_profile_fits_a_phone(self):
        page = self.open_as(
            self.bob, f"/people/{self.alice.pk}/", "profile-feeds-phone", PHONE
        )
        expect(page.get_by_role("button", name="Follow Alice Adams")).to_be_visible()
        assert_no_horizontal_scroll(page)
