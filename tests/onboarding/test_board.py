"""The onboarding board a page at a time: HR's and each manager's, on the
page and over REST, with counts over the whole board, in a constant
number of queries, without gaps or repeats, and a 400 for a cursor no
page gave."""

import base64
import datetime
import json

import pytest

from onboarding import selectors, services
from onboarding.models import Enrollment
from profiles.factories import UserFactory

API = "/api/v1/onboarding/enrollments"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_PAGE", 3)


def enroll_many(hana, journey, today, n, **person):
    """Enroll `n` new people, most of them on the same day (ties on the
    board's first sort key)."""
    for i in range(n):
        services.enroll(
            UserFactory.create(**person),
            start_date=today - datetime.timedelta(days=10 * (i % 2)),
            journey=journey,
            by=hana,
        )


def walk_rest(client, limit):
    ids, after, pages = [], "", 0
    while True:
        answer = client.get(API, {"after": after, "limit": limit})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert len(body["enrollments"]) <= limit
        ids += [row["id"] for row in body["enrollments"]]
        pages += 1
        if body["next"] is None:
            return ids, pages
        after = body["next"]


def board_order(**scope):
    return list(
        Enrollment.objects.filter(ended_at__isnull=True, **scope)
        .order_by("start_date", "pk")
        .values_list("pk", flat=True)
    )


def test_pages_cover_the_board_once_each_in_order(
    client, hana, journey, today, enrollment, small_pages
):
    enroll_many(hana, journey, today, 7)
    client.force_login(hana)
    ids, pages = walk_rest(client, 3)
    assert ids == board_order() and len(ids) == 8 and pages == 3
    # The page, following its "Next page" links.
    seen, url = [], "/onboarding/"
    while url:
        html = client.get(url).content.decode()
        seen += [
            int(part.split('"', 1)[0]) for part in html.split('data-enrollment="')[1:]
        ]
        url = ""
        if 'rel="next"' in html:
            href = html.split('rel="next" href="', 1)[1].split('"', 1)[0]
            url = "/onboarding/" + href.replace("&amp;", "&")
        assert "<strong>8</strong> on a journey" in html
    assert seen == board_order()
    # A journey ending between two pages moves no one else off them.
    first = client.get(API, {"limit": 3}).json()
    services.end_enrollment(
        hana, enrollment=Enrollment.objects.get(pk=first["enrollments"][0]["id"])
    )
    rest = client.get(API, {"limit": 10, "after": first["next"]}).json()
    assert [r["id"] for r in rest["enrollments"]] == board_order()[2:]


def test_the_board_reads_in_the_same_queries_for_one_or_many_pages(
    client, hana, journey, today, small_pages, django_assert_num_queries
):
    client.force_login(hana)

    def board_with(n):
        enroll_many(hana, journey, today, n)
        # HR's steps give hana "My tasks", stored once in her session.
        client.get("/onboarding/")
        cursor = client.get(API, {"limit": 3}).json()["next"]
        with django_assert_num_queries(10):
            # Session, user, the HR permission (two), the nav's refresh,
            # a page of the board, its counts, and the sidebar's spaces,
            # unread messages and notifications: none per row.
            assert client.get("/onboarding/").status_code == 200
        with django_assert_num_queries(6):
            # Session, user, the HR permission (two), a page, its counts.
            assert client.get(API).status_code == 200
        if cursor:
            with django_assert_num_queries(6):
                assert client.get(API, {"after": cursor}).status_code == 200

    board_with(1)
    board_with(9)


def test_the_counts_are_over_the_whole_board(
    client, hana, bob, nina, alice, carol, journey, enrollment, today, small_pages
):
    services.enroll(
        alice, start_date=today - datetime.timedelta(days=10), journey=journey, by=hana
    )
    enroll_many(hana, journey, today, 4)
    for task in enrollment.tasks.filter(due_date__lt=today):
        services.set_task_done(nina, task=task, done=True)
    client.force_login(hana)
    body = client.get(API, {"limit": 1}).json()
    # Everyone but nina has a late step (IT's laptop, due on day -3);
    # alice and the two started ten days ago are quiet, nina (day 2) is
    # not yet.
    assert (body["running"], body["late"], body["quiet"]) == (6, 5, 3)
    assert len(body["enrollments"]) == 1
    summary = selectors.board_summary(hana, today)
    assert summary == selectors.BoardSummary(running=6, late=5, quiet=3)
    rows = selectors.board_page(hana, today, limit=10).rows
    assert summary.late == sum(r.late > 0 for r in rows)
    assert summary.quiet == sum(r.quiet for r in rows)
    # A manager's counts and pages are their reports' only.
    client.force_login(bob)
    body = client.get(API).json()
    assert body["running"] == 2
    assert {r["person"]["name"] for r in body["enrollments"]} == {
        nina.display_name,
        alice.display_name,
    }
    html = client.get("/onboarding/").content.decode()
    assert "<strong>2</strong> on a journey" in html
    # Anyone else: 403 on the page and REST, with or without a cursor.
    for person in (carol, nina):
        client.force_login(person)
        assert client.get("/onboarding/").status_code == 403
        assert client.get("/onboarding/", {"after": "x"}).status_code == 403
        assert client.get(API).status_code == 403
        assert client.get(API, {"after": "x"}).status_code == 403


def cursor_of(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "x",
    "!!!!",
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    cursor_of({"start": "2026-12-01"}),
    cursor_of(["2026-12-01"]),
    cursor_of(["2026-12-01", 1, 2]),
    cursor_of(["2026-13-01", 1]),
    cursor_of(["2026-12-01\x00", 1]),
    cursor_of([20261201, 1]),
    cursor_of(["2026-12-01", "1"]),
    cursor_of(["2026-12-01", 0]),
    cursor_of(["2026-12-01", 2**63]),
    cursor_of(["2026-12-01", 1.5]),
    cursor_of(["2026-12-01", True]),
    "A" * 1000,
    base64.urlsafe_b64encode(b"[" * 300 + b"]" * 300).decode(),
]


def test_a_cursor_no_page_gave_is_a_400_not_a_500(client, hana, enrollment):
    client.force_login(hana)
    good = client.get(API, {"limit": 1}).json()
    assert good["next"] is None and len(good["enrollments"]) == 1
    for cursor in BAD_CURSORS:
        answer = client.get(API, {"after": cursor})
        assert answer.status_code == 400, (cursor, answer.content)
        assert answer.json()["code"] == "bad_cursor"
        assert "`next` cursor" in answer.json()["error"]
        page = client.get("/onboarding/", {"after": cursor})
        assert page.status_code == 400, cursor
        html = page.content.decode()
        assert "`next` cursor of a page of the board" in html
        assert 'href="/onboarding/">Start again' in html
        assert "data-enrollment" not in html
    # Longer than any cursor, or a limit out of range: the schema's 422.
    assert client.get(API, {"after": "A" * 1001}).status_code == 422
    for limit in (0, 501, "many"):
        assert client.get(API, {"limit": limit}).status_code == 422
    # A well-made cursor past the end is an empty page, not an error.
    past = cursor_of(["9999-12-31", 2**62])
    body = client.get(API, {"after": past}).json()
    assert body["enrollments"] == [] and body["next"] is None
    page = client.get("/onboarding/", {"after": past})
    assert page.status_code == 200 and "No one further on" in page.content.decode()
