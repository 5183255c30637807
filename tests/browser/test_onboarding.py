"""Onboarding end to end: HR imports a starter in the page, the starter
signs in, finds their first weeks in the nav and completes a step, and
HR's board (open in another browser) follows live."""

import datetime
import re

from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import FilePayload, expect

from onboarding import services
from onboarding.models import Step
from profiles import roles
from profiles.factories import UserFactory
from profiles.models import User
from tests.base import PASSWORD
from tests.browser.base import (
    LIVE_MS,
    PHONE,
    BrowserTestCase,
    assert_no_horizontal_scroll,
    check_page,
    expect_live,
    off_the_loop,
    sign_in,
)


class OnboardingTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()  # bob manages Engineering
        self.hana = UserFactory.create(
            email="hana@canteen.test", first_name="Hana", last_name="Hill"
        )
        # The HR group comes from a data migration, which a flush between
        # browser tests removes: grant the permission itself.
        self.hana.user_permissions.add(
            Permission.objects.get(codename=roles.MANAGE_ONBOARDING.split(".")[1])
        )
        self.journey = services.create_journey(
            self.hana, name="New starter", kind="new_starter"
        )
        for title, owner, day in (
            ("Laptop ready", Step.Owner.IT, -3),
            ("Read the handbook", Step.Owner.STARTER, 1),
            ("First one-to-one", Step.Owner.MANAGER, 2),
            ("Ninety-day review", Step.Owner.HR, 90),
        ):
            services.add_step(
                self.hana,
                journey_id=self.journey.pk,
                title=title,
                owner=owner,
                due_day=day,
                description=f"About *{title.lower()}*.",
            )

    def test_hr_imports_a_starter_who_completes_a_step_live_on_the_board(self):
        start = timezone.localdate() - datetime.timedelta(days=1)
        csv = (
            "email,first_name,last_name,title,department,manager_email,"
            "start_date,time_zone,location\n"
            f"nora@canteen.test,Nora,Nunes,Data Engineer,Engineering,"
            f"bob@canteen.test,{start.isoformat()},Europe/Lisbon,Lisbon\n"
            f"bad-row,Nobody,Here,,Engineering,,{start.isoformat()},,\n"
        )
        hr = self.open_as(self.hana, "/onboarding/import/", "onboarding-import")
        upload: FilePayload = {
            "name": "starters.csv",
            "mimeType": "text/csv",
            "buffer": csv.encode(),
        }
        hr.get_by_label("CSV file").set_input_files(files=[upload])
        hr.get_by_label("Journey").select_option(label="New starter")
        hr.get_by_role("button", name="Import").click()
        result = hr.locator("[data-import-result]")
        expect(result).to_contain_text(
            "1 new, 0 updated, 1 enrolled, 0 unchanged, 1 bad row."
        )
        expect(result).to_contain_text("Line 3: bad-row is not an email address")
        check_page(hr, "onboarding-import-result")

        # HR's board, in a second browser.
        board = self.open_as(self.hana, "/onboarding/", "onboarding-board")
        row = board.locator("tr", has_text="Nora Nunes")
        expect(row.locator("[data-percent]")).to_have_text("0")
        expect(row.locator("[data-late]")).to_have_text("1")

        # The starter chose a password, signs in and finds their weeks.
        nora = User.objects.get(email="nora@canteen.test")
        nora.set_password(PASSWORD)
        nora.save()
        page = self.new_page()
        sign_in(page, nora.email, PASSWORD, name="onboarding-sign-in")
        page.get_by_role("link", name="My first weeks").click()
        expect(page.get_by_role("heading", name="My first weeks")).to_be_visible()
        expect_live(page)
        check_page(page, "onboarding-me")
        late = page.locator("[data-group=late]")
        expect(late).to_contain_text("Laptop ready")
        due = page.locator("[data-group=due]")
        handbook = due.locator("[data-task]", has_text="Read the handbook")
        # The manager's step is not hers to tick.
        expect(
            due.locator("[data-task]", has_text="First one-to-one").get_by_role(
                "button"
            )
        ).to_have_count(1)  # the starter may tick any of her steps
        handbook.get_by_role(
            "button", name=re.compile("^Mark done.*Read the handbook")
        ).click()
        done = page.locator("[data-group=done]")
        expect(done).to_be_visible()
        expect(done).to_contain_text("Read the handbook")
        expect(page.locator("[data-progress-percent]")).to_have_text("25")
        check_page(page, "onboarding-me-done")

        # HR's board followed without a reload.
        expect(row.locator("[data-percent]")).to_have_text("25", timeout=LIVE_MS)
        check_page(board, "onboarding-board-live")

        # Undo, then the page at phone width.
        done.get_by_role("button", name=re.compile("^Undo.*Read the handbook")).click()
        expect(due).to_contain_text("Read the handbook")
        expect(row.locator("[data-percent]")).to_have_text("0", timeout=LIVE_MS)
        phone = self.open_as(nora, "/onboarding/me/", "onboarding-me-phone", PHONE)
        assert_no_horizontal_scroll(phone)
        board_phone = self.open_as(
            self.hana, "/onboarding/", "onboarding-board-phone", PHONE
        )
        assert_no_horizontal_scroll(board_phone)

    def enroll_nina(self):
        """Nina Novak, bob's report, starts today on the journey."""
        nina = UserFactory.create(
            first_name="Nina", last_name="Novak", manager=self.bob
        )
        enrollment, _ = off_the_loop(
            services.enroll,
            nina,
            start_date=timezone.localdate(),
            journey=self.journey,
            by=self.hana,
        )
        return nina, enrollment

    def test_the_manager_sees_the_step_done_live_on_the_journey(self):
        nina, enrollment = self.enroll_nina()
        bob = self.open_as(
            self.bob, f"/onboarding/{enrollment.pk}/", "onboarding-manager"
        )
        starter = self.open_as(nina, "/onboarding/me/", "onboarding-starter")
        starter.get_by_role(
            "button", name=re.compile("^Mark done.*Read the handbook")
        ).click()
        expect(
            bob.locator("[data-group=done]", has_text="Read the handbook")
        ).to_be_visible(timeout=LIVE_MS)
        expect(bob.locator("[data-progress-percent]")).to_have_text("25")

    def test_hr_ends_a_journey_and_the_board_and_the_manager_see_it_live(self):
        _, enrollment = self.enroll_nina()
        board = self.open_as(self.hana, "/onboarding/", "onboarding-board-before-end")
        expect_live(board)
        row = board.locator("tr", has_text="Nina Novak")
        expect(row).to_be_visible()
        manager = self.open_as(
            self.bob, f"/onboarding/{enrollment.pk}/", "onboarding-manager-before-end"
        )
        expect_live(manager)
        expect(manager.get_by_text("End this journey")).to_have_count(0)  # HR's
        hr = self.open_as(
            self.hana, f"/onboarding/{enrollment.pk}/", "onboarding-end-journey"
        )
        hr.get_by_text("End this journey").click()
        check_page(hr, "onboarding-end-journey-open")
        hr.get_by_role("button", name="End Nina Novak's journey").click()
        expect(hr.get_by_role("heading", level=1)).to_have_text("Onboarding")
        expect(hr.get_by_text("journey has ended")).to_be_visible()
        # The open board drops the row, and the manager's page says so.
        expect(row).to_have_count(0, timeout=LIVE_MS)
        ended = manager.locator("[data-ended]")
        expect(ended).to_be_visible(timeout=LIVE_MS)
        expect(ended).to_contain_text("This journey has ended")
        check_page(manager, "onboarding-manager-ended")

    def test_hr_builds_a_journey_without_javascript_errors(self):
        page = self.open_as(self.hana, "/onboarding/journeys/", "onboarding-journeys")
        page.get_by_label("Name").fill("Welcome back")
        page.get_by_label("Kind").select_option(label="Returner")
        page.get_by_role("button", name="Create journey").click()
        expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
        page.get_by_label("Title").fill("Welcome-back lunch")
        page.get_by_label("Who does it").select_option(label="Their buddy")
        page.get_by_label("Due on day").fill("2")
        page.get_by_label("Description").fill("Somewhere *nice*.")
        page.get_by_role("button", name="Add step").click()
        expect(
            page.get_by_role("cell", name="Welcome-back lunch", exact=True)
        ).to_be_visible()
        check_page(page, "onboarding-journey-edit")
        page.get_by_role("link", name="Edit Welcome-back lunch").click()
        check_page(page, "onboarding-step-edit")
        phone = self.open_as(
            self.hana,
            page.url.removeprefix(self.live_server_url),
            "onboarding-step-phone",
            PHONE,
        )
        assert_no_horizontal_scroll(phone)


class EnrollOnePersonTests(BrowserTestCase):
    def test_hr_enrolls_one_person_on_a_phone_changing_the_proposed_buddy(self):
        self.make_personas()
        hana = UserFactory.create(
            email="hana@canteen.test", first_name="Hana", last_name="Hill"
        )
        hana.user_permissions.add(
            Permission.objects.get(codename=roles.MANAGE_ONBOARDING.split(".")[1])
        )
        journey = services.create_journey(hana, name="Returners", kind="returner")
        services.add_step(
            hana, journey_id=journey.pk, title="Catch up", owner="starter", due_day=1
        )
        start = timezone.localdate() + datetime.timedelta(days=3)
        page = self.open_as(hana, "/onboarding/enroll/", "onboarding-enroll", PHONE)
        assert_no_horizontal_scroll(page)
        page.get_by_label("Person's work email").fill(self.alice.email)
        page.get_by_label("Start date").fill(start.isoformat())
        page.get_by_label("Journey").select_option(label="Returners")
        page.get_by_role("button", name="Propose a buddy").click()
        expect(page.locator("[data-proposed]")).to_contain_text("Proposed buddy")
        buddy = page.get_by_label("Buddy's work email")
        expect(buddy).not_to_have_value("")
        check_page(page, "onboarding-enroll-proposed")
        buddy.fill(self.carol.email)
        page.get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Alice")
        check_page(page, "onboarding-enroll-done")
        assert_no_horizontal_scroll(page)
        enrollment = off_the_loop(
            lambda: self.alice.enrollments.select_related("buddy").get()
        )
        assert enrollment.buddy == self.carol


class MyTasksTests(BrowserTestCase):
    def test_a_message_that_arrives_live_becomes_a_task(self):
        from messaging import services as messaging

        self.make_personas()
        direct = off_the_loop(
            messaging.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        page = self.open_as(self.bob, f"/messages/{direct.pk}/", "task-live-message")
        expect_live(page)
        # alice writes in her own browser: the message reaches bob's live.
        alice = self.open_as(self.alice, f"/messages/{direct.pk}/", "task-live-sender")
        expect_live(alice)
        alice.get_by_label(re.compile("^Message Bob")).fill(
            "Can you book the room for Thursday?"
        )
        alice.get_by_label(re.compile("^Message Bob")).press("Enter")
        live = page.locator(".msg", has_text="book the room")
        expect(live).to_have_attribute("data-id", re.compile(r"^\d+$"), timeout=LIVE_MS)
        message_id = live.get_attribute("data-id")
        link = live.locator("a.make-task")
        expect(link).to_have_attribute("href", f"/tasks/new/?message={message_id}")
        live.hover()  # a message's actions show on hover and focus
        expect(link).to_have_accessible_name("Make this a task")
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Make this a task")
        expect(page.locator("main")).to_contain_text("book the room")
        page.get_by_label("What to do").fill("Book the room")
        page.get_by_role("button", name="Add the task").click()
        expect(page.locator("[data-task]")).to_contain_text("Book the room")

    def test_a_post_becomes_a_task_found_in_the_nav_and_done_in_one_click(self):
        from feeds import services as feeds

        self.make_personas()

        def seeds():
            space = feeds.create_space(self.alice, name="Gardening")
            feeds.join_space(self.bob, space_id=space.pk)
            post, _ = feeds.create_post(
                self.alice,
                space_id=space.pk,
                body="Who orders the seeds?",
                client_id="t1",
            )
            return post.get_absolute_url()

        url = off_the_loop(seeds)
        page = self.open_as(self.bob, url, "task-post", PHONE)
        page.get_by_role("link", name="Make this a task").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Make this a task")
        check_page(page, "task-new")
        assert_no_horizontal_scroll(page)
        page.get_by_label("What to do").fill("Order the seeds")
        page.get_by_role("button", name="Add the task").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
        expect(page.locator("[data-task]")).to_contain_text("Order the seeds")
        expect(page.locator('a[href="/tasks/"]').first).to_be_attached()  # nav
        check_page(page, "my-tasks")
        assert_no_horizontal_scroll(page)
        page.locator("[data-task]").get_by_role("button", name="Mark done").click()
        expect(page.locator("[data-task]")).to_have_count(0)
        expect(page.locator(".lede")).to_contain_text("Nothing to do")
