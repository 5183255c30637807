"""The API reference (/api/v1/docs) in a real browser."""

import re

from playwright.sync_api import Page, Request, expect

from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    check_page,
    csp_violations,
    forget_csp_violations,
)

# Redoc's bundle always asks its CDN for a logo; the policy stops it, so
# nothing leaves the site. That is the one violation the page may report.
REDOC_LOGO = "https://cdn.redoc.ly/"


# How long Redoc may take to draw the whole reference.
REDOC_MS = 30_000


class APIReferenceTests(BrowserTestCase):
    def open_reference(self, page: Page, name: str) -> list[str]:
        """Open /api/v1/docs under the site's own policy, wait for Redoc to
        draw it and check it; return what the page tried to load from
        elsewhere without the browser's policy stopping it."""
        escaped: list[str] = []

        def local(request: Request) -> bool:
            return request.url.startswith((self.live_server_url, "data:"))

        page.on(
            "requestfinished",
            lambda r: None if local(r) else escaped.append(f"{r.url} finished"),
        )
        page.on(
            "requestfailed",
            lambda r: (
                None
                if local(r) or r.failure == "csp"
                else escaped.append(f"{r.url} {r.failure}")
            ),
        )
        script_errors: list[str] = []
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        page.on(
            "console",
            lambda m: (
                script_errors.append(m.text)
                if "Content Security Policy" in m.text and "script" in m.text
                else None
            ),
        )

        response = page.goto("/api/v1/docs")
        assert response is not None and response.ok, response
        policy = response.headers["content-security-policy"]
        # The directives come in no fixed order.
        directives = {
            name: sources
            for name, *sources in (d.split() for d in policy.split(";") if d.strip())
        }
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        # Redoc draws the reference once it has fetched the schema: some
        # seconds for a schema of a hundred operations on a busy machine.
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Canteen API", timeout=REDOC_MS
        )
        page.wait_for_load_state("networkidle")
        refused = csp_violations(page)
        assert all(REDOC_LOGO in v for v in refused), refused
        forget_csp_violations(page)
        # The reference is dozens of screens long: its first one is enough.
        check_page(page, name, full_page=False)
        assert script_errors == []
        return escaped

    def test_the_api_reference_lists_every_endpoint_accessibly(self):
        self.make_personas()
        page = self.new_page()
        self.sign_in_as(page, self.alice)

        escaped = self.open_reference(page, "api-docs")

        assert page.evaluate("document.documentElement.lang") == "en"
        reference = page.get_by_role("main")
        for endpoint in ("Me", "Search Messages", "Send Message"):
            heading = reference.locator("h2", has_text=re.compile(rf"^{endpoint}\s*$"))
            expect(heading).to_have_count(1)
        expect(reference).to_contain_text('{"error": "…"}')
        page.wait_for_load_state("networkidle")
        assert escaped == [], f"The reference loaded from elsewhere: {escaped}"

    def test_the_api_reference_reads_on_a_phone(self):
        self.make_personas()
        page = self.new_page(viewport=PHONE)
        self.sign_in_as(page, self.alice)

        self.open_reference(page, "api-docs-phone")
