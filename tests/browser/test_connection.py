"""What a tab's socket does when the server cannot serve it.

The server side of a Redis outage (a socket accepted, then closed with
4503 before hello) is played by Playwright's WebSocket router, so the test
measures socket.js alone: the real outage is in tests/scaleout/test_faults.py.
"""

import re
import time

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.base import BrowserTestCase, connection_status

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
