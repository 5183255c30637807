"""Signing in and out of the demo company in a real browser, desktop and phone."""

import io

from django.core.management import call_command
from playwright.sync_api import Page, expect

from profiles.demo import DEMO_LOGIN
from profiles.factories import DEMO_PASSWORD
from tests.browser.base import (
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    off_the_loop,
    sign_in,
    tab_to,
    visit,
)


class SignInTests(BrowserTestCase):
    def setUp(self) -> None:
        # Off Playwright's event loop: the demo's services publish on commit.
        off_the_loop(call_command, "demo_company", verbosity=0, stdout=io.StringIO())

    def assert_home(self, page: Page) -> None:
        page.wait_for_url(f"{self.live_server_url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Good to see you, Alex"
        )
        starters = page.get_by_role("region", name="New this week")
        expect(starters).to_be_visible()
        expect(starters.get_by_role("listitem")).to_have_count(2)

    def test_demo_user_signs_in_and_the_home_page_goes_live(self):
        page = self.new_page()
        sign_in(page, DEMO_LOGIN, DEMO_PASSWORD)
        self.assert_home(page)
        status = page.locator("[data-connection-status]").filter(visible=True)
        expect(status).to_have_count(1)
        expect(status).to_have_attribute("data-state", "live")
        expect(status).to_have_text("Live")
        check_page(page, "home")

    def test_phone_layout_fits_and_the_menu_works_from_the_keyboard(self):
        page = self.new_page(PHONE)
        sign_in(page, DEMO_LOGIN, DEMO_PASSWORD, name="sign-in-phone")
        self.assert_home(page)
        check_page(page, "home-phone")
        assert_no_horizontal_scroll(page)
        status = page.locator(".topbar [data-connection-status]")
        expect(status).to_be_visible()
        expect(status).to_have_attribute("data-state", "live")

        toggle = page.get_by_role("button", name="Menu")
        navigation = page.get_by_role("navigation", name="Main")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(navigation).to_be_hidden()

        tab_to(page, toggle)
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(navigation).to_be_visible()
        # Past Home, Spaces and each of the demo person's spaces, People, …
        tab_to(page, navigation.get_by_role("link", name="API tokens"), limit=30)
        check_page(page, "home-phone-menu")
        assert_no_horizontal_scroll(page)

        toggle.focus()
        page.keyboard.press("Space")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(navigation).to_be_hidden()

    def test_wrong_password_shows_an_error_and_the_right_one_signs_in(self):
        page = self.new_page()
        page.goto("/accounts/login/")
        # Canteen's own sign-in page, not allauth's bare one.
        expect(page).to_have_title("Sign in · Canteen")
        sign_in(page, DEMO_LOGIN, "not-the-password")
        expect(page.get_by_text("not correct")).to_be_visible()
        check_page(page, "sign-in-wrong-password")
        expect(page.get_by_label("Email")).to_have_value(DEMO_LOGIN)

        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        self.assert_home(page)
        check_page(page, "home-after-retry")

    def test_sign_out_from_the_sidebar_returns_to_sign_in(self):
        page = self.new_page()
        sign_in(page, DEMO_LOGIN, DEMO_PASSWORD)
        self.assert_home(page)

        navigation = page.get_by_role("navigation", name="Main")
        navigation.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{self.live_server_url}/accounts/login/")
        check_page(page, "signed-out")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()

        # Signed out for real: the home page sends us back to sign in.
        visit(page, "/", "signed-out-home")
        expect(page).to_have_url(f"{self.live_server_url}/accounts/login/?next=/")
