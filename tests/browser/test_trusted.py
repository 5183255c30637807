"""The Trusted view of the home feed, live: a post by my team comes in, a
post by an unverified person outside my team does not, as on a reload."""

from playwright.sync_api import Page, expect

from feeds import services
from tests.browser.base import LIVE_MS, BrowserTestCase, check_page, off_the_loop


def post_from(page: Page, text: str) -> None:
    page.get_by_label("Post in Gardening").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("[data-posts] > .post", has_text=text)).to_be_visible()


class TrustedViewTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()  # alice and bob: Engineering; carol: Support
        self.space = off_the_loop(services.create_space, self.alice, name="Gardening")
        for person in (self.bob, self.carol):
            off_the_loop(services.join_space, person, space_id=self.space.pk)

    def test_only_trusted_authors_posts_come_in_live(self):
        alice = self.open_as(self.alice, "/?view=trusted", "trusted-alice")
        path = self.space.get_absolute_url()
        carol = self.open_as(self.carol, path, "trusted-carol")
        bob = self.open_as(self.bob, path, "trusted-bob")

        post_from(carol, "Support rota for December")
        post_from(bob, "Engineering offsite agenda")
        new = alice.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        new.click()
        posts = alice.locator("[data-posts] > .post")
        expect(posts.filter(has_text="Engineering offsite agenda")).to_be_visible()
        expect(posts.filter(has_text="Support rota")).to_have_count(0)
        check_page(alice, "trusted-live")

        alice.reload()
        expect(posts.filter(has_text="Engineering offsite agenda")).to_be_visible()
        expect(posts.filter(has_text="Support rota")).to_have_count(0)
        alice.goto("/")
        expect(posts.filter(has_text="Support rota for December")).to_be_visible()
