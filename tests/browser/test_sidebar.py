"""The sidebar's spaces follow live on any page: a space joined in another
tab appears, posts by others raise its unread mark, and leaving takes it
away, without a reload."""

from playwright.sync_api import expect

from feeds import services
from tests.browser.base import (
    LIVE_MS,
    BrowserTestCase,
    check_page,
    expect_live,
    off_the_loop,
)


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

    def test_a_post_by_someone_i_follow_shows_live_and_counts_once(self):
        # Bob is in the space and follows its author: the post comes to his
        # tab twice (the space's stream and the author's) and counts once.
        # Carol only follows alice: her home feed offers the post live.
        off_the_loop(services.join_space, self.bob, space_id=self.space.pk)
        for person in (self.bob, self.carol):
            off_the_loop(
                services.follow, person, person_id=self.alice.pk, following=True
            )
        member = self.open_as(self.bob, "/", "follow-member")
        follower = self.open_as(self.carol, "/", "follow-home")
        expect_live(member)
        expect_live(follower)

        # Posted in the server's process, so its events go out live.
        leader = self.open_as(
            self.alice, self.space.get_absolute_url(), "follow-leader"
        )
        leader.get_by_label("Post in Gardening").fill("Plant swap on Friday")
        leader.get_by_role("button", name="Post", exact=True).click()
        link = member.get_by_role("list", name="Your spaces").get_by_role(
            "link", name="Gardening"
        )
        expect(link.locator("[data-space-unread] .n")).to_have_text(
            "1", timeout=LIVE_MS
        )
        new_posts = follower.get_by_role("button", name="1 new post")
        expect(new_posts).to_be_visible(timeout=LIVE_MS)
        new_posts.click()
        expect(follower.get_by_text("Plant swap on Friday")).to_be_visible()
        # Carol reads the space without being in it: no comment box, no
        # reaction picker, and the "find spaces" hint has gone.
        card = follower.locator("article.post")
        expect(card.get_by_placeholder("Write a comment…")).to_have_count(0)
        expect(card.get_by_text("Add reaction")).to_have_count(0)
        expect(follower.get_by_text("Find spaces to join")).to_have_count(0)
        # Bob, a member, gets the whole card, Mute comments included.
        member.get_by_role("button", name="1 new post").click()
        expect(
            member.locator("article.post").get_by_role("button", name="Mute comments")
        ).to_be_visible()
        expect(member.locator("article.post")).to_have_count(1)
        # A second copy arriving late changes nothing.
        member.wait_for_timeout(300)
        expect(link.locator("[data-space-unread] .n")).to_have_text("1")
        check_page(follower, "follow-home-new-post")
