"""Direct messages between two real browsers: alice and bob, each signed in.

Every test opens one browser context per person. Data that exists before a
page opens is made with the services. Whatever a test expects to arrive live
is sent from a page: by default the Daphne process has its own in-memory
channel layer, which hears nothing the test process publishes. Messages
made with the services reach an open page through its catch-up (sync).
"""

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import override_settings
from playwright.sync_api import (
    APIResponse,
    Dialog,
    Locator,
    Page,
    Request,
    Route,
    WebSocketRoute,
    expect,
)

from intranet.models import Event
from messaging import services
from messaging.models import Conversation, Message
from profiles.models import User
from tests.base import make_people
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    connection_status,
    expect_live,
    off_the_loop,
    visit,
)


def conversation_path(conversation: Conversation) -> str:
    return f"/messages/{conversation.pk}/"


def say(sender: User, conversation: Conversation, body: str, **kwargs: Any) -> Message:
    """Store a message from `sender` through the service the socket calls."""
    message, _ = off_the_loop(
        services.send_message,
        sender,
        conversation_id=conversation.pk,
        body=body,
        client_id=f"test-{Message.objects.count()}-{body[:20]}",
        **kwargs,
    )
    return message


def messages(page: Page) -> Locator:
    """The messages of the open conversation (not the thread panel)."""
    return page.locator("[data-messages] > .msg")


def composer(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^Message "))


def compose(page: Page, text: str) -> None:
    """Type `text` in the composer and press Enter, as a person would."""
    box = composer(page)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def conversation_list(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Conversations")


def unread_badge(page: Page, conversation: Conversation) -> Locator:
    return conversation_list(page).locator(
        f'[data-conversation-id="{conversation.pk}"] .badge'
    )


def nav_badge(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main").locator("[data-total-unread]")


def settle(page: Page) -> None:
    """Let `page` finish the requests it has started, and any that their
    answers set off."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((done) => setTimeout(done, 250))")


def wait_until(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Let `page` run until `condition()` holds (for Python-side state that
    Playwright's expect cannot watch, such as a held route)."""
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, f"Waited 5 s for {what}."
        page.wait_for_timeout(50)


def show_actions(message: Locator) -> Locator:
    """Hover `message` so its action bar shows; return the bar."""
    message.hover()
    actions = message.get_by_role("group", name="Message actions")
    expect(actions).to_be_visible()
    return actions


class Network:
    """Take a page's network down and up again, WebSocket included.

    Chromium's offline mode (context.set_offline) fails new requests and
    connections but leaves an open WebSocket open, so the page's sockets go
    through Playwright's router, which closes them as a dropped network
    would and refuses new ones until the network is back.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.offline = False
        self.sockets: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/(\?.*)?$"), self.route)

    def route(self, socket: WebSocketRoute) -> None:
        if self.offline:
            socket.close(code=1001, reason="offline")
            return
        socket.connect_to_server()
        self.sockets.append(socket)

    def go_offline(self) -> None:
        self.offline = True
        self.page.context.set_offline(True)
        for socket in self.sockets:
            socket.close(code=1001, reason="offline")
        self.sockets.clear()

    def go_online(self) -> None:
        self.page.context.set_offline(False)
        self.offline = False


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class DirectMessageTests(BrowserTestCase):
    """alice and bob in their direct conversation, each in a browser."""

    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )

    def open_direct(self) -> tuple[Page, Page]:
        path = conversation_path(self.direct)
        alice = self.open_as(self.alice, path, "direct-alice")
        bob = self.open_as(self.bob, path, "direct-bob")
        return alice, bob

    def test_a_message_arrives_live_and_unread_counts_follow_the_reader(self):
        with_carol = off_the_loop(
            services.get_or_create_direct, self.bob, other_id=self.carol.pk
        )
        alice, bob = self.open_direct()

        compose(alice, "Lunch at noon?")
        # alice's local echo becomes the stored message: one copy, confirmed.
        sent = messages(alice).filter(has_text="Lunch at noon?")
        expect(sent).to_have_count(1)
        expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"))
        expect(sent).not_to_have_class(re.compile(r"\bpending\b"))
        expect(alice.get_by_text("Sending…")).to_have_count(0)
        expect(sent.locator(".msg-author")).to_have_text("Alice Adams")
        # bob has the page open: it arrives without a reload, read at once.
        received = messages(bob).filter(has_text="Lunch at noon?")
        expect(received).to_have_count(1)
        expect(received.locator(".msg-author")).to_have_text("Alice Adams")
        expect(nav_badge(bob)).to_be_hidden()
        check_page(alice, "direct-alice-sent")
        check_page(bob, "direct-bob-received")

        # On another conversation, bob sees the count rise beside alice.
        say(self.carol, with_carol, "Got a minute?")
        conversation_list(bob).get_by_role("link", name="Carol Cruz").click()
        bob.wait_for_url(f"**{conversation_path(with_carol)}")
        expect_live(bob)
        first = conversation_list(bob).get_by_role("listitem").first
        expect(first).to_have_attribute("data-conversation-id", str(with_carol.pk))
        compose(alice, "Bring the slides")
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 1")
        expect(nav_badge(bob)).to_have_text("unread: 1")
        # The conversation with news moves to the top of the list.
        expect(first).to_have_attribute("data-conversation-id", str(self.direct.pk))
        check_page(bob, "direct-bob-elsewhere-unread")

        # On the inbox too. On connecting, the page asks the server for the
        # counts; hold that answer until after alice's next message, so it
        # arrives out of date and must not undo the live count.
        held: list[tuple[Route, APIResponse]] = []
        bob.route(
            "**/api/v1/conversations",
            lambda route: held.append((route, route.fetch())),
            times=1,
        )
        bob.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Messages"
        ).click()
        bob.wait_for_url("**/messages/")
        expect(connection_status(bob)).to_have_text("Live")
        wait_until(bob, lambda: bool(held), "bob's page to ask for its counts")
        compose(alice, "And the clicker")
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 2")
        with bob.expect_request("**/api/v1/conversations"):  # it asks again
            for route, response in held:
                route.fulfill(response=response)
        expect(unread_badge(bob, self.direct)).to_have_text("unread: 2")
        expect(nav_badge(bob)).to_have_text("unread: 2")
        check_page(bob, "inbox-unread")

        # Opening the conversation reads it: both counts clear.
        conversation_list(bob).get_by_role("link", name="Alice Adams").click()
        bob.wait_for_url(f"**{conversation_path(self.direct)}")
        expect(bob.locator("[data-new-divider]")).to_have_text("New messages")
        expect(nav_badge(bob)).to_be_hidden()
        expect(messages(bob)).to_have_count(3)
        check_page(bob, "direct-bob-read")
        # Read for the server too, not only on this page.
        visit(bob, "/messages/", "inbox-read")
        expect(unread_badge(bob, self.direct)).to_be_hidden()
        expect(nav_badge(bob)).to_be_hidden()

    def test_typing_shows_to_the_other_person_until_the_message_is_sent(self):
        alice, bob = self.open_direct()
        typing = bob.locator("[data-typing]")
        expect(typing).to_have_text("")

        composer(alice).press_sequentially("Are you")
        expect(typing).to_have_text("Alice Adams is typing…")
        check_page(bob, "direct-bob-typing")
        # Leaving the composer stops it.
        alice.keyboard.press("Tab")
        expect(typing).to_have_text("")

        composer(alice).press_sequentially(" free?")
        expect(typing).to_have_text("Alice Adams is typing…")
        composer(alice).press("Enter")
        expect(messages(bob).filter(has_text="Are you free?")).to_have_count(1)
        expect(typing).to_have_text("")
        # alice never sees her own typing.
        expect(alice.locator("[data-typing]")).to_have_text("")

    def test_a_reaction_from_the_keyboard_shows_on_both_sides_and_toggles_off(self):
        say(self.alice, self.direct, "Ship it?")
        alice, bob = self.open_direct()
        theirs = messages(bob).filter(has_text="Ship it?")
        ours = messages(alice).filter(has_text="Ship it?")

        # bob reaches React with the keyboard: from the message's link, Tab.
        theirs.locator(".msg-time").focus()
        bob.keyboard.press("Tab")
        react = theirs.get_by_role("button", name="React")
        expect(react).to_be_focused()
        bob.keyboard.press("Enter")
        picker = bob.get_by_role("dialog", name="Pick a reaction")
        expect(picker).to_be_visible()
        expect(react).to_have_attribute("aria-expanded", "true")
        expect(picker.get_by_role("button", name="👍")).to_be_focused()
        # Any emoji too, once the picker has loaded (its own tests are in
        # test_reactions.py).
        expect(picker.get_by_role("combobox")).to_be_visible()
        check_page(bob, "direct-bob-picker")
        bob.keyboard.press("ArrowRight")
        expect(picker.get_by_role("button", name="❤️")).to_be_focused()
        bob.keyboard.press("Enter")
        expect(picker).to_be_hidden()
        expect(react).to_be_focused()
        expect(react).to_have_attribute("aria-expanded", "false")

        chip = theirs.get_by_role("button", name="❤️ 1 person, including you")
        expect(chip).to_have_attribute("aria-pressed", "true")
        other = ours.get_by_role("button", name="❤️ 1 person", exact=True)
        expect(other).to_have_attribute("aria-pressed", "false")
        check_page(alice, "direct-alice-reaction")

        # alice adds hers by clicking bob's chip: two on both sides.
        other.click()
        expect(
            ours.get_by_role("button", name="❤️ 2 people, including you")
        ).to_be_visible()
        expect(
            theirs.get_by_role("button", name="❤️ 2 people, including you")
        ).to_be_visible()

        # bob takes his back with the chip, from the keyboard.
        theirs.locator(".chip").focus()
        bob.keyboard.press("Enter")
        expect(
            theirs.get_by_role("button", name="❤️ 1 person", exact=True)
        ).to_be_focused()
        expect(
            ours.get_by_role("button", name="❤️ 1 person, including you")
        ).to_be_visible()
        ours.locator(".chip").click()
        expect(ours.locator(".chip")).to_have_count(0)
        expect(theirs.locator(".chip")).to_have_count(0)
        # Escape closes the picker without reacting.
        show_actions(theirs).get_by_role("button", name="React").click()
        expect(picker).to_be_visible()
        bob.keyboard.press("Escape")
        expect(picker).to_be_hidden()
        expect(theirs.get_by_role("button", name="React")).to_be_focused()
        expect(theirs.locator(".chip")).to_have_count(0)

    def test_a_thread_reply_updates_the_count_live_and_shows_in_the_thread(self):
        alice, bob = self.open_direct()
        # Sent from alice's page: her echo must become a message that can
        # show a thread.
        compose(alice, "Who reviews PR 42?")
        question = messages(bob).filter(has_text="Who reviews PR 42?")

        show_actions(question).get_by_role("button", name="Reply in thread").click()
        panel = bob.get_by_role("complementary", name="Thread")
        expect(panel).to_be_visible()
        reply_box = panel.get_by_role("textbox", name="Reply in thread")
        expect(reply_box).to_be_focused()
        expect(panel.locator(".thread-root")).to_contain_text("Who reviews PR 42?")
        reply_box.fill("I will, after lunch")
        reply_box.press("Enter")
        reply = panel.locator(".msg:not(.thread-root)")
        expect(reply).to_have_count(1)
        expect(reply).to_contain_text("I will, after lunch")
        expect(reply).not_to_have_class(re.compile(r"\bpending\b"))
        # Replies stay in the thread, not in the conversation.
        expect(messages(bob)).to_have_count(1)
        expect(question.get_by_role("button", name="1 reply")).to_be_visible()
        check_page(bob, "thread-bob")

        root = messages(alice).filter(has_text="Who reviews PR 42?")
        count = root.get_by_role("button", name="1 reply")
        expect(count).to_be_visible()
        expect(messages(alice)).to_have_count(1)
        count.click()
        alice_panel = alice.get_by_role("complementary", name="Thread")
        expect(alice_panel.locator(".msg:not(.thread-root)")).to_have_text(
            re.compile("I will, after lunch")
        )
        check_page(alice, "thread-alice")

        # A reply from alice reaches bob's open thread and both counts.
        alice_box = alice_panel.get_by_role("textbox", name="Reply in thread")
        alice_box.fill("Thanks!")
        alice_box.press("Enter")
        expect(reply).to_have_count(2)
        expect(reply.last).to_contain_text("Thanks!")
        expect(question.get_by_role("button", name="2 replies")).to_be_visible()
        expect(root.get_by_role("button", name="2 replies")).to_be_visible()

        # Closing returns to the conversation; a reload counts each reply once
        # although the catch-up replays them.
        bob.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(question.get_by_role("button", name="2 replies")).to_be_focused()
        bob.reload()
        check_page(bob, "thread-bob-reloaded")
        expect_live(bob)
        expect(question.get_by_role("button", name="2 replies")).to_be_visible()

    def test_editing_and_deleting_a_message_shows_on_both_sides(self):
        say(self.bob, self.direct, "Stand-up moved?")
        alice, bob = self.open_direct()
        compose(alice, "Meeting at 3")
        sent = messages(alice).filter(has_text="Meeting at 3")
        expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"))
        # By id: while it is being edited its text is in a textbox.
        message_id = sent.get_attribute("data-id")
        ours = alice.locator(f"[data-messages] > #m{message_id}")
        theirs = bob.locator(f"[data-messages] > #m{message_id}")
        expect(theirs).to_contain_text("Meeting at 3")
        # Only the author can change a message.
        bob_on_own = show_actions(messages(bob).filter(has_text="Stand-up moved?"))
        expect(bob_on_own.get_by_role("button", name="Edit")).to_be_visible()
        bobs_view = show_actions(theirs)
        expect(bobs_view.get_by_role("button", name="Edit")).to_have_count(0)
        expect(bobs_view.get_by_role("button", name="Delete")).to_have_count(0)

        show_actions(ours).get_by_role("button", name="Edit").click()
        editor = ours.get_by_role("textbox", name="Edit message")
        expect(editor).to_be_focused()
        expect(editor).to_have_value("Meeting at 3")
        check_page(alice, "direct-alice-editing")
        editor.fill("Meeting at **4**")
        editor.press("Enter")
        for side in (ours, theirs):
            expect(side.locator(".msg-body strong")).to_have_text("4")
            expect(side.get_by_text("(edited)")).to_be_visible()
        expect(ours.get_by_role("button", name="Edit")).to_be_focused()
        check_page(bob, "direct-bob-edited")

        alice.once("dialog", lambda dialog: dialog.accept())
        show_actions(ours).get_by_role("button", name="Delete").click()
        for side in (ours, theirs):
            expect(side.locator(".msg-body")).to_have_text("This message was deleted.")
            expect(side.get_by_role("group", name="Message actions")).to_have_count(0)
        ours.hover()
        expect(ours.get_by_role("button", name="Edit")).to_have_count(0)
        check_page(bob, "direct-bob-deleted")
        check_page(alice, "direct-alice-deleted")

    def test_older_messages_load_above_in_order_and_the_catch_up_skips_them(self):
        for n in range(1, 56):
            say(self.alice, self.direct, f"History {n}")
        bob = self.open_as(self.bob, conversation_path(self.direct), "history-bob")
        bodies = messages(bob).locator(".msg-body")
        # The page shows the newest 50; the catch-up on connect replays all
        # 55 message.new events without adding the older five at the end.
        expect(bodies).to_have_text([f"History {n}" for n in range(6, 56)])
        older = bob.get_by_role("button", name="Load older messages")
        older.click()
        expect(bodies).to_have_text([f"History {n}" for n in range(1, 56)])
        expect(older).to_have_count(0)
        # bob has read none of them: the line stays above the first.
        divider = bob.locator("[data-messages] > [data-new-divider]")
        expect(divider.locator("+ .msg")).to_contain_text("History 1")
        check_page(bob, "history-bob-older")

    def test_after_a_dropped_connection_the_page_catches_up_once_in_order(self):
        path = conversation_path(self.direct)
        alice = self.open_as(self.alice, path, "direct-alice")
        bob = self.new_page()
        network = Network(bob)
        self.open_as(self.bob, path, "direct-bob", page=bob)
        status = connection_status(bob)
        bob.evaluate("window.sameDocument = true")

        network.go_offline()
        expect(status).to_have_text("Offline")
        expect(status).to_have_attribute("data-state", "offline")
        notice = bob.locator("[data-offline-notice]")
        expect(notice).to_contain_text("go out when the connection is back")
        check_page(bob, "direct-bob-offline")
        # bob writes while offline: his echo waits, and goes out on reconnect.
        compose(bob, "Back in a minute")
        waiting = messages(bob).filter(has_text="Back in a minute")
        expect(waiting).to_have_class(re.compile(r"\bpending\b"))
        expect(waiting).to_contain_text("Waiting for connection")

        # alice keeps talking: 50 messages bob's page cannot hear live.
        for n in range(1, 51):
            say(self.alice, self.direct, f"Catch-up {n}")

        network.go_online()
        expect(status).to_have_text("Live", timeout=LIVE_MS)
        expect_live(bob)
        expect(notice).to_be_hidden()
        bodies = bob.locator("[data-messages] > .msg .msg-body")
        expect(bodies.filter(has_text=re.compile(r"^Catch-up \d+$"))).to_have_text(
            [f"Catch-up {n}" for n in range(1, 51)]
        )
        # bob's message was stored once, after alice's 50, and confirmed.
        expect(bodies).to_have_text(
            [*(f"Catch-up {n}" for n in range(1, 51)), "Back in a minute"]
        )
        expect(waiting).not_to_have_class(re.compile(r"\bpending\b"))
        expect(bob.get_by_text("Sending…")).to_have_count(0)
        assert Message.objects.filter(body="Back in a minute").count() == 1
        expect(messages(alice).filter(has_text="Back in a minute")).to_have_count(1)
        # Caught up at the bottom of the conversation means read.
        expect(unread_badge(bob, self.direct)).to_be_hidden()
        expect(nav_badge(bob)).to_be_hidden()
        check_page(bob, "direct-bob-caught-up")
        # No reload: the page bob had open is the page that caught up.
        assert bob.evaluate("window.sameDocument") is True

    def test_a_reconnect_asks_for_the_conversation_list_at_most_once(self):
        """The sidebar, the mention badges and the unread total share one
        load of GET /api/v1/conversations (frontend/js/store.js), and it
        brings what changed while the socket was down."""
        bob = self.new_page()
        network = Network(bob)
        asked: list[str] = []

        def count(request: Request) -> None:
            if re.search(r"/api/v1/conversations$", request.url.split("?")[0]):
                asked.append(request.url)

        bob.on("request", count)
        self.open_as(self.bob, conversation_path(self.direct), "direct-bob", page=bob)
        settle(bob)
        assert len(asked) <= 1, asked

        asked.clear()
        network.go_offline()
        expect(connection_status(bob)).to_have_text("Offline")
        # Missed live: only a fresh list can show it.
        group = off_the_loop(
            services.create_group,
            self.alice,
            title="Missed while away",
            member_ids=[self.bob.pk],
        )
        say(self.alice, group, "Are you there?")
        network.go_online()
        expect_live(bob)
        expect(conversation_list(bob)).to_contain_text("# Missed while away")
        expect(unread_badge(bob, group)).to_have_text("unread: 1")
        expect(nav_badge(bob)).to_have_text("unread: 1")
        settle(bob)
        assert len(asked) <= 1, asked

    def test_a_tab_that_was_up_to_date_is_sent_nothing_again_when_it_reconnects(self):
        """The replay of late commits leaves out what the tab already shows:
        the events the page was rendered with and those it got live."""
        before = [say(self.alice, self.direct, f"Before {n}") for n in range(3)]
        bob = self.new_page()
        network = Network(bob)
        frames: list[tuple[str, dict]] = []
        urls: list[str] = []

        def watch(socket: Any) -> None:
            urls.append(socket.url)
            for kind in ("sent", "received"):
                socket.on(
                    f"frame{kind}",
                    lambda text, kind=kind: frames.append((kind, json.loads(text))),
                )

        bob.on("websocket", watch)
        self.open_as(self.bob, conversation_path(self.direct), "direct-bob", page=bob)
        # A message bob gets live (a browser's send reaches the server's
        # channel layer; the test process's would not without Redis).
        alice = self.open_as(self.alice, conversation_path(self.direct), "direct-alice")
        compose(alice, "While connected")
        expect(messages(bob).filter(has_text="While connected")).to_have_count(1)
        live = Message.objects.get(body="While connected")
        shown = {m.pk for m in (*before, live)}

        frames.clear()
        network.go_offline()
        expect(connection_status(bob)).to_have_attribute("data-state", "offline")
        network.go_online()
        expect_live(bob)
        # A function, not an expression: Playwright evals an expression
        # while it polls, which the Content-Security-Policy refuses.
        bob.wait_for_function(
            "() => document.querySelector('[data-messages]')"
            ".getAttribute('aria-busy') === 'false'"
        )
        # The reconnect carries its cursor and what it has in the socket's
        # URL, and the server sends the catch-up unasked.
        syncs = [f for d, f in frames if d == "sent" and f["type"] == "sync"]
        batches = [
            f for d, f in frames if d == "received" and f["type"] == "sync.batch"
        ]
        assert syncs == [] and len(batches) == 1, frames
        query = parse_qs(urlsplit(urls[-1]).query)
        seen = {int(c) for c in query["seen"][0].split(",")}
        stored = Event.objects.filter(payload__message__id__in=shown)
        assert seen >= set(stored.values_list("id", flat=True))
        assert batches[0]["events"] == [], "nothing the page shows is sent again"
        expect(messages(bob)).to_have_count(4)


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class UntrustedTextTests(BrowserTestCase):
    def test_stored_xss_payloads_run_nothing_in_the_recipients_browser(self):
        people = make_people()
        alice, bob = people["alice"], people["bob"]
        direct = off_the_loop(services.get_or_create_direct, alice, other_id=bob.pk)
        path = conversation_path(direct)
        dialogs: list[str] = []

        def ran(dialog: Dialog) -> None:
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()  # a dialog left open would freeze the page

        def opened(user: User, name: str) -> Page:
            page = self.new_page()
            page.on("dialog", ran)
            return self.open_as(user, path, name, page=page)

        sender = opened(alice, "xss-alice")
        reader = opened(bob, "xss-bob")
        # Sent through alice's page, so bob's page renders them live
        # (chat.js), then again from the server's HTML after a reload.
        for payload in XSS_PAYLOADS:
            compose(sender, payload)
            expect(messages(reader)).to_have_count(XSS_PAYLOADS.index(payload) + 1)
        self.assert_inert(reader, dialogs)
        check_page(reader, "xss-bob-live")
        reader.reload()
        check_page(reader, "xss-bob-reloaded")
        expect_live(reader)
        self.assert_inert(reader, dialogs)
        self.assert_inert(sender, dialogs)

    def assert_inert(self, page: Page, dialogs: list[str]) -> None:
        bodies = messages(page).locator(".msg-body")
        expect(bodies).to_have_count(len(XSS_PAYLOADS))
        injected = page.locator(".msg-body").locator(
            "script, img, iframe, svg, style, object, embed, form, math, "
            "video, audio, link, meta, base, [style], [onerror], [onload]"
        )
        expect(injected).to_have_count(0)
        hrefs = bodies.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert all(re.match(r"https?:|mailto:", href) for href in hrefs), hrefs
        # The text is shown, not swallowed.
        for text in XSS_VISIBLE_TEXT:
            expect(bodies.filter(has_text=text).first).to_be_visible()
        # Give a stray handler its chance (an onerror fires on load).
        page.evaluate("() => new Promise(requestAnimationFrame)")
        assert page.evaluate("window.pwned") is None
        assert page.locator("body").is_visible()
        assert dialogs == [], f"a payload ran: {dialogs}"


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '"><iframe src=javascript:alert(1)>',
    '<a href="javascript:alert(1)">click me</a>',
    "<style>body{display:none}</style>",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[spaced](  javascript:alert(1) )",
    "[entity](jav&#x61;script:alert(1))",
    "![img](x onerror=alert(1))",
    "<details open ontoggle=window.pwned=1>",
    "`<script>alert(1)</script>` and **<b onmouseover=alert(1)>bold</b>**",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '[ok](https://example.com/?q=<script>) <https://example.com/"onmouseover="alert(1)>',
]
XSS_VISIBLE_TEXT = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
]


class NewConversationTests(BrowserTestCase):
    def test_picking_one_person_starts_a_direct_chat_and_two_a_named_group(self):
        people = make_people()
        page = self.open_as(people["alice"], "/messages/new/", "new-message")
        expect(page.get_by_role("heading", level=1)).to_have_text("New message")

        page.get_by_role("searchbox", name="Find people").fill("brown")
        page.get_by_role("main").get_by_role("button", name="Search").click()
        check_page(page, "new-message-search")
        expect(page.get_by_role("checkbox")).to_have_count(1)
        page.get_by_role("checkbox", name=re.compile("Bob Brown")).check()
        page.get_by_role("button", name="Start conversation").click()
        page.wait_for_url(re.compile(r"/messages/\d+/$"))
        check_page(page, "new-direct")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bob Brown")
        direct = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
        assert page.url.endswith(conversation_path(direct))

        visit(page, "/messages/new/", "new-message-again")
        page.get_by_role("checkbox", name=re.compile("Bob Brown")).check()
        page.get_by_role("checkbox", name=re.compile("Carol Cruz")).check()
        page.get_by_label("Group name").fill("Launch crew")
        page.get_by_role("button", name="Start conversation").click()
        page.wait_for_url(re.compile(r"/messages/\d+/$"))
        check_page(page, "new-group")
        expect(page.get_by_role("heading", level=1)).to_have_text("Launch crew")
        expect(page.locator(".chat-members")).to_have_text(
            "3 people · Alice Adams, Bob Brown, Carol Cruz"
        )
        group = Conversation.objects.get(kind=Conversation.Kind.GROUP)
        assert page.url.endswith(conversation_path(group))
        assert {m.pk for m in group.members.all()} == {p.pk for p in people.values()}
        listed = conversation_list(page).locator(".convo-name")
        expect(listed).to_have_text(["# Launch crew", "Bob Brown"])

        # Leaving asks first; saying no stays.
        leave = page.get_by_role("button", name="Leave")
        page.once("dialog", lambda dialog: dialog.dismiss())
        leave.click()
        expect(leave).to_be_visible()
        assert page.url.endswith(conversation_path(group))
        page.once("dialog", lambda dialog: dialog.accept())
        leave.click()
        page.wait_for_url("**/messages/")
        check_page(page, "left-group")
        flash = page.get_by_role("status").filter(has_text="You left the conversation.")
        expect(flash).to_be_visible()
        expect(listed).to_have_text(["Bob Brown"])


class PhoneTests(BrowserTestCase):
    def test_a_conversation_is_usable_on_a_phone(self):
        people = make_people()
        alice, bob = people["alice"], people["bob"]
        direct = off_the_loop(services.get_or_create_direct, alice, other_id=bob.pk)
        say(bob, direct, "A long line " + "with many words " * 20)
        say(bob, direct, "https://example.com/" + "a-very-long-path-segment" * 8)
        say(bob, direct, "`" + "unbroken" * 30 + "`")
        page = self.open_as(
            alice,
            conversation_path(direct),
            "direct-phone",
            PHONE,
            has_touch=True,
            is_mobile=True,
        )
        assert_no_horizontal_scroll(page)
        box = composer(page)
        expect(box).to_be_in_viewport()
        expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
        compose(page, "Sent from my phone")
        sent = messages(page).filter(has_text="Sent from my phone")
        expect(sent).to_be_in_viewport()
        expect(sent).not_to_have_class(re.compile(r"\bpending\b"))
        assert_no_horizontal_scroll(page)
        check_page(page, "direct-phone-sent")

        # No hover on a touch screen: a tap on a message shows its actions.
        actions = sent.get_by_role("group", name="Message actions")
        expect(actions).to_be_hidden()
        sent.locator(".msg-body").tap()
        expect(actions).to_be_in_viewport()
        check_page(page, "direct-phone-actions")
        # A thread takes the whole width, and closes back to the chat.
        actions.get_by_role("button", name="Reply in thread").tap()
        panel = page.get_by_role("complementary", name="Thread")
        expect(panel).to_be_in_viewport()
        expect(panel.get_by_role("textbox", name="Reply in thread")).to_be_in_viewport()
        assert_no_horizontal_scroll(page)
        check_page(page, "thread-phone")
        panel.get_by_role("button", name="Close thread").tap()
        expect(box).to_be_in_viewport()

        back = page.get_by_role("link", name="All conversations")
        expect(back).to_be_in_viewport()
        size = back.bounding_box()
        assert size and size["width"] >= 44 and size["height"] >= 44, size
        back.tap()
        page.wait_for_url("**/messages/")
        check_page(page, "inbox-phone")
        assert_no_horizontal_scroll(page)
        conversation_list(page).get_by_role("link", name="Bob Brown").tap()
        page.wait_for_url(f"**{conversation_path(direct)}")
        check_page(page, "direct-phone-again")
        expect(composer(page)).to_be_in_viewport()

        visit(page, "/messages/new/", "new-message-phone")
        assert_no_horizontal_scroll(page)
