"""What a tab's socket does when the server or the network cannot serve it.

The server side of a Redis outage (a socket accepted, then closed with
4503 before hello) is played by Playwright's WebSocket router, so the test
measures socket.js alone: the real outage is in tests/scaleout/test_faults.py.
"""

import re
import time

from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from messaging import services
from messaging.models import Message
from tests.browser.base import (
    DESKTOP,
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    check_page,
    connection_status,
    off_the_loop,
)

OUTAGE_SECONDS = 10
# Backoff from 0.5 s doubling, full jitter: 4 to 6 attempts in 10 s, more
# than 8 about once in a thousand runs. Resetting on every accepted socket
# made it about 40.
MOST_ATTEMPTS = 8


class Server:
    """Pass sockets through, or play a server whose Redis is down."""

    def __init__(self, page: Page) -> None:
        self.down = False
        self.attempts = 0
        self.sockets: list[WebSocketRoute] = []
        self.refusing: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/(\?.*)?$"), self.route)

    def route(self, socket: WebSocketRoute) -> None:
        if self.down:
            # Accepted (the tab sees "open"), refused by refuse() soon
            # after, without a hello: as the server does.
            self.attempts += 1
            self.refusing.append(socket)
            return
        socket.connect_to_server()
        self.sockets.append(socket)

    def refuse(self) -> None:
        for socket in self.refusing:
            socket.close(code=4503, reason="")
        self.refusing.clear()

    def lose_redis(self) -> None:
        self.down = True
        for socket in self.sockets:
            socket.close(code=4503, reason="")
        self.sockets.clear()


class ConnectionStatusTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()

    def test_a_refusing_server_is_retried_with_backoff_and_the_tab_says_so(self):
        page = self.new_page()
        server = Server(page)
        self.open_as(self.alice, "/", "connection-live", page=page)
        status = connection_status(page)
        expect(status).to_have_text("Live")

        server.lose_redis()
        expect(status).to_have_text("Reconnecting…", timeout=5_000)
        lost_at = time.monotonic()
        while time.monotonic() - lost_at < OUTAGE_SECONDS:
            page.wait_for_timeout(100)
            server.refuse()
            # Never "Live" without the server's hello.
            assert status.text_content() == "Reconnecting…"
        attempts = server.attempts
        assert 1 <= attempts <= MOST_ATTEMPTS, attempts

        server.down = False
        server.refuse()
        # The next attempt comes within the backoff's ceiling (10 s).
        expect(status).to_have_text("Live", timeout=15_000)


class Silence:
    """Pass a page's socket frames through, or drop them both ways.

    A network that vanishes without closing anything: the browser fires no
    offline event and the socket stays open, but nothing gets through. New
    sockets are refused meanwhile, as a dead network would.
    """

    def __init__(self, page: Page) -> None:
        self.silent = False
        page.route_web_socket(re.compile(r"/ws/(\?.*)?$"), self.route)

    def route(self, socket: WebSocketRoute) -> None:
        if self.silent:
            socket.close(code=1001, reason="")
            return
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if not self.silent:
                socket.send(message)

        def to_server(message: str | bytes) -> None:
            if not self.silent:
                server.send(message)

        server.on_message(to_page)
        socket.on_message(to_server)


def open_dm(test: BrowserTestCase, page: Page | None = None) -> tuple[Page, Page]:
    """Open alice and bob's direct conversation in two browsers: (alice, bob)."""
    direct = off_the_loop(
        services.get_or_create_direct, test.alice, other_id=test.bob.pk
    )
    path = f"/messages/{direct.pk}/"
    bob = test.open_as(test.bob, path, "honest-bob")
    alice = test.open_as(test.alice, path, "honest-alice", page=page)
    return alice, bob


def send_from(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name=re.compile(r"^Message "))
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def bodies(page: Page) -> Locator:
    return page.locator("[data-messages] > .msg .msg-body")


class HonestConnectionTests(BrowserTestCase):
    """The tab says it is offline within seconds, and what waits goes after."""

    def setUp(self) -> None:
        self.make_personas()

    def test_offline_shows_at_once_and_waiting_messages_go_in_order_when_back(self):
        alice, bob = open_dm(self)
        status = connection_status(alice)
        dot = alice.locator(f'.chat-head [data-presence-user="{self.bob.pk}"]')
        expect(dot).to_have_attribute("data-state", "online")

        alice.context.set_offline(True)
        # Chromium keeps the open socket open: the browser's offline event
        # is what tells the tab, within a moment.
        expect(status).to_have_text("Offline", timeout=3_000)
        expect(alice.locator("[data-offline-notice]")).to_contain_text("offline")
        # The tab cannot know who is online now: no green dot.
        expect(dot).to_have_attribute("data-state", "unknown")
        expect(dot).to_have_attribute("aria-label", "unknown")
        send_from(alice, "First while offline")
        send_from(alice, "Second while offline")
        waiting = alice.locator("[data-messages] > .msg.pending")
        expect(waiting).to_have_count(2)
        expect(waiting.first).to_contain_text("Waiting for connection")
        expect(waiting.last).to_contain_text("Waiting for connection")
        check_page(alice, "honest-offline")
        alice.set_viewport_size(PHONE)
        check_page(alice, "honest-offline-phone")
        alice.set_viewport_size(DESKTOP)

        alice.context.set_offline(False)
        expect(status).to_have_text("Live", timeout=LIVE_MS)
        expect(dot).to_have_attribute("data-state", "online", timeout=LIVE_MS)
        expect(waiting).to_have_count(0, timeout=LIVE_MS)
        expected = ["First while offline", "Second while offline"]
        expect(bodies(bob)).to_have_text(expected, timeout=LIVE_MS)
        expect(bodies(alice)).to_have_text(expected)
        assert (
            list(Message.objects.order_by("pk").values_list("body", flat=True))
            == expected
        )

    def test_a_socket_that_stops_answering_is_noticed_within_seconds(self):
        page = self.new_page()
        silence = Silence(page)
        alice, bob = open_dm(self, page=page)
        status = connection_status(alice)

        silence.silent = True  # no offline event, no close: just nothing
        started = time.monotonic()
        send_from(alice, "Into the void")
        echo = alice.locator("[data-messages] > .msg.pending")
        # No answer to the send: a ping asks, no pong, the socket is dead.
        expect(status).to_have_text("Reconnecting…", timeout=8_000)
        assert time.monotonic() - started < 8
        expect(echo).to_contain_text("Waiting for connection")

        silence.silent = False
        expect(status).to_have_text("Live", timeout=LIVE_MS)
        expect(echo).to_have_count(0, timeout=LIVE_MS)
        expect(bodies(bob)).to_have_text(["Into the void"], timeout=LIVE_MS)
        assert Message.objects.filter(body="Into the void").count() == 1
