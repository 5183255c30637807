"""Dates: one rule on every page, in the viewer's language and time zone.

The browser here reads British English in New York: the server's UTC
times must show as New York's, and today's as a time alone.
"""

import datetime
import re
import zoneinfo
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from messaging import services
from messaging.models import Message
from profiles.models import User
from tests.browser.base import PHONE, BrowserTestCase, check_page, off_the_loop

ZONE = zoneinfo.ZoneInfo("America/New_York")


def said_at(message: Message, when: datetime.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=when)


def clock(when: datetime.datetime) -> str:
    return when.astimezone(ZONE).strftime("%H:%M")


class DateTests(BrowserTestCase):
    def setUp(self) -> None:
        self.make_personas()
        self.direct = off_the_loop(
            services.get_or_create_direct, self.alice, other_id=self.bob.pk
        )
        self.now = timezone.now()

        def say(body: str) -> Message:
            message, _ = services.send_message(
                self.alice, conversation_id=self.direct.pk, body=body, client_id=body
            )
            return message

        self.old = off_the_loop(say, "lunch long ago")
        self.yesterday = off_the_loop(say, "lunch yesterday")
        self.today = off_the_loop(say, "lunch today")
        self.old_at = self.now - datetime.timedelta(days=400)
        self.yesterday_at = self.now - datetime.timedelta(days=1)
        said_at(self.old, self.old_at)
        said_at(self.yesterday, self.yesterday_at)
        said_at(self.today, self.now)

    def open(self, user: User, path: str, name: str, **options: Any) -> Page:
        return self.open_as(
            user, path, name, locale="en-GB", timezone_id="America/New_York", **options
        )

    def expect_rule(self, times, titles: bool = True) -> None:
        old = self.old_at.astimezone(ZONE)
        expect(times).to_have_text(
            [
                re.compile(rf"^{old.day} \w+ {old.year}$"),
                f"Yesterday {clock(self.yesterday_at)}",
                clock(self.now),
            ]
        )
        if titles:
            # The full date and time on hover, in the viewer's zone.
            expect(times.nth(0)).to_have_attribute(
                "title", re.compile(rf"{old.year}.*{clock(self.old_at)}")
            )
            expect(times.nth(2)).to_have_attribute(
                "title", re.compile(rf"{self.now.astimezone(ZONE).year}")
            )

    def test_chat_search_and_profiles_share_one_rule(self):
        page = self.open(self.bob, f"/messages/{self.direct.pk}/", "dates-chat")
        self.expect_rule(page.locator("[data-messages] .msg-time time"))
        # A message that arrives live follows the same rule.
        other = self.open(self.alice, f"/messages/{self.direct.pk}/", "dates-alice")
        box = other.get_by_role("textbox", name=re.compile(r"^Message "))
        box.fill("lunch now")
        box.press("Enter")
        live = page.locator("[data-messages] .msg").filter(has_text="lunch now")
        expect(live.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))

        search = self.open(self.bob, "/messages/search/?q=lunch", "dates-search")
        hits = search.locator(".hit-time time")
        expect(hits).to_have_count(4)
        # Newest first.
        expect(hits.nth(1)).to_have_text(clock(self.now))
        expect(hits.nth(2)).to_have_text(f"Yesterday {clock(self.yesterday_at)}")
        old = self.old_at.astimezone(ZONE)
        expect(hits.nth(3)).to_have_text(re.compile(rf"^{old.day} \w+ {old.year}$"))

        User.objects.filter(pk=self.alice.pk).update(
            start_date=datetime.date(2021, 3, 3)
        )
        profile = self.open(self.bob, f"/people/{self.alice.pk}/", "dates-profile")
        # A calendar date stays the same day in every time zone.
        start = profile.locator("time[data-when=date]")
        expect(start).to_have_text("3 Mar 2021")
        full = re.compile(r"^Wednesday,? 3 March 2021$")
        expect(start).to_have_attribute("title", full)

    def test_dates_read_well_on_a_phone(self):
        page = self.open(
            self.bob, f"/messages/{self.direct.pk}/", "dates-chat-phone", viewport=PHONE
        )
        self.expect_rule(page.locator("[data-messages] .msg-time time"), titles=False)
        check_page(page, "dates-chat-phone")
