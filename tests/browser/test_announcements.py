"""HR posts a must-read; a member gets it live, acknowledges it in another
browser, and HR's count moves live."""

from playwright.sync_api import expect

from feeds import services
from profiles.factories import UserFactory
from profiles.roles import HR, grant
from tests.base import ensure_roles
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    off_the_loop,
)


class MustReadTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.company = off_the_loop(
            services.create_space,
            None,
            name="Everyone",
            kind="company",
            who_may_post="leaders",
        )
        self.hanna = off_the_loop(
            UserFactory.create,
            email="hanna@canteen.test",
            first_name="Hanna",
            last_name="Hart",
            department=self.carol.department,
        )
        off_the_loop(ensure_roles)
        off_the_loop(grant, [self.hanna], HR)
        for person in (self.alice, self.bob, self.carol, self.hanna):
            off_the_loop(services.sync_person, person)

    def test_hr_sees_a_members_acknowledgement_live(self):
        alice = self.open_as(self.alice, "/", "must-read-home-before")
        hr = self.open_as(
            self.hanna,
            f"/announcements/new/?space={self.company.pk}",
            "announce-compose",
        )
        hr.get_by_label("Announcement").fill(
            "The **new expenses policy** starts Monday."
        )
        hr.get_by_label("Must read: ask each reader to acknowledge it").check()
        hr.get_by_role("button", name="Announce").click()
        expect(hr.locator(".post", has_text="new expenses policy")).to_be_visible()
        hr.get_by_role("link", name="Who has read it").first.click()
        count = hr.get_by_role("status").filter(has_text="Acknowledged by")
        expect(count).to_have_text("Acknowledged by 0 of 3")
        check_page(hr, "acknowledgements-before")

        # The member's home feed hears the post live and draws its button.
        new = alice.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        new.click()
        card = alice.locator("[data-posts] > .post", has_text="new expenses policy")
        read = card.get_by_role("button", name="I've read this")
        expect(read).to_be_visible()
        check_page(alice, "must-read-live-card")
        read.click()
        expect(card.get_by_text("You acknowledged this")).to_be_visible()

        expect(count).to_have_text("Acknowledged by 1 of 3", timeout=LIVE_MS)
        check_page(hr, "acknowledgements-after")
        hr.reload()
        # The names come one list at a time, a hundred a page: who has not
        # yet first; the other list is a link away.
        expect(hr.get_by_role("region", name="Not yet (2)")).not_to_contain_text(
            "Alice Adams"
        )
        hr.get_by_role("link", name="Acknowledged (1)").click()
        expect(hr.get_by_role("region", name="Acknowledged (1)")).to_contain_text(
            "Alice Adams"
        )
        hr.get_by_role("button", name="Nudge the 2 who have not").click()
        expect(hr.get_by_text("Nudged 2 people.")).to_be_visible()
        expect(hr.get_by_text("an announcement is nudged once")).to_be_visible()

    def test_the_pages_fit_a_phone(self):
        post = off_the_loop(
            services.announce,
            self.hanna,
            space_id=self.company.pk,
            body="Office closed on Friday for the **winter party**.",
            must_read=True,
        ).published_post
        off_the_loop(services.acknowledge, self.bob, post_id=post.pk)
        hr = self.open_as(
            self.hanna, f"/posts/{post.pk}/acknowledgements/", "acks-phone", PHONE
        )
        assert_no_horizontal_scroll(hr)
        self.open_as(
            self.hanna,
            "/announcements/new/",
            "announce-phone",
            page=hr,
        )
        assert_no_horizontal_scroll(hr)
        member = self.open_as(
            self.alice, post.get_absolute_url(), "must-read-phone", PHONE
        )
        assert_no_horizontal_scroll(member)
        member.get_by_role("button", name="I've read this").click()
        expect(member.get_by_text("You acknowledged this")).to_be_visible()

    def test_a_targeted_announcement_comes_live_only_to_its_readers(self):
        alice = self.open_as(self.alice, "/", "targeted-alice")
        carol = self.open_as(self.carol, "/", "targeted-carol")
        hr = self.open_as(self.hanna, "/announcements/new/", "targeted-compose")

        def announce(text: str, department: str | None = None) -> None:
            hr.goto("/announcements/new/")
            hr.get_by_label("Announcement").fill(text)
            if department:
                hr.get_by_text("Departments", exact=True).click()
                hr.get_by_label(department).check()
            hr.get_by_role("button", name="Announce").click()
            expect(hr.locator(".post", has_text=text)).to_be_visible()

        announce("Engineering: laptops are replaced on Monday", "Engineering")
        new = alice.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        new.click()
        expect(alice.get_by_text("laptops are replaced")).to_be_visible()
        # carol's tab heard the same post.new, asked, and left it out.
        announce("Everyone: the canteen opens at 8")
        waiting = carol.get_by_role("button", name="1 new post")
        expect(waiting).to_be_visible(timeout=LIVE_MS)
        waiting.click()
        expect(carol.get_by_text("the canteen opens at 8")).to_be_visible()
        expect(carol.get_by_text("laptops are replaced")).to_have_count(0)
        check_page(carol, "targeted-carol-after")
