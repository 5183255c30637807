"""The API reference (/api/v1/docs) in a real browser."""

import re

from playwright.sync_api import Page, Request, Route, expect

from tests.browser.base import PHONE, BrowserTestCase, check_page

# What a strict Content-Security-Policy header allows: scripts from this
# site's files only, nothing inline. The page must work under it.
STRICT_SCRIPTS = "script-src 'self'; object-src 'none'"


class APIReferenceTests(BrowserTestCase):
    def open_reference(self, page: Page, name: str) -> list[str]:
        """Open /api/v1/docs under STRICT_SCRIPTS, wait for Redoc to draw it
        and check it; return what the page tried to load from elsewhere
        without the browser's own policy stopping it."""
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

        def with_policy(route: Route) -> None:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": STRICT_SCRIPTS}
            route.fulfill(response=response, headers=headers)

        page.route("**/api/v1/docs", with_policy)
        response = page.goto("/api/v1/docs")
        assert response is not None and response.ok, response
        # Redoc draws the reference once it has fetched the schema.
        expect(page.get_by_role("heading", level=1)).to_contain_text("Canteen API")
        check_page(page, name)
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
