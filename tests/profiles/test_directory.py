"""The people directory (/people/) and profile pages (/people/<id>/).

alice looks people up; bob is her manager; carol works in Customer Support.
Deactivated people are in neither the list nor any profile (404).
"""

import datetime
import html
import re
from base64 import urlsafe_b64encode

import pytest
from django.utils import timezone

from intranet import cursors
from messaging import services
from profiles import presence, views
from profiles.factories import DepartmentFactory, UserFactory
from profiles.selectors import decode_cursor
from profiles.services import create_api_token
from profiles.templatetags.people import time_apart
from tests.profiles.test_api import bearer


def names(response) -> list[str]:
    return [p.display_name for p in response.context["page"].people]


def test_the_directory_lists_everyone_active_by_name_with_their_details(
    client, alice, bob, carol
):
    UserFactory.create(first_name="Dora", last_name="Gone", is_active=False)
    carol.location = "Lisbon"
    carol.save()
    presence.mark_seen(bob.pk, active=True)
    assert client.get("/people/").status_code == 302  # sign in first

    client.force_login(alice)
    response = client.get("/people/")
    assert response.status_code == 200
    assert names(response) == ["Alice Adams", "Bob Brown", "Carol Cruz"]
    page = response.content.decode()
    assert "Dora" not in page
    assert "3 people" in page
    carol_row = page[page.index(f'href="/people/{carol.pk}/"') :]
    carol_row = carol_row[: carol_row.index("</li>")]
    assert ">Carol Cruz</a>" in carol_row
    assert "Support Specialist" in carol_row
    assert "Customer Support" in carol_row
    assert "Lisbon" in carol_row
    assert f'data-presence-user="{carol.pk}" data-state="offline"' in carol_row
    assert f'data-presence-user="{bob.pk}" data-state="online"' in page
    # The search box and the department filter are labelled controls.
    assert '<label for="directory-q">' in page
    assert '<label for="directory-department">' in page
    assert '<option value="customer-support">Customer Support</option>' in page


def test_the_directory_search_needs_every_word_in_a_name_email_or_title(
    client, alice, bob, carol
):
    client.force_login(alice)
    assert names(client.get("/people/", {"q": "engineer"})) == [
        "Alice Adams",
        "Bob Brown",
    ]
    assert names(client.get("/people/", {"q": "ENGINEER manager"})) == ["Bob Brown"]
    assert names(client.get("/people/", {"q": "carol@canteen"})) == ["Carol Cruz"]
    response = client.get("/people/", {"q": "  nobody  "})
    assert names(response) == []
    page = response.content.decode()
    assert "Nobody matches “nobody”." in page
    assert 'value="nobody"' in page
    # Too long a query is a 400 that says so, not a server error.
    response = client.get("/people/", {"q": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()


def test_the_department_filter_narrows_the_list_and_the_search(
    client, alice, bob, carol
):
    client.force_login(alice)
    response = client.get("/people/", {"department": "engineering"})
    assert names(response) == ["Alice Adams", "Bob Brown"]
    assert '<option value="engineering" selected>' in response.content.decode()
    assert "2 people in Engineering" in response.content.decode()
    both = client.get("/people/", {"department": "engineering", "q": "manager"})
    assert names(both) == ["Bob Brown"]
    assert names(client.get("/people/", {"department": "customer-support"})) == [
        "Carol Cruz"
    ]
    # A department nobody belongs to yet is a choice with an empty list.
    DepartmentFactory(name="Legal", slug="legal")
    assert names(client.get("/people/", {"department": "legal"})) == []
    # An unknown department is a 400 that says so and filters nothing.
    response = client.get("/people/", {"department": "nope"})
    assert response.status_code == 400
    assert "Choose a department from the list." in response.content.decode()
    assert names(response) == ["Alice Adams", "Bob Brown", "Carol Cruz"]


@pytest.fixture
def many(alice, bob, carol):
    """Nine more people, two of them with the same name."""
    extra = [
        UserFactory.create(first_name=first, last_name=last)
        for first, last in [
            ("Dan", "Dale"),
            ("Eve", "East"),
            ("Eve", "East"),
            ("Finn", "Ford"),
            ("Gus", "Gray"),
            ("Hana", "Hart"),
            ("Ida", "Iles"),
            ("Jo", "Jones"),
            ("Kim", "Kent"),
        ]
    ]
    return [alice, bob, carol, *extra]


def test_the_directory_pages_by_name_forwards_and_back(
    client, alice, many, monkeypatch
):
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 4)
    client.force_login(alice)
    everyone = [p.display_name for p in many]
    seen: list[str] = []
    pages = []
    response = client.get("/people/")
    assert response.context["page"].previous_cursor is None
    while True:
        pages.append(response)
        seen += names(response)
        assert response.context["page"].total == 12
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
        assert f"after={cursor}" in response.content.decode()
        response = client.get("/people/", {"after": cursor})
        assert response.status_code == 200
    # Nobody skipped or shown twice, the two Eve Easts included.
    assert seen == everyone
    assert [len(names(p)) for p in pages] == [4, 4, 4]
    # Back from the last page gives the middle page again, then the first.
    back = client.get("/people/", {"before": pages[2].context["page"].previous_cursor})
    assert names(back) == names(pages[1])
    assert back.context["page"].next_cursor is not None
    first = client.get("/people/", {"before": back.context["page"].previous_cursor})
    assert names(first) == names(pages[0])
    assert first.context["page"].previous_cursor is None
    assert "Previous page" not in first.content.decode()
    assert "Next page" in first.content.decode()


def test_paging_keeps_the_search_and_the_filter(client, alice, many, monkeypatch):
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 1)
    engineering = alice.department
    for person in many[4:7]:  # Eve East, Eve East, Finn Ford
        person.department = engineering
        person.save()
    client.force_login(alice)
    query = {"q": "e", "department": "engineering"}
    response = client.get("/people/", query)
    seen = names(response)
    while cursor := response.context["page"].next_cursor:
        found = re.search(r'href="(\?[^"]*)"[^>]*>Next page', response.content.decode())
        assert found is not None
        link = html.unescape(found[1])
        assert "q=e" in link and "department=engineering" in link
        response = client.get("/people/", {**query, "after": cursor})
        seen += names(response)
    assert seen == ["Alice Adams", "Bob Brown", "Eve East", "Eve East", "Finn Ford"]


def test_a_broken_cursor_is_a_400_and_shows_the_first_page(client, alice, bob):
    client.force_login(alice)
    deep = urlsafe_b64encode(b"[" * 5000).decode()  # too deep for json
    for cursor in ["nonsense", cursors.encode("A", "B", 1)[:-3], "WzEsMiwzXQ", deep]:
        response = client.get("/people/", {"after": cursor})
        assert response.status_code == 400, cursor
        assert "That page link is broken" in response.content.decode()
        assert names(response) == ["Alice Adams", "Bob Brown", "Carol Cruz"]
    assert decode_cursor(cursors.encode("Zoë", "Ölund", 7)) == ("Zoë", "Ölund", 7)
    # The longest key a page can end at: every character a \u escape.
    longest = ("2026-01-01", "\x01" * 150, "\x01" * 150, 2**63 - 1)
    assert decode_cursor(cursors.encode(*longest)) == longest


@pytest.mark.parametrize("page_size", [2, 50])
def test_the_directory_takes_the_same_queries_whatever_the_page_size(
    client, alice, many, monkeypatch, page_size, django_assert_num_queries
):
    """Session, user, departments, locations, the count, the page and the
    sidebar's unread count, spaces and notifications badge: nine queries,
    with search, filters, the other order and a cursor too."""
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", page_size)
    bob = many[1]
    for person in many[3:]:
        person.department = alice.department
        person.manager = bob
        person.save()
    client.force_login(alice)
    with django_assert_num_queries(9):
        response = client.get("/people/")
    assert len(names(response)) == min(page_size, 12)
    with django_assert_num_queries(9):
        response = client.get(
            "/people/",
            {
                "q": "a",
                "department": "engineering",
                "location": "London",
                "after": cursors.encode("Alice", "Adams", alice.pk),
            },
        )
    assert names(response)[0] == "Bob Brown"
    with django_assert_num_queries(9):
        response = client.get(
            "/people/",
            {
                "skill": "python",
                "new": "1",
                "sort": "start",
                "after": cursors.encode("2026-01-01", "Alice", "Adams", alice.pk),
            },
        )
    assert response.status_code == 200


def test_a_profile_shows_who_someone_is_where_and_whom_they_work_with(
    client, alice, bob, carol
):
    today = timezone.localdate()
    bob.location = "Berlin"
    bob.time_zone = "Europe/Berlin"
    bob.start_date = datetime.date(2021, 3, 3)
    bob.manager = carol
    bob.save()
    dora = UserFactory.create(first_name="Dora", last_name="Dunn", manager=bob)
    UserFactory.create(first_name="Ed", last_name="Gone", manager=bob, is_active=False)
    alice.time_zone = "Europe/London"
    alice.save()
    presence.mark_seen(bob.pk, active=True)
    client.force_login(alice)

    before = bob.local_time()
    response = client.get(f"/people/{bob.pk}/")
    after = bob.local_time()
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 id="profile-name">Bob Brown</h1>' in page
    assert '<span class="avatar avatar-large" aria-hidden="true">BB</span>' in page
    assert "Engineering Manager" in page
    assert '<a href="/people/?department=engineering">Engineering</a>' in page
    assert "Berlin ·" in page
    # The clock where bob is, worked out on the server.
    shown = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d)</time>', page)
    assert shown is not None
    assert shown[2] in {before.strftime("%H:%M"), after.strftime("%H:%M")}
    stamp = datetime.datetime.fromisoformat(shown[1])
    assert stamp.utcoffset() == before.utcoffset()
    assert "local time <small>(1 hour ahead of you)</small>" in page
    assert "Europe/Berlin" in page
    assert "Joined</dt>" in page
    assert (
        '<time datetime="2021-03-03" data-when="date" '
        'title="Wednesday 3 March 2021">3 Mar 2021</time>'
    ) in page
    assert "New starter" not in page
    assert 'href="mailto:bob@canteen.test"' in page
    assert f'data-presence-user="{bob.pk}" data-state="online"' in page
    # Manager and reports link to their own profiles; a deactivated report
    # is not there.
    team = page[page.index('id="team-title"') :]
    assert f'<a href="/people/{carol.pk}/">Carol Cruz</a>' in team
    reports = team[team.index('id="reports-title"') :]
    assert 'Direct reports <span class="count">(2)</span>' in reports
    assert reports.index(f'"/people/{alice.pk}/"') < reports.index(
        f'"/people/{dora.pk}/"'
    )
    assert "Gone" not in page
    # The Message button opens (or starts) the direct conversation.
    assert f'<form method="post" action="/messages/with/{bob.pk}/"' in page
    assert 'Message <span class="visually-hidden">Bob Brown</span>' in page

    # A new starter says so; someone who has not started yet "Starts".
    carol.start_date = today
    carol.save()
    page = client.get(f"/people/{carol.pk}/").content.decode()
    assert "New starter" in page
    assert "No manager on record." in page
    assert "Nobody reports to Carol." not in page  # bob does
    carol.start_date = today + datetime.timedelta(days=10)
    carol.save()
    page = client.get(f"/people/{carol.pk}/").content.decode()
    assert "Starts</dt>" in page and "New starter" not in page


def test_ones_own_profile_has_no_message_button(client, alice):
    client.force_login(alice)
    page = client.get(f"/people/{alice.pk}/").content.decode()
    assert "Alice Adams" in page and '<span class="you">(you)</span>' in page
    assert "/messages/with/" not in page
    assert "This is how other people see you." in page
    assert "ahead of you" not in page and "behind you" not in page
    assert "Nobody reports to you." in page


def test_an_unknown_or_deactivated_person_has_no_profile(client, alice, bob):
    client.force_login(alice)
    assert client.get("/people/999999/").status_code == 404
    bob.is_active = False
    bob.save()
    assert client.get(f"/people/{bob.pk}/").status_code == 404
    # Nor is bob shown as alice's manager.
    page = client.get(f"/people/{alice.pk}/").content.decode()
    assert "Bob Brown" not in page
    assert "No manager on record." in page


def test_a_profile_takes_thirteen_queries_whatever_the_team_size(
    client, alice, bob, carol, django_assert_num_queries
):
    """Session, user, the person with department and manager, the reports,
    their skills, the sidebar's unread count, spaces and notifications badge; and what
    feeds adds: their spaces, their posts, whether alice follows them, and
    the viewer's permissions (user's and groups': may she mark verified
    sources?)."""
    bob.manager = carol
    bob.save()
    client.force_login(alice)
    with django_assert_num_queries(13):
        client.get(f"/people/{bob.pk}/")
    for _ in range(20):
        UserFactory.create(manager=bob, department=carol.department)
    with django_assert_num_queries(13):
        response = client.get(f"/people/{bob.pk}/")
    assert len(response.context["profile"].reports) == 21


def test_the_profile_api_returns_the_page_s_fields(
    client, alice, bob, carol, django_assert_num_queries
):
    bob.manager = carol
    bob.time_zone = "America/New_York"
    bob.location = "New York"
    bob.start_date = timezone.localdate()
    bob.save()
    UserFactory.create(first_name="Ed", last_name="Gone", manager=bob, is_active=False)
    presence.mark_seen(bob.pk, active=True)
    client.force_login(alice)
    # Session, user, person, reports, skills.
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/people/{bob.pk}")
    assert response.status_code == 200
    body = response.json()
    local_time = datetime.datetime.fromisoformat(body.pop("local_time"))
    assert local_time.utcoffset() == bob.local_time().utcoffset()
    assert abs(local_time - timezone.now()) < datetime.timedelta(minutes=1)
    assert body == {
        "id": bob.pk,
        "display_name": "Bob Brown",
        "initials": "BB",
        "title": "Engineering Manager",
        "department": "Engineering",
        "email": "bob@canteen.test",
        "first_name": "Bob",
        "last_name": "Brown",
        "location": "New York",
        "time_zone": "America/New_York",
        "start_date": timezone.localdate().isoformat(),
        "new_starter": True,
        "presence": "online",
        "manager": {
            "id": carol.pk,
            "display_name": "Carol Cruz",
            "initials": "CC",
            "title": "Support Specialist",
            "department": "Customer Support",
            "photo": None,
            "status": None,
        },
        "reports": [
            {
                "id": alice.pk,
                "display_name": "Alice Adams",
                "initials": "AA",
                "title": "Software Engineer",
                "department": "Engineering",
                "photo": None,
                "status": None,
            }
        ],
        "pronouns": "",
        "phone": "",
        "bio": "",
        "links": [],
        "skills": [],
        "team": "",
        "photo": None,
        "photo_large": None,
        "status": None,
    }
    carol_body = client.get(f"/api/v1/people/{carol.pk}").json()
    assert carol_body["manager"] is None
    assert [p["id"] for p in carol_body["reports"]] == [bob.pk]


def test_the_profile_api_needs_a_reader_and_an_active_person(client, alice, bob):
    path = f"/api/v1/people/{bob.pk}"
    response = client.get(path)
    assert response.status_code == 401
    assert "error" in response.json()

    _, reader = create_api_token(alice, name="Reader", scopes=["read"])
    assert client.get(path, **bearer(reader)).json()["id"] == bob.pk
    _, writer = create_api_token(alice, name="Writer", scopes=["write"])
    response = client.get(path, **bearer(writer))
    assert response.status_code == 403
    assert response.json() == {"error": "This token lacks the 'read' scope."}

    assert client.get("/api/v1/people/999999", **bearer(reader)).status_code == 404
    bob.is_active = False
    bob.save()
    response = client.get(path, **bearer(reader))
    assert response.status_code == 404
    assert "error" in response.json()
    # Nor is bob anyone's manager any more.
    assert (
        client.get(f"/api/v1/people/{alice.pk}", **bearer(reader)).json()["manager"]
        is None
    )


def test_the_profile_api_is_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/people/{person_id}"]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "404", "422"}


def test_the_sidebar_leads_to_people_and_says_where_you_are(client, alice, bob):
    client.force_login(alice)
    people_link = '<a href="/people/" aria-current="page">People</a>'
    assert people_link in client.get("/people/").content.decode()
    profile = client.get(f"/people/{bob.pk}/").content.decode()
    assert '<a href="/people/" aria-current="true">People</a>' in profile
    assert (
        f'<a href="/people/{alice.pk}/"><span class="visually-hidden">Your profile: '
        "</span><strong>Alice Adams</strong></a>"
    ) in profile
    home = client.get("/").content.decode()
    assert '<a href="/people/" >People</a>' in home
    own = client.get(f"/people/{alice.pk}/").content.decode()
    assert f'<a href="/people/{alice.pk}/" aria-current="page">' in own


def test_a_group_s_people_dialog_links_the_others_to_their_profiles(
    client, alice, bob, carol
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    carol.is_active = False
    carol.save()
    client.force_login(alice)
    page = client.get(f"/messages/{group.pk}/").content.decode()
    dialog = page[page.index('<dialog id="people-dialog"') :]
    dialog = dialog[: dialog.index("</dialog>")]
    assert f'<a href="/people/{bob.pk}/">Bob Brown</a>' in dialog
    assert 'Alice Adams <span class="you">(you)</span>' in dialog  # no link
    # A deactivated member has no profile to link to.
    assert "Carol Cruz" in dialog
    assert f'href="/people/{carol.pk}/"' not in dialog


def test_time_apart_says_how_far_someone_s_clock_is_from_yours(db):
    viewer = UserFactory.build(time_zone="UTC")
    assert time_apart(UserFactory.build(time_zone="UTC"), viewer) == (
        "same time as you"
    )
    # Neither zone has summer time, so the answers hold all year.
    kolkata = UserFactory.build(time_zone="Asia/Kolkata")
    assert time_apart(kolkata, viewer) == "5 hours 30 minutes ahead of you"
    buenos_aires = UserFactory.build(time_zone="America/Argentina/Buenos_Aires")
    assert time_apart(buenos_aires, viewer) == "3 hours behind you"
    assert time_apart(viewer, buenos_aires) == "3 hours ahead of you"
    assert time_apart(buenos_aires, kolkata) == "8 hours 30 minutes behind you"
