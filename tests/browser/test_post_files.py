"""Files on posts in two real browsers: alice attaches an image and a PDF
to a post from the space's composer, bob sees them arrive live."""

import tempfile
from pathlib import Path

from playwright.sync_api import FilePayload, Page, expect

from feeds import services
from feeds.models import Space
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    off_the_loop,
)
from tests.messaging.files import image_bytes, pdf_bytes

SHOTS = Path(tempfile.gettempdir()) / "feeds-shots"


def pdf(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def png(name: str) -> FilePayload:
    return {
        "name": name,
        "mimeType": "image/png",
        "buffer": image_bytes("PNG", (1200, 800)),
    }


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


class PostFilesTest(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.space: Space = off_the_loop(
            services.create_space,
            self.alice,
            name="Gardening",
            visibility=Space.Visibility.CLOSED,
        )
        off_the_loop(
            services.add_members,
            self.alice,
            space_id=self.space.pk,
            user_ids=[self.bob.pk],
        )
        self.path = self.space.get_absolute_url()

    def test_an_image_and_a_file_posted_come_live_to_another_member(self):
        alice = self.open_as(self.alice, self.path, "post-files-author")
        bob = self.open_as(self.bob, self.path, "post-files-member")

        composer = alice.locator("[data-composer]")
        attach = composer.get_by_role("button", name="Attach files")
        expect(attach).to_be_visible()
        # The keyboard opens the file chooser too.
        with alice.expect_file_chooser() as chooser:
            attach.press("Enter")
        chooser.value.set_files([png("tomatoes.png"), pdf("plan.pdf")])
        pending = composer.get_by_role("list", name="Files to post").get_by_role(
            "listitem"
        )
        expect(pending).to_have_count(2)
        expect(composer.locator(".file-chip[data-state=done]")).to_have_count(2)
        # A preview can be removed again, and a third file added back.
        composer.locator("[data-attach-input]").set_input_files([png("extra.png")])
        expect(pending).to_have_count(3)
        composer.get_by_role("button", name="Remove extra.png").click()
        expect(pending).to_have_count(2)
        shoot(alice, "post-files-composer")

        alice.get_by_label("Post in Gardening").fill("First harvest")
        alice.get_by_role("button", name="Post", exact=True).click()
        mine = alice.locator("[data-posts] > .post", has_text="First harvest")
        expect(mine.get_by_role("img", name="tomatoes.png")).to_be_visible()
        expect(pending).to_have_count(0)

        new = bob.get_by_role("button", name="1 new post")
        expect(new).to_be_visible(timeout=LIVE_MS)
        new.click()
        card = bob.locator("[data-posts] > .post", has_text="First harvest")
        image = card.get_by_role("img", name="tomatoes.png")
        expect(image).to_be_visible()
        # The thumbnail really loaded (the server let bob have it).
        bob.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        link = card.get_by_role("link", name="plan.pdf")
        expect(link).to_contain_text("PDF")
        expect(link).to_have_attribute("download", "plan.pdf")
        full = card.locator("a.attachment-image")
        response = bob.request.get(full.get_attribute("href") or "")
        assert response.status == 200
        assert response.headers["content-type"] == "image/png"
        check_page(bob, "post-files-live")
        shoot(bob, "post-files-member")

        # carol is not in the closed space: the file is not hers to fetch.
        carol = self.new_page()
        self.sign_in_as(carol, self.carol)
        assert carol.request.get(full.get_attribute("href") or "").status == 404

    def test_the_composer_fits_a_phone(self):
        page = self.open_as(self.alice, self.path, "post-files-phone", PHONE)
        page.locator("[data-composer] [data-attach-input]").set_input_files(
            [png("a-photo-with-a-rather-long-name-from-a-phone-camera.png")]
        )
        expect(page.locator(".file-chip[data-state=done]")).to_have_count(1)
        assert_no_horizontal_scroll(page)
        check_page(page, "post-files-phone-composer")
        shoot(page, "post-files-phone")
