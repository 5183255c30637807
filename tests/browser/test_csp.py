"""The Content-Security-Policy holds on every page in a real browser.

check_page() (tests/browser/base.py) fails on any violation, on every page
any browser test opens; this walks every page once, the API docs too, and
proves the check itself catches a violation.
"""

from django.test import override_settings
from playwright.sync_api import expect

from messaging import services
from tests.base import PASSWORD
from tests.browser.base import (
    LIVE_MS,
    BrowserTestCase,
    assert_no_csp_violations,
    connection_status,
    csp_violations,
    expect_live,
    forget_csp_violations,
    off_the_loop,
    visit,
)
from tests.browser.test_messaging import (
    compose,
    conversation_path,
    messages,
    say,
)

# What user text renders to: a chip, code, a link and an aligned table.
RICH = (
    "Hi @**Bob Brown**, see `code` and https://example.com/\n\n"
    "| left | centre | right |\n|:-|:-:|-:|\n| 1 | 2 | 3 |\n\n"
    "```\nblock\n```"
)


@override_settings(MESSAGE_SEND_BURST=200, MESSAGE_SEND_PER_MINUTE=6000)
class ContentSecurityPolicyTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        say(self.alice, self.direct, RICH)

    def test_no_page_breaks_the_policy(self):
        page = self.new_page()
        for path, name in {
            "/accounts/signup/": "csp-sign-up",
            "/accounts/password/reset/": "csp-password-reset",
            "/accounts/login/": "csp-login",
        }.items():
            visit(page, path, name)
        page.get_by_label("Email").fill(self.bob.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.live_server_url}/")
        assert_no_csp_violations(page)

        pages = {
            "/": "csp-home",
            "/messages/": "csp-messages",
            "/messages/new/": "csp-new-message",
            "/messages/search/?q=code": "csp-search",
            "/search/?q=code": "csp-search-everything",
            "/people/": "csp-people",
            f"/people/{self.alice.pk}/": "csp-profile",
            "/settings/tokens/": "csp-tokens",
        }
        for path, name in pages.items():
            with self.subTest(path):
                visit(page, path, name)
                # The socket connected: connect-src lets it through.
                expect(connection_status(page)).to_have_text("Live", timeout=LIVE_MS)
                assert_no_csp_violations(page)

        # allauth's pages for a signed-in person (no socket on them).
        visit(page, "/accounts/email/", "csp-email")
        visit(page, "/accounts/password/change/", "csp-password-change")

        visit(page, conversation_path(self.direct), "csp-conversation")
        expect_live(page)
        body = messages(page).first.locator(".msg-body")
        expect(body.locator(".mention")).to_have_text("@Bob Brown")
        # The table keeps its alignment without a style attribute.
        right = body.locator("td").nth(2)
        expect(right).to_have_css("text-align", "right")
        # Sending over the socket still works.
        compose(page, "live **too**")
        expect(messages(page).last.locator(".msg-body")).to_have_text("live too")
        assert_no_csp_violations(page)

    def test_the_check_sees_a_violation(self):
        page = self.new_page()
        self.sign_in_as(page, self.alice)
        visit(page, "/", "csp-control")
        assert csp_violations(page) == []
        # What an injection would try: an inline script and an inline style.
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.ran = true";
              document.body.append(script);
              document.body.insertAdjacentHTML(
                "beforeend", '<p style="color: red">styled</p>'
              );
            }"""
        )
        assert page.evaluate("window.ran") is None

        def both_seen() -> bool:
            found = " ".join(csp_violations(page))
            return "script-src-elem" in found and "style-src-attr" in found

        page.wait_for_function("() => window.__cspViolations.length >= 2")
        assert both_seen(), csp_violations(page)
        # Forget them, or the test's own clean-up check fails on them.
        forget_csp_violations(page)
        assert csp_violations(page) == []
