"""Browser tests: Daphne serves Canteen, headless Chromium drives it.

Every page a test looks at goes through check_page() (visit() calls it): it
saves a screenshot to tests/browser/screenshots/ and fails on any serious or
critical axe-core violation or any Content-Security-Policy violation, so each
new browser test checks accessibility and the policy without asking. Every
page a test opens fails the test on a JavaScript error (BrowserTestCase.new_page
watches them all), and BrowserTestCase.open_as() is the one way to open a
page as someone. The policy forbids eval, so pass page.wait_for_function() a
function ("() => …"): Playwright evals a bare expression in the page while
it polls.
"""

import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar
from unittest import mock
from weakref import WeakKeyDictionary

import pytest
from asgiref.sync import SyncToAsync
from axe_playwright_python.sync_playwright import Axe
from channels.layers import channel_layers
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from profiles.models import User
from tests.base import make_people, session_cookie_for

SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=375, height=740)
# Debian's Chromium, offline: no sandbox (containers), no GPU, and none of the
# background traffic to Google that would slow start-up or hang without a
# network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("critical", "serious")
# A page that fails a step fails in seconds, not Playwright's default 30.
TIMEOUT_MS = 10_000
# Socket events reach the other browser in milliseconds; this bounds a slow
# CI machine, and a reconnect's backoff.
LIVE_MS = 15_000

_axe = Axe()

# Records every Content-Security-Policy violation the page reports. An init
# script runs before the page's own and is itself exempt from the policy.
RECORD_CSP_VIOLATIONS = """
(() => {
  const seen = (window.__cspViolations = []);
  document.addEventListener("securitypolicyviolation", (event) => {
    const { effectiveDirective, blockedURI, sourceFile, lineNumber } = event;
    const where = sourceFile ? ` (${sourceFile}:${lineNumber})` : "";
    seen.push(`${effectiveDirective} refused ${blockedURI || "inline"}${where}`);
  }, true);
})();
"""

P = ParamSpec("P")
R = TypeVar("R")


def off_the_loop(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call `function` in a thread of its own and return what it returns.

    Playwright's sync API keeps an event loop running in the test thread,
    where async_to_sync refuses to run; services publish with it on commit.
    In its own thread a service runs as it would in a view, and publishes
    to the test's channel layer (with Redis, the server's too).
    """

    def call() -> R:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def chromium_executable() -> str:
    """Return the path of Debian's Chromium.

    Without it, skip with the command that installs it, except in CI (CI
    set), where a missing browser must fail the run rather than quietly drop
    the browser tests.
    """
    path = shutil.which("chromium")
    if path:
        return path
    if in_ci():
        pytest.fail(
            "The browser tests need Chromium and CI is set, so they may not "
            "skip: install Debian's chromium (apt-get install chromium) on the "
            "CI machine.",
            pytrace=False,
        )
    pytest.skip(
        "The browser tests need Chromium: sudo apt-get install chromium "
        "(Playwright drives Debian's build, so no `playwright install`)."
    )


def accessibility_report(violations: list[dict[str, Any]]) -> str:
    """Return axe-core violations as a readable list, one node per line."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"  - {target}\n      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> None:
    """Fail when axe-core finds a serious or critical violation on `page`."""
    violations = _axe.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        raise AssertionError(
            f"Page {name!r} ({page.url}) has {len(blocking)} serious or critical "
            f"accessibility violation(s); screenshot: "
            f"{SCREENSHOTS / name}.png\n{accessibility_report(blocking)}"
        )


# Chromium's console errors about the policy, by page.
_csp_console_errors: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()


def csp_violations(page: Page) -> list[str]:
    """Return the Content-Security-Policy violations `page` has reported:
    events in its current document and Chromium's console errors since it
    opened (a page from new_page(), or one opened in its context)."""
    events = page.evaluate("window.__cspViolations || []")
    return [*events, *_csp_console_errors.get(page, [])]


def forget_csp_violations(page: Page) -> None:
    """Clear what `page` has reported: for a test that breaks the policy on
    purpose."""
    page.evaluate("window.__cspViolations = []")
    _csp_console_errors.pop(page, None)


def assert_no_csp_violations(page: Page) -> None:
    violations = csp_violations(page)
    assert not violations, (
        f"{page.url} broke the Content-Security-Policy:\n" + "\n".join(violations)
    )


def _record_csp_console_errors(context: BrowserContext) -> None:
    def on_console(message: ConsoleMessage) -> None:
        page = message.page
        if page and message.type == "error" and "Content Security" in message.text:
            _csp_console_errors.setdefault(page, []).append(message.text)

    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.on("console", on_console)


def check_page(page: Page, name: str, *, full_page: bool = True) -> None:
    """Let the page settle, save screenshots/<name>.png, run axe-core and
    fail on any Content-Security-Policy violation.

    Call it on every page a test reaches, however it got there. A page
    many screens long (the API reference) takes its first screen only:
    drawing all of it outlasts the screenshot's timeout on a busy machine.
    """
    page.wait_for_load_state("load")
    # On signed-in pages, wait until the socket has answered (any state), so
    # the screenshot and axe see the settled connection indicator.
    status = page.locator("[data-connection-status]")
    if status.count():
        expect(status.first).to_have_attribute("data-state", re.compile(".+"))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)
    assert_no_csp_violations(page)
    assert_accessible(page, name)


def visit(page: Page, path: str, name: str) -> None:
    """Open `path` (relative to the live server) and check the page."""
    response = page.goto(path)
    assert response is not None and response.ok, f"GET {path}: {response}"
    check_page(page, name)


def connection_status(page: Page) -> Locator:
    """Return the connection indicator the page shows (sidebar or top bar)."""
    return page.locator("[data-connection-status]").filter(visible=True)


def expect_live(page: Page) -> None:
    """Wait until a signed-in page is connected and, on a conversation, has
    caught up."""
    expect(connection_status(page)).to_have_text("Live", timeout=LIVE_MS)
    messages = page.locator("[data-messages]")
    if messages.count():
        expect(messages).to_have_attribute("aria-busy", "false")


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, (
        f"{page.url} scrolls sideways at {width}px: the page is {scroll_width}px wide."
    )


def tab_to(page: Page, target: Locator, *, limit: int = 15) -> None:
    """Press Tab until `target` has focus; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {limit} presses of Tab.")


def sign_in(page: Page, email: str, password: str, *, name: str = "sign-in") -> None:
    """Sign in through the real sign-in form (checked as page `name`)."""
    visit(page, "/accounts/login/", name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


# Flushes tried between two tests when one deadlocks with the server.
FLUSH_ATTEMPTS = 4


@pytest.mark.browser
class BrowserTestCase(ChannelsLiveServerTestCase):
    """Serve the app with Daphne (HTTP and WebSocket) to one Chromium.

    Daphne and the browser start once per class; each test gets a fresh
    browser context (no cookies) from new_page().
    """

    playwright: ClassVar[Playwright]
    browser: ClassVar[Browser]
    _browser_stack: ClassVar[ExitStack]

    @classmethod
    def setUpClass(cls) -> None:
        # Before anything starts, so a skip leaves no Daphne process behind.
        executable = chromium_executable()
        cls._browser_stack = ExitStack()
        # The server process points the database at TEST["NAME"], or when
        # that is unset at "test_" + NAME; but NAME already names the test
        # database by then, so on PostgreSQL it looks for test_test_canteen
        # (django/channels#2176). Pin TEST["NAME"] to the database in use.
        database = settings.DATABASES["default"]
        cls._browser_stack.enter_context(
            mock.patch.dict(database.setdefault("TEST", {}), NAME=database["NAME"])
        )
        # The Daphne process is forked from this one: it must not inherit an
        # open database socket (or a pool of them) that both would then use.
        for connection in connections.all(initialized_only=True):
            connection.close()
            close_pool = getattr(connection, "close_pool", None)
            if close_pool is not None:
                close_pool()
        # Nor state tied to this process's threads and event loops: the
        # channel layer's queues, and asgiref's one-thread executor for
        # database_sync_to_async, whose thread (started by earlier socket
        # tests) would not exist in the child, so every ORM call there hung.
        channel_layers.backends.clear()
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        try:
            super().setUpClass()  # forks the Daphne process
        except BaseException:
            cls._browser_stack.close()
            raise
        try:
            # Playwright's sync API runs an asyncio event loop in this thread,
            # so Django would refuse every ORM call made here (setUp, the
            # tests, the flush between tests) as unsafe in an async context.
            # No coroutine of ours touches the database in this thread, so
            # the check is off while the browser runs. It goes on only after
            # Daphne has forked, so the server keeps the check.
            cls._browser_stack.enter_context(
                mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"})
            )
            cls.playwright = cls._browser_stack.enter_context(sync_playwright())
            cls.browser = cls.playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            cls._browser_stack.callback(cls.browser.close)
        except BaseException:
            cls._browser_stack.close()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls._browser_stack.close()
        super().tearDownClass()

    def _fixture_teardown(self) -> None:
        # Daphne may still be ending a closed tab's last request inside a
        # transaction while the flush truncates every table; PostgreSQL
        # breaks that deadlock by failing one side, and then the next test
        # starts on this one's rows. The tab's work ends within moments:
        # flush again.
        for attempt in range(FLUSH_ATTEMPTS):
            try:
                super()._fixture_teardown()  # type: ignore[misc]
                return
            except CommandError as exc:
                last = attempt == FLUSH_ATTEMPTS - 1
                if last or "deadlock" not in str(exc.__cause__):
                    raise
                time.sleep(0.5)

    alice: User
    bob: User
    carol: User

    def make_personas(self) -> None:
        """alice, bob (her manager) and carol (tests.base.make_people) as
        self.alice, self.bob and self.carol."""
        people = make_people()
        self.alice, self.bob, self.carol = (
            people[n] for n in ("alice", "bob", "carol")
        )

    def new_page(self, viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        """Return a page in a fresh browser context, closed after the test.

        A JavaScript error on this page, or on any other tab of its context,
        fails the test. `options` go to Browser.new_context (e.g.
        has_touch=True).
        """
        context = self.browser.new_context(
            base_url=self.live_server_url, viewport=viewport, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []

        def watch(page: Page) -> None:
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

        def no_errors() -> None:
            assert not errors, "JavaScript errors:\n" + "\n".join(errors)

        context.on("page", watch)
        # Cleanups run last-in first-out: the context closes, then the check.
        self.addCleanup(no_errors)
        self.addCleanup(context.close)
        _record_csp_console_errors(context)

        def no_csp_violations() -> None:
            # Pages not checked since, whatever they did after check_page().
            for opened in context.pages:
                errors = _csp_console_errors.get(opened, [])
                assert not errors, f"{opened.url} broke the CSP: {errors}"

        self.addCleanup(no_csp_violations)
        return context.new_page()

    def open_as(
        self,
        user: User,
        path: str,
        name: str,
        viewport: ViewportSize = DESKTOP,
        *,
        page: Page | None = None,
        **options: Any,
    ) -> Page:
        """Open `path` as `user`, check it as page `name`, and wait until it
        is live; return the page.

        In a fresh browser context (new_page, with `viewport` and `options`)
        unless `page` is given: a page prepared by the test, or another tab
        of an open context (page.context.new_page()). A context without a
        session yet is signed in as `user`. Any JavaScript error fails the
        test (new_page).
        """
        if page is None:
            page = self.new_page(viewport, **options)
        cookies = page.context.cookies(self.live_server_url)
        if not any(c["name"] == settings.SESSION_COOKIE_NAME for c in cookies):
            self.sign_in_as(page, user)
        visit(page, path, name)
        expect_live(page)
        return page

    def sign_in_as(self, page: Page, user: User) -> None:
        """Give `page` a signed-in session for `user`, skipping the form.

        For tests about other pages; the form has its own tests.
        """
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie_for(user),
                    "url": self.live_server_url,
                }
            ]
        )
