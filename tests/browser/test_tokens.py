"""The API tokens page in a real browser."""

import re

from playwright.sync_api import expect

from tests.base import make_people
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    visit,
)


class TokenPageTests(BrowserTestCase):
    def test_creating_a_token_shows_it_once(self):
        alice = make_people()["alice"]
        page = self.open_as(alice, "/settings/tokens/", "tokens")
        expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
        expect(page.get_by_text("You have no tokens yet.")).to_be_visible()
        name = page.get_by_label("Name")
        expect(name).to_have_accessible_description(re.compile("What uses it"))

        # Without a name, the form says what is missing and makes nothing.
        page.get_by_role("button", name="Create token").click()
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_have_accessible_description(
            re.compile("This field is required.")
        )
        check_page(page, "tokens-error")
        expect(page.get_by_label("Token", exact=True)).to_have_count(0)

        name.fill("Deploy bot")
        page.get_by_label("Read and write").check()
        page.get_by_role("button", name="Create token").click()
        expect(page.get_by_role("alert")).to_contain_text("Your new token")
        token = page.get_by_label("Token", exact=True).input_value()
        assert re.fullmatch(r"cnt_[0-9a-f]{12}_[\w-]{43}", token), token
        tokens = page.get_by_role("region", name="Your tokens")
        expect(tokens.get_by_role("row", name="Deploy bot")).to_be_visible()
        check_page(page, "tokens-created")

        # The token works for a script that has no session.
        api = self.playwright.request.new_context(base_url=self.live_server_url)
        self.addCleanup(api.dispose)
        bearer = {"Authorization": f"Bearer {token}"}
        me = api.get("/api/v1/me", headers=bearer)
        assert me.ok and me.json()["email"] == alice.email, me.text()

        # Shown once: the next visit lists the token but not its secret.
        visit(page, "/settings/tokens/", "tokens-listed")
        expect(tokens.get_by_role("row", name="Deploy bot")).to_contain_text("Active")
        expect(page.get_by_label("Token", exact=True)).to_have_count(0)
        assert token not in page.content()

        page.set_viewport_size(PHONE)
        check_page(page, "tokens-phone")
        assert_no_horizontal_scroll(page)

        page.get_by_role("button", name="Revoke Deploy bot").click()
        expect(page.get_by_role("status").filter(has_text="Revoked")).to_be_visible()
        expect(tokens.get_by_role("row", name="Deploy bot")).to_contain_text("Revoked")
        check_page(page, "tokens-revoked-phone")
        assert api.get("/api/v1/me", headers=bearer).status == 401
