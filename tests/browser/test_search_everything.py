"""The one search in a real browser: a phrase from a post, then a comment,
found from the box on every page and opened in context."""

import re

from playwright.sync_api import expect

from feeds import services
from intranet import ratelimit
from tests.browser.base import BrowserTestCase, check_page, off_the_loop

BOX = "Search people, spaces, posts and messages"


class SearchEverythingTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space = off_the_loop(services.create_space, self.alice, name="Gardening")
        off_the_loop(services.join_space, self.bob, space_id=self.space.pk)
        self.secret = off_the_loop(
            services.create_space, self.alice, name="Hush", visibility="secret"
        )

        def posts():
            with ratelimit.exempt():
                target, _ = services.create_post(
                    self.alice,
                    space_id=self.space.pk,
                    body="The **seed swap** moves to the old greenhouse on Friday",
                    client_id="search-1",
                )
                for n in range(25):
                    services.create_post(
                        self.alice,
                        space_id=self.space.pk,
                        body=f"Watering rota, week {n}",
                        client_id=f"filler-{n}",
                    )
                services.create_post(
                    self.alice,
                    space_id=self.secret.pk,
                    body="A seed swap nobody else may know of: old greenhouse",
                    client_id="secret-1",
                )
                reply = services.add_comment(
                    self.alice, post_id=target.pk, body="Bring spare terracotta pots"
                )
            return target, reply

        self.target, self.reply = off_the_loop(posts)

    def test_search_a_phrase_from_a_post_and_land_on_it(self):
        page = self.open_as(self.bob, "/", "everything-home")
        page.locator("body").press("/")
        box = page.get_by_role("searchbox", name=BOX)
        expect(box).to_be_focused()
        page.keyboard.type('"old greenhouse"')
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search/\?q="))
        check_page(page, "everything-results")

        posts = page.locator("[data-search-group='posts']")
        # Only the open space's post: the secret space's is not found, nor
        # counted.
        expect(posts.get_by_role("heading")).to_have_text("Posts & comments 1")
        hit = posts.locator(".hit")
        expect(hit).to_have_count(1)
        expect(hit).to_contain_text("Alice Adams")
        expect(hit).to_contain_text("in Gardening")
        # FTS5 marks the phrase at once, ts_headline word by word.
        expect(hit.locator("mark").first).to_contain_text("old")
        expect(hit.locator("mark").last).to_contain_text("greenhouse")
        expect(page.locator("[data-search-group='spaces'] .hit")).to_have_count(0)

        hit.get_by_role("link").click()
        page.wait_for_url(f"**/posts/{self.target.pk}/")
        card = page.locator(f"article[data-post='{self.target.pk}']")
        expect(card).to_contain_text("moves to the old greenhouse on Friday")
        expect(card).to_be_in_viewport()
        check_page(page, "everything-post")

    def test_a_comment_opens_at_its_place_under_the_post(self):
        page = self.open_as(self.bob, "/search/?q=terracotta", "everything-comment")
        hit = page.locator("[data-search-group='posts'] .hit")
        expect(hit).to_have_count(1)
        expect(hit.locator(".hit-kind")).to_have_text("Comment")
        hit.get_by_role("link").click()
        page.wait_for_url(f"**/posts/{self.target.pk}/#c{self.reply.pk}")
        comment = page.locator(f"#c{self.reply.pk}")
        expect(comment).to_contain_text("Bring spare terracotta pots")
        expect(comment).to_be_in_viewport()
        check_page(page, "everything-comment-landed")
