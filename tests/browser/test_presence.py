"""Presence dots in two real browsers: alice watches bob come and go.

The windows are shortened with the presence settings (they apply to the
Daphne process, which forks with the class's settings), so the test waits
seconds, not minutes: bob's tab pings every second, he is away two seconds
after his tab is hidden, offline three after his socket closes, and
alice's page asks every second.
"""

import re

from django.test import override_settings
from playwright.sync_api import Locator, expect

from messaging import services
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    off_the_loop,
    visit,
)
from tests.browser.test_messaging import (
    composer,
    conversation_list,
    conversation_path,
)

# Lets a test hide the tab, as switching to another tab would: headless
# Chromium keeps every page visible.
HIDEABLE = """
(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true, get: () => (hidden ? "hidden" : "visible"),
  });
  Object.defineProperty(Document.prototype, "hidden", {
    configurable: true, get: () => hidden,
  });
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
  };
})();
"""


def dot(scope: Locator, state: str) -> Locator:
    return scope.get_by_role("img", name=state, exact=True)


@override_settings(
    SOCKET_PING_SECONDS=1,
    PRESENCE_SEEN_WINDOW=3,
    PRESENCE_AWAY_AFTER=2,
    PRESENCE_POLL_SECONDS=1,
)
class PresenceTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.group = off_the_loop(
            services.create_group,
            self.alice,
            title="Launch crew",
            member_ids=[self.bob.pk, self.carol.pk],
        )

    def test_bob_shows_online_then_away_then_offline_to_alice(self):
        alice = self.open_as(
            self.alice, conversation_path(self.direct), "presence-alice"
        )
        header = alice.locator(".chat-title-row")
        sidebar_item = conversation_list(alice).get_by_role(
            "link", name=re.compile("Bob Brown")
        )
        expect(dot(header, "offline")).to_be_visible()
        expect(dot(sidebar_item, "offline")).to_be_visible()
        # A tooltip says it too.
        expect(dot(header, "offline")).to_have_attribute("title", "Offline")

        bob = self.new_page()
        bob.context.add_init_script(HIDEABLE)
        self.open_as(self.bob, "/messages/", "presence-bob", page=bob)
        for scope in (header, sidebar_item):
            online = dot(scope, "online")
            expect(online).to_be_visible(timeout=LIVE_MS)
            expect(online).to_have_attribute("title", "Online")
        # Green, and filled: not a ring like offline.
        colour = dot(header, "online").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert colour == "rgb(30, 122, 60)", colour
        check_page(alice, "presence-alice-bob-online")

        # bob switches to another tab: his pings say he is not looking.
        bob.evaluate("window.__setHidden(true)")
        expect(dot(header, "away")).to_be_visible(timeout=LIVE_MS)
        expect(dot(sidebar_item, "away")).to_be_visible()
        check_page(alice, "presence-alice-bob-away")
        bob.evaluate("window.__setHidden(false)")
        expect(dot(header, "online")).to_be_visible(timeout=LIVE_MS)

        # bob closes his tab: offline once the window passes.
        bob.close()
        expect(dot(header, "offline")).to_be_visible(timeout=LIVE_MS)
        expect(dot(sidebar_item, "offline")).to_be_visible()
        check_page(alice, "presence-alice-bob-offline")

    def test_a_group_shows_everyone_but_me_and_the_autocomplete_too(self):
        self.open_as(self.bob, "/messages/", "presence-group-bob")
        alice = self.open_as(
            self.alice, conversation_path(self.group), "presence-group"
        )
        members = alice.locator(".chat-members")
        expect(members).to_have_text("3 people · Alice Adams, Bob Brown, Carol Cruz")
        bob_member = members.locator(".member", has_text="Bob Brown")
        expect(dot(bob_member, "online")).to_be_visible(timeout=LIVE_MS)
        carol_member = members.locator(".member", has_text="Carol Cruz")
        expect(dot(carol_member, "offline")).to_be_visible()
        # Everyone else has one; alice knows she is here.
        expect(members.get_by_role("img")).to_have_count(2)

        composer(alice).press_sequentially("@")
        people = alice.get_by_role("listbox", name="People to mention")
        expect(people.get_by_role("option")).to_have_text(
            [re.compile("Bob Brown.*"), re.compile("Carol Cruz.*")]
        )
        # Online first among equal matches, each with a named dot.
        expect(dot(people.get_by_role("option").first, "online")).to_be_visible()
        expect(dot(people.get_by_role("option").last, "offline")).to_be_visible()
        check_page(alice, "presence-group-autocomplete")

    def test_dots_on_a_phone(self):
        alice = self.open_as(
            self.alice,
            conversation_path(self.group),
            "presence-phone",
            PHONE,
            has_touch=True,
            is_mobile=True,
        )
        expect(alice.locator(".chat-members").get_by_role("img")).to_have_count(2)
        assert_no_horizontal_scroll(alice)
        visit(alice, "/messages/", "presence-phone-inbox")
        item = conversation_list(alice).get_by_role("link", name=re.compile("Bob"))
        expect(dot(item, "offline")).to_be_visible()
        assert_no_horizontal_scroll(alice)
