"""The sidebar's spaces follow live on any page: a space joined in another
tab appears, posts by others raise its unread mark, and leaving takes it
away, without a reload."""

from playwright.sync_api import expect

from feeds import services
from tests.browser.base import LIVE_MS, BrowserTestCase, check_page, off_the_loop


class SidebarTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space = off_the_loop(services.create_space, self.alice, name="Gardening")

    def test_join_post_and_leave_show_in_another_tab(self):
        people = self.open_as(self.bob, "/people/", "sidebar-people")
        spaces = people.get_by_role("list", name="Your spaces")
        expect(spaces.get_by_role("link", name="Gardening")).to_have_count(0)

        other_tab = self.open_as(
            self.bob,
            self.space.get_absolute_url(),
            "sidebar-space",
            page=people.context.new_page(),
        )
        other_tab.get_by_role("button", name="Join space").click()
        link = spaces.get_by_role("link", name="Gardening")
        expect(link).to_be_visible(timeout=LIVE_MS)

        leader = self.open_as(
            self.alice, self.space.get_absolute_url(), "sidebar-leader"
        )
        leader.get_by_label("Post in Gardening").fill("Seedlings are up")
        leader.get_by_role("button", name="Post", exact=True).click()
        expect(link).to_contain_text("1", timeout=LIVE_MS)
        check_page(people, "sidebar-unread")

        other_tab.get_by_role("button", name="Leave space").click()
        expect(link).to_have_count(0, timeout=LIVE_MS)
