"""The people directory and profiles, in Chromium at desktop and phone size.

alice finds bob in the directory, opens his profile and presses "Message",
which lands her in their direct conversation. The pages work without JS
(plain links and GET forms); the browser proves they are usable and
accessible, with the keyboard too.
"""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from messaging.models import Conversation
from profiles.factories import UserFactory
from profiles.models import User
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
    tab_to,
    visit,
)


class DirectoryTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        off_the_loop(self.add_colleagues)

    def add_colleagues(self) -> None:
        User.objects.filter(pk=self.bob.pk).update(
            location="Berlin", time_zone="Europe/Berlin", manager=self.carol
        )
        UserFactory.create(
            first_name="Dora",
            last_name="Dunn",
            title="Site Reliability Engineer",
            department=self.alice.department,
            manager=self.bob,
            location="Lisbon",
            time_zone="Europe/Lisbon",
            start_date=timezone.localdate(),
        )
        UserFactory.create(first_name="Ed", last_name="Gone", is_active=False)

    def directory_people(self, page: Page):
        return page.get_by_role("list", name=re.compile(r"people|person")).get_by_role(
            "listitem"
        )

    def test_alice_finds_bob_opens_his_profile_and_messages_him(self):
        page = self.open_as(self.alice, "/", "directory-home")
        people_link = page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="People", exact=True
        )
        people_link.click()
        expect(page).to_have_url(re.compile(r"/people/$"))
        check_page(page, "directory-desktop")
        expect(people_link).to_have_attribute("aria-current", "page")
        rows = self.directory_people(page)
        expect(rows).to_have_count(4)
        expect(rows.get_by_role("link")).to_have_text(
            ["Alice Adams", "Bob Brown", "Carol Cruz", "Dora Dunn"]
        )
        expect(rows.nth(1)).to_contain_text("Engineering Manager")
        expect(rows.nth(1)).to_contain_text("Engineering · Berlin")
        expect(rows.nth(1).get_by_role("img", name="offline")).to_have_count(1)
        expect(rows.first).to_contain_text("(you)")

        # Keyboard: Tab to the search box, type, Enter submits the form.
        search = page.get_by_role("searchbox", name="Find people")
        tab_to(page, search, limit=25)
        page.keyboard.type("engineer")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"[?&]q=engineer"))
        expect(rows).to_have_count(3)
        expect(page.get_by_role("heading", level=2)).to_have_text(
            re.compile(r"3 people match “engineer”")
        )
        # The department narrows the search; the box keeps its words.
        page.get_by_label("Department").select_option(label="Engineering")
        page.get_by_role("search", name="People").get_by_role(
            "button", name="Search"
        ).click()
        expect(search).to_have_value("engineer")
        expect(rows).to_have_count(3)
        page.get_by_label("Department").select_option(label="Customer Support")
        page.get_by_role("search", name="People").get_by_role(
            "button", name="Search"
        ).click()
        expect(page.get_by_role("heading", level=2)).to_have_text(
            "Nobody in Customer Support matches “engineer”."
        )
        check_page(page, "directory-nobody")
        page.get_by_role("link", name="Show everyone").first.click()
        expect(rows).to_have_count(4)
        search.fill("bob")
        search.press("Enter")
        expect(rows).to_have_count(1)
        check_page(page, "directory-search")

        rows.first.get_by_role("link", name="Bob Brown").click()
        expect(page).to_have_url(re.compile(rf"/people/{self.bob.pk}/$"))
        check_page(page, "profile-desktop")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bob Brown")
        expect(people_link).to_have_attribute("aria-current", "true")
        expect(page.locator(".profile-place")).to_have_text(
            re.compile(r"Berlin · \d\d:\d\d local time \(1 hour ahead of you\)")
        )
        expect(page.get_by_role("link", name="bob@canteen.test")).to_be_visible()
        team = page.get_by_role("region", name="Team")
        manager = team.get_by_role("list", name="Reports to")
        expect(manager.get_by_role("link", name="Carol Cruz")).to_be_visible()
        reports = team.get_by_role("list", name=re.compile("Direct reports"))
        expect(reports.get_by_role("link")).to_have_text(["Alice Adams", "Dora Dunn"])
        expect(page.get_by_text("Ed Gone")).to_have_count(0)

        # The manager's link leads to her profile, and back again.
        manager.get_by_role("link", name="Carol Cruz").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Carol Cruz")
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bob Brown")

        message = page.get_by_role("button", name="Message Bob Brown")
        message.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/messages/\d+/$"))
        expect(page.get_by_role("heading", level=1, name="Bob Brown")).to_be_visible()
        expect_live(page)
        check_page(page, "profile-message-landed")
        direct = off_the_loop(Conversation.objects.get)
        assert direct.kind == Conversation.Kind.DIRECT
        assert off_the_loop(lambda: {m.pk for m in direct.members.all()}) == {
            self.alice.pk,
            self.bob.pk,
        }
        # And the conversation's header leads back to his profile.
        page.get_by_role("link", name="Profile of Bob Brown").click()
        expect(page).to_have_url(re.compile(rf"/people/{self.bob.pk}/$"))
        page.go_back()

        # Her own profile: no Message button, and the sidebar marks it.
        visit(page, f"/people/{self.alice.pk}/", "profile-own")
        expect(page.get_by_role("button", name=re.compile("^Message"))).to_have_count(0)
        expect(
            page.get_by_role("link", name="Your profile: Alice Adams")
        ).to_have_attribute("aria-current", "page")

    def test_the_directory_pages_forwards_and_back(self):
        off_the_loop(
            lambda: [
                UserFactory.create(first_name="Zed", last_name=f"Extra{n:02}")
                for n in range(50)
            ]
        )
        page = self.open_as(self.alice, "/people/", "directory-page-1")
        rows = self.directory_people(page)
        expect(rows).to_have_count(50)
        expect(page.get_by_role("heading", level=2)).to_have_text("54 people")
        pages = page.get_by_role("navigation", name="Pages of people")
        expect(pages.get_by_role("link", name="Previous page")).to_have_count(0)
        pages.get_by_role("link", name="Next page").click()
        expect(rows).to_have_count(4)
        expect(rows.last).to_contain_text("Zed Extra49")
        check_page(page, "directory-page-2")
        pages.get_by_role("link", name="Previous page").click()
        expect(rows).to_have_count(50)
        expect(rows.first).to_contain_text("Alice Adams")

    def test_at_phone_size_the_menu_leads_to_people_and_a_profile(self):
        page = self.open_as(self.bob, "/", "directory-phone-home", PHONE)
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="People", exact=True
        ).click()
        check_page(page, "directory-phone")
        assert_no_horizontal_scroll(page)
        search = page.get_by_role("searchbox", name="Find people")
        expect(search).to_be_in_viewport()
        search.fill("dora")
        search.press("Enter")
        rows = self.directory_people(page)
        expect(rows).to_have_count(1)
        check_page(page, "directory-phone-search")
        assert_no_horizontal_scroll(page)
        rows.first.get_by_role("link", name="Dora Dunn").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Dora Dunn")
        expect(page.get_by_text("New starter")).to_be_visible()
        check_page(page, "profile-phone")
        assert_no_horizontal_scroll(page)
        message = page.get_by_role("button", name="Message Dora Dunn")
        expect(message).to_be_in_viewport()
        box = message.bounding_box()
        assert box is not None and box["height"] >= 44, box
        message.click()
        expect(page.get_by_role("heading", level=1, name="Dora Dunn")).to_be_visible()
        expect_live(page)
        check_page(page, "profile-phone-message-landed")
        assert_no_horizontal_scroll(page)
