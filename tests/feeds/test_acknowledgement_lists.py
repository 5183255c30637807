"""A must-read's acknowledgements at scale: counts by department in one
aggregate query, names a page at a time by cursor (page and REST), the
same queries however many readers, 404 for everyone but its author and HR,
and a 400 with a sentence for a cursor no page gave (issue 11)."""

import base64
import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from feeds import selectors, services
from feeds.models import PostView, Reader
from intranet.errors import ServiceError
from profiles.factories import UserFactory
from tests.feeds.test_api import Browser

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def must_read(author, company):
    return services.announce(
        author, space_id=company.pk, body="Read me", must_read=True
    )


def cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def listed(html: str) -> list[str]:
    """The names in the page's list, in order."""
    people = re.search(r'<ul class="ack-people">(.*?)</ul>', html, re.S)
    assert people, "the list of names"
    return re.findall(r'<li>([^<]*?) <span class="muted">', people[1])


def test_the_summary_counts_each_department_in_one_query(
    chris, hanna, alice, bob, carol, company, django_assert_num_queries
):
    loner = UserFactory.create(first_name="Lou", last_name="Loner", department=None)
    announcement = must_read(chris, company)
    post = announcement.published_post
    services.acknowledge(alice, post_id=post.pk)
    services.acknowledge(loner, post_id=post.pk)
    services.mark_seen(bob, post_ids=[post.pk])
    services.mark_seen(carol, post_ids=[post.pk])
    with django_assert_num_queries(1):
        summary = selectors.acknowledgement_summary(announcement)
    lines = [
        (d.name, d.id is None, d.expected, d.seen, d.acknowledged, d.pending)
        for d in summary.departments
    ]
    assert lines == [
        ("Customer Support", False, 2, 1, 0, 2),
        ("Engineering", False, 2, 1, 1, 1),
        ("No department", True, 1, 0, 1, 0),
    ]
    assert (summary.expected, summary.seen, summary.acknowledged) == (5, 2, 2)
    assert summary.pending == 3
    engineering, nowhere = (
        summary.department(alice.department_id),
        summary.department(0),
    )
    assert engineering and engineering.name == "Engineering"
    assert nowhere and nowhere.name == "No department"
    assert summary.department(10**9) is None
    # The full list (the CSV's) agrees with the aggregate.
    report = selectors.acknowledgement_report(announcement)
    assert [
        (d.name, d.expected, d.seen, d.acknowledged) for d in summary.departments
    ] == [(d.name, d.expected, d.seen, d.acknowledged) for d in report.departments]


def walk(announcement, **filters) -> list[selectors.ReaderLine]:
    """Every page of a list, three names at a time."""
    seen: list[selectors.ReaderLine] = []
    after = ""
    while True:
        page = selectors.reader_page(announcement, after=after, limit=3, **filters)
        seen += page.readers
        if page.next is None:
            return seen
        assert len(page.readers) == 3
        after = page.next


def test_pages_of_names_list_everyone_once_by_name(
    chris, alice, bob, carol, hanna, company, django_assert_num_queries
):
    # Namesakes, and people with no name at all: ties the cursor must break.
    for _ in range(4):
        UserFactory.create(first_name="Sam", last_name="Lee", department=None)
    UserFactory.create(first_name="Sam", last_name="", department=carol.department)
    UserFactory.create(
        first_name="", last_name="", email="nameless@canteen.test", department=None
    )
    announcement = must_read(chris, company)
    Reader.objects.filter(
        announcement=announcement, user__first_name="Sam", user__last_name="Lee"
    ).update(acknowledged_at=announcement.published_at)
    readers = Reader.objects.filter(announcement=announcement).select_related("user")
    by_name = sorted(
        readers, key=lambda r: (r.user.first_name, r.user.last_name, r.user_id)
    )
    expected = [r.user_id for r in by_name]

    everyone = walk(announcement)
    assert [r.user_id for r in everyone] == expected  # by name, none twice
    assert len(set(expected)) == len(expected) == 10
    acknowledged = walk(announcement, acknowledged=True)
    pending = walk(announcement, acknowledged=False)
    assert [r.name for r in acknowledged] == ["Sam Lee"] * 4
    assert all(r.acknowledged_at for r in acknowledged)
    assert {r.user_id for r in pending} == set(expected) - {
        r.user_id for r in acknowledged
    }
    engineering = walk(announcement, department_id=alice.department_id)
    assert {r.user_id for r in engineering} == {alice.pk, bob.pk}
    nowhere = walk(announcement, department_id=0)
    assert [r.name for r in nowhere] == ["nameless@canteen.test", *["Sam Lee"] * 4]
    assert {r.department for r in nowhere} == {"No department"}
    # One query a page, the last one too.
    first = selectors.reader_page(announcement, limit=3)
    with django_assert_num_queries(1):
        selectors.reader_page(announcement, after=first.next, limit=100)


def test_a_reader_who_acknowledges_between_pages_is_neither_lost_nor_repeated(
    chris, alice, bob, carol, hanna, company
):
    UserFactory.create_batch(6)
    announcement = must_read(chris, company)
    first = selectors.reader_page(announcement, limit=5)
    # Someone on the next page changes list: the cursor is a name, not a
    # position, so the others neither shift nor repeat.
    rest = selectors.reader_page(announcement, after=first.next, limit=100)
    mover = rest.readers[0].user_id
    Reader.objects.filter(announcement=announcement, user_id=mover).update(
        acknowledged_at=announcement.published_at
    )
    pending_rest = selectors.reader_page(
        announcement, acknowledged=False, after=first.next, limit=100
    )
    assert [r.user_id for r in pending_rest.readers] == [
        r.user_id for r in rest.readers if r.user_id != mover
    ]


@pytest.mark.parametrize(
    "after",
    [
        "not a cursor!",
        "bm9wZQ",  # "nope"
        cursor("Sam", "Lee"),
        cursor("Sam", "Lee", "7"),
        cursor("Sam", "Lee", 2**64),
        cursor("Sam", "Lee", 0),
        cursor("Sam\x00", "Lee", 7),
        cursor("\ud800", "Lee", 7),
        cursor({"a": 1}, "Lee", 7),
        "A" * 2000,
    ],
)
def test_a_cursor_no_page_gave_is_a_400_with_a_sentence(chris, alice, company, after):
    announcement = must_read(chris, company)
    with pytest.raises(ServiceError, match="must be the `next` cursor") as refused:
        selectors.reader_page(announcement, after=after)
    assert refused.value.status == 400


def test_only_its_author_and_hr_see_the_lists_anyone_else_gets_404(
    chris, hanna, alice, bob, company
):
    post = must_read(chris, company).published_post
    newcomer = UserFactory.create()  # in the space, not asked to read it
    for person in (hanna, chris):
        page = client_for(person).get(f"/posts/{post.pk}/acknowledgements/")
        assert page.status_code == 200
        assert (
            Browser(person).get(f"/posts/{post.pk}/acknowledgements").status_code == 200
        )
    # Readers know the post, not who read it: 404, as for a secret.
    for person in (bob, alice, newcomer):
        for url in (
            f"/posts/{post.pk}/acknowledgements/",
            f"/posts/{post.pk}/acknowledgements.csv",
        ):
            assert client_for(person).get(url).status_code == 404, url
        for path in (
            f"/posts/{post.pk}/acknowledgements",
            f"/posts/{post.pk}/acknowledgements.csv",
        ):
            answer = Browser(person).get(path)
            assert answer.status_code == 404, path
            assert answer.json() == {
                "error": "No such announcement.",
                "code": "not_announcement",
            }


def test_the_api_pages_through_names_and_refuses_a_bad_cursor(
    chris, hanna, alice, bob, carol, company
):
    UserFactory.create_batch(5)
    announcement = must_read(chris, company)
    services.acknowledge(alice, post_id=announcement.published_post.pk)
    hr = Browser(hanna)
    base = f"/posts/{announcement.published_post.pk}/acknowledgements"
    first = hr.get(f"{base}?limit=4").json()
    assert (first["acknowledged"], first["expected"], first["seen"]) == (1, 9, 0)
    assert sum(d["expected"] for d in first["departments"]) == 9
    names = [r["id"] for r in first["readers"]]
    after = first["next"]
    while after:
        page = hr.get(f"{base}?{urlencode({'limit': 4, 'after': after})}").json()
        assert page["expected"] == 9  # the counts are everyone's on every page
        names += [r["id"] for r in page["readers"]]
        after = page["next"]
    assert sorted(names) == sorted(
        Reader.objects.filter(announcement=announcement).values_list(
            "user_id", flat=True
        )
    )
    assert len(names) == 9
    acknowledged = hr.get(f"{base}?status=acknowledged").json()
    assert [r["name"] for r in acknowledged["readers"]] == ["Alice Adams"]
    assert acknowledged["next"] is None
    engineering = hr.get(f"{base}?status=pending&department={bob.department_id}")
    assert [r["name"] for r in engineering.json()["readers"]] == ["Bob Brown"]
    bad = hr.get(f"{base}?after=garbage")
    assert bad.status_code == 400
    assert "must be the `next` cursor" in bad.json()["error"]
    for query in ("status=read", "department=-1", "limit=0", "limit=501"):
        assert hr.get(f"{base}?{query}").status_code == 422, query


def test_the_page_lists_a_hundred_names_at_a_time(chris, hanna, company):
    UserFactory.create_batch(selectors.READERS_PAGE + 5)
    announcement = must_read(chris, company)
    post = announcement.published_post
    hr = client_for(hanna)
    url = f"/posts/{post.pk}/acknowledgements/"
    page = hr.get(url).text
    expected = selectors.acknowledgement_summary(announcement).expected
    assert expected > selectors.READERS_PAGE
    assert f"<strong data-ack-expected>{expected}</strong>" in page
    assert f"Not yet ({expected})" in page
    first = listed(page)
    assert len(first) == selectors.READERS_PAGE
    following = re.search(r'rel="next" href="\?after=([^"#]+)#people"', page)
    assert following, "a link to the next page"
    rest = hr.get(f"{url}?after={following[1]}").text
    assert "Back to the start" in rest and 'rel="next"' not in rest
    assert len(first) + len(listed(rest)) == expected
    bad = hr.get(f"{url}?after=garbage")
    assert bad.status_code == 400
    assert "must be the `next` cursor" in bad.text
    assert f"<strong data-ack-expected>{expected}</strong>" in bad.text
    assert hr.get(f"{url}?status=read").status_code == 400
    assert hr.get(f"{url}?department=abc").status_code == 400
    nobody = hr.get(f"{url}?status=acknowledged&department=0")
    assert nobody.status_code == 200 and "No one yet." in nobody.text


def test_page_api_and_lists_read_in_pinned_queries_however_many_readers(
    hanna, company, django_assert_num_queries
):
    small = must_read(hanna, company)
    UserFactory.create_batch(40)  # the company space takes them in
    big = must_read(hanna, company)
    assert big.readers.count() == small.readers.count() + 40
    PostView.objects.bulk_create(
        PostView(post=big.published_post, user_id=r.user_id) for r in big.readers.all()
    )
    with django_assert_num_queries(2):
        selectors.acknowledgement_summary(big)
        selectors.reader_page(big, acknowledged=False)
    page, api = client_for(hanna), Browser(hanna)

    def queries(announcement) -> tuple[int, int]:
        post = announcement.published_post
        with CaptureQueriesContext(connection) as on_page:
            assert page.get(f"/posts/{post.pk}/acknowledgements/").status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api.get(f"/posts/{post.pk}/acknowledgements").status_code == 200
        return len(on_page), len(on_api)

    queries(small)  # warm the session and permission caches
    assert queries(small) == queries(big) == (PAGE_QUERIES, API_QUERIES)


# Whatever the number of readers: session, user, post, announcement, the
# summary and one page of names; the page adds its sidebar's three (spaces,
# unread messages, notifications).
PAGE_QUERIES = 9
API_QUERIES = 6
