"""Mentions in two real browsers: the @ autocomplete, the highlight and
the "@" badge, and desktop notifications.

As in test_messaging.py, whatever must arrive live is sent from a page.
Notifications are real: the browser context grants the permission, and an
init script wraps window.Notification to record what the page shows.
"""

import re
import time
from typing import Any

from django.test import override_settings
from playwright.sync_api import Locator, Page, expect

from messaging import services
from messaging.models import Conversation, Message
from profiles.factories import UserFactory
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
    visit,
)
from tests.browser.test_messaging import (
    compose,
    composer,
    conversation_list,
    conversation_path,
    messages,
    show_actions,
    unread_badge,
)

# Records every Notification the page constructs, then shows it as usual.
RECORD_NOTIFICATIONS = """
(() => {
  const Original = window.Notification;
  if (!Original) return;
  window.__notified = [];
  window.Notification = class extends Original {
    constructor(title, options = {}) {
      super(title, options);
      const { body, tag } = options;
      window.__notified.push({ title, body, tag, shown: this });
    }
  };
})();
"""


def notified(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        "(window.__notified || []).map(({title, body, tag}) => ({title, body, tag}))"
    )


def mention_list(page: Page) -> Locator:
    return page.get_by_role("listbox", name="People to mention")


def mention_badge(page: Page, conversation: Conversation) -> Locator:
    return conversation_list(page).locator(
        f'[data-conversation-id="{conversation.pk}"] .mention-badge'
    )


def allow_notifications(page: Page) -> Page:
    """Let `page`'s context show notifications, recording each one."""
    page.context.grant_permissions(["notifications"])
    page.context.add_init_script(RECORD_NOTIFICATIONS)
    return page


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class MentionTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.bob_carol = off_the_loop(
            services.get_or_create_direct, self.bob, other_id=self.carol.pk
        )

    def turn_on_notifications(self, page: Page) -> None:
        toggle = page.get_by_role("button", name="Turn on desktop notifications")
        toggle.click()
        expect(
            page.get_by_role("button", name="Turn off desktop notifications")
        ).to_be_focused()

    def test_a_mention_picked_with_the_keyboard_badges_highlights_and_notifies(self):
        bob = self.open_as(
            self.bob,
            conversation_path(self.bob_carol),
            "mention-bob-elsewhere",
            page=allow_notifications(self.new_page()),
        )
        self.turn_on_notifications(bob)
        check_page(bob, "mention-bob-notifications-on")
        alice = self.open_as(
            self.alice, conversation_path(self.direct), "mention-alice"
        )

        box = composer(alice)
        expect(box).to_have_attribute("aria-autocomplete", "list")
        box.press_sequentially("Hi @bo")
        people = mention_list(alice)
        expect(people).to_be_visible()
        # alice does not mention herself; bob is the only one left.
        option = people.get_by_role("option")
        expect(option).to_have_count(1)
        expect(option).to_contain_text("Bob Brown")
        expect(option).to_contain_text("Engineering Manager")
        expect(option).to_have_attribute("aria-selected", "true")
        expect(option.get_by_role("img", name="online")).to_be_visible()
        expect(box).to_have_attribute("aria-controls", "mention-listbox")
        expect(box).to_have_attribute(
            "aria-activedescendant", option.get_attribute("id") or ""
        )
        expect(
            alice.get_by_role("status").filter(has_text="1 person to mention")
        ).to_have_count(1)
        check_page(alice, "mention-autocomplete")

        # Enter picks bob instead of sending.
        box.press("Enter")
        expect(people).to_be_hidden()
        expect(box).to_have_value("Hi @**Bob Brown** ")
        expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
        expect(messages(alice)).to_have_count(0)
        box.press_sequentially("can you review PR 42?")
        box.press("Enter")
        expect(box).to_have_value("")
        sent = messages(alice).filter(has_text="can you review PR 42?")
        expect(sent.locator(".mention")).to_have_text("@Bob Brown")
        expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"))
        expect(sent).not_to_have_class(re.compile(r"\bmentions-me\b"))
        message = Message.objects.get(body="Hi @**Bob Brown** can you review PR 42?")
        assert list(message.mentions.all()) == [self.bob]

        # bob, on his conversation with carol: the "@" and the count.
        badge = mention_badge(bob, self.direct)
        expect(badge).to_be_visible(timeout=LIVE_MS)
        expect(badge).to_have_text("@mentions you")
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 1")
        expect(
            conversation_list(bob).get_by_role("link", name=re.compile("Alice Adams"))
        ).to_contain_text("mentions you")
        expect(mention_badge(bob, self.bob_carol)).to_be_hidden()
        # One notification: from alice, in plain text.
        # A function, not an expression: Playwright evals an expression,
        # which the Content-Security-Policy refuses.
        bob.wait_for_function("() => window.__notified.length > 0", timeout=LIVE_MS)
        assert notified(bob) == [
            {
                "title": "Alice Adams",
                "body": "Hi @Bob Brown can you review PR 42?",
                "tag": f"canteen-message-{message.pk}",
            }
        ]
        check_page(bob, "mention-bob-badge")

        # Clicking it opens the message: highlighted as mentioning bob.
        with bob.expect_navigation():
            bob.evaluate("window.__notified[0].shown.dispatchEvent(new Event('click'))")
        assert bob.url.endswith(f"/messages/{self.direct.pk}/m/{message.pk}/")
        expect_live(bob)
        received = bob.locator(f"[data-messages] > #m{message.pk}")
        expect(received).to_have_class(re.compile(r"\bmentions-me\b"))
        expect(received.locator(".mention")).to_have_class(
            re.compile(r"\bmention-me\b")
        )
        expect(mention_badge(bob, self.direct)).to_be_hidden()
        check_page(bob, "mention-bob-permalink")

        # Read: gone for good, after a reload on another page too.
        visit(bob, conversation_path(self.bob_carol), "mention-bob-read")
        expect(mention_badge(bob, self.direct)).to_be_hidden()
        expect(unread_badge(bob, self.direct)).to_be_hidden()

        # Escape closes the list and leaves the text; Enter then sends.
        box.press_sequentially("ok @bo")
        expect(people).to_be_visible()
        box.press("Escape")
        expect(people).to_be_hidden()
        expect(box).to_have_value("ok @bo")
        box.press("Enter")
        expect(messages(alice).filter(has_text="ok @bo")).to_have_count(1)

    def test_the_list_ranks_names_follows_the_mouse_and_serves_the_edit_box(self):
        brenda = UserFactory.create(
            first_name="Brenda", last_name="Ortiz", title="Designer"
        )
        group = off_the_loop(
            services.create_group,
            self.alice,
            title="Launch crew",
            member_ids=[self.bob.pk, self.carol.pk, brenda.pk],
        )
        alice = self.open_as(self.alice, conversation_path(group), "mention-group")
        box = composer(alice)
        box.press_sequentially("@br")
        options = mention_list(alice).get_by_role("option")
        # A name that starts so comes first, then a later word (Brown).
        expect(options).to_have_count(2)
        expect(options.locator(".mention-name")).to_have_text(
            ["Brenda Ortiz", "Bob Brown"]
        )
        box.press("ArrowDown")
        expect(options.nth(1)).to_have_attribute("aria-selected", "true")
        expect(options.nth(0)).to_have_attribute("aria-selected", "false")
        box.press("ArrowDown")  # wraps round
        expect(options.nth(0)).to_have_attribute("aria-selected", "true")
        # The mouse picks too, and the focus stays in the box.
        options.filter(has_text="Bob Brown").click()
        expect(box).to_be_focused()
        expect(box).to_have_value("@**Bob Brown** ")
        # Tab picks as Enter does; any word of the name matches.
        box.press_sequentially("and @cru")
        expect(options).to_have_text([re.compile("Carol Cruz")])
        box.press("Tab")
        expect(box).to_be_focused()
        expect(box).to_have_value("@**Bob Brown** and @**Carol Cruz** ")
        box.press("Enter")
        mentioning = messages(alice).filter(has_text="and")
        expect(mentioning).to_have_attribute("data-id", re.compile(r"^\d+$"))
        # By id: while it is being edited its text is in a textbox.
        sent = alice.locator(f"#m{mentioning.get_attribute('data-id')}")
        expect(sent.locator(".mention")).to_have_text(["@Bob Brown", "@Carol Cruz"])

        # The edit box offers the same list, and Enter there picks first.
        show_actions(sent).get_by_role("button", name="Edit").click()
        editor = sent.get_by_role("textbox", name="Edit message")
        expect(editor).to_be_focused()
        editor.press("End")
        editor.press_sequentially(" @ortiz")
        expect(options).to_have_text([re.compile("Brenda Ortiz")])
        check_page(alice, "mention-edit-box")
        editor.press("Enter")
        expect(editor).to_have_value(
            "@**Bob Brown** and @**Carol Cruz** @**Brenda Ortiz** "
        )
        # Escape with the list open closes only the list.
        editor.press_sequentially("@b")
        expect(options.first).to_be_visible()
        editor.press("Escape")
        expect(editor).to_be_visible()
        editor.press("Escape")
        expect(editor).to_have_count(0)

        # The thread box too; nobody matching, no list.
        show_actions(sent).get_by_role("button", name="Reply in thread").click()
        reply = alice.get_by_role("textbox", name="Reply in thread")
        expect(reply).to_be_focused()
        reply.press_sequentially("@zz")
        expect(mention_list(alice)).to_be_hidden()
        reply.fill("")
        reply.press_sequentially("@car")
        expect(options).to_have_text([re.compile("Carol Cruz")])
        reply.press("Enter")
        expect(reply).to_have_value("@**Carol Cruz** ")

    def test_the_list_fits_a_phone(self):
        alice = self.open_as(
            self.alice, conversation_path(self.direct), "mention-phone", PHONE
        )
        box = composer(alice)
        box.press_sequentially("@")
        people = mention_list(alice)
        expect(people).to_be_in_viewport()
        expect(people.get_by_role("option")).to_have_text([re.compile("Bob Brown")])
        assert_no_horizontal_scroll(alice)
        check_page(alice, "mention-autocomplete-phone")
        size = people.get_by_role("option").bounding_box()
        assert size and size["height"] >= 44, size
        people.get_by_role("option").click()
        expect(box).to_have_value("@**Bob Brown** ")


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class NotificationTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.bob_carol = off_the_loop(
            services.get_or_create_direct, self.bob, other_id=self.carol.pk
        )
        self.group = off_the_loop(
            services.create_group,
            self.alice,
            title="Launch crew",
            member_ids=[self.bob.pk, self.carol.pk],
        )

    def test_only_what_is_for_me_and_unread_notifies_and_in_one_tab(self):
        # Two tabs of bob's, one browser: on carol's chat and on the inbox.
        bob = self.open_as(
            self.bob,
            conversation_path(self.bob_carol),
            "notify-bob",
            page=allow_notifications(self.new_page()),
        )
        # Off until asked for: nothing is shown before the click.
        toggle = bob.get_by_role("button", name="Turn on desktop notifications")
        expect(toggle).to_be_visible()
        bob_inbox = self.open_as(
            self.bob, "/messages/", "notify-bob-inbox", page=bob.context.new_page()
        )
        self.addCleanup(bob_inbox.close)
        alice = self.open_as(self.alice, conversation_path(self.direct), "notify-alice")
        carol = self.open_as(self.carol, conversation_path(self.group), "notify-carol")

        compose(alice, "Before you turned them on")
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 1")
        toggle.click()
        # The other tab hears of the choice.
        expect(
            bob_inbox.get_by_role("button", name="Turn off desktop notifications")
        ).to_be_visible()

        # Not for me: a group message without a mention, and carol's in
        # the conversation bob is reading.
        compose(carol, "Group news for everyone")
        carol_direct = self.open_as(
            self.carol,
            conversation_path(self.bob_carol),
            "notify-carol-direct",
            page=carol,
        )
        compose(carol_direct, "Seen as it arrives")
        expect(messages(bob).filter(has_text="Seen as it arrives")).to_have_count(1)
        # For me: a mention in the group, a direct message.
        carol_group = self.open_as(
            self.carol, conversation_path(self.group), "notify-carol-group", page=carol
        )
        carol_group_box = composer(carol_group)
        carol_group_box.press_sequentially("Ping @bob")
        carol_group_box.press("Enter")  # picks bob
        carol_group_box.press_sequentially("please")
        carol_group_box.press("Enter")
        compose(alice, "A direct <b>word</b> & more")

        def all_notified() -> list[dict[str, Any]]:
            return notified(bob) + notified(bob_inbox)

        deadline = time.monotonic() + LIVE_MS / 1000
        while len(all_notified()) < 2 and time.monotonic() < deadline:
            bob.wait_for_timeout(100)
        # Each once, across both tabs; HTML never reaches the text.
        bodies = sorted((n["title"], n["body"]) for n in all_notified())
        assert bodies == [
            ("Alice Adams", "A direct <b>word</b> & more"),
            ("Carol Cruz", "Ping @Bob Brown please"),
        ], all_notified()

        # Turned off: nothing more.
        bob.get_by_role("button", name="Turn off desktop notifications").click()
        expect(
            bob.get_by_role("button", name="Turn on desktop notifications")
        ).to_be_visible()
        compose(alice, "After you turned them off")
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 3")
        bob.wait_for_timeout(1500)  # longer than a tab waits before it shows one
        assert len(all_notified()) == 2, all_notified()
        check_page(bob, "notify-bob-off")
