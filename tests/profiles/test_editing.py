"""People edit their own profiles; HR edits the organisation's fields."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from intranet.errors import ServiceError
from profiles import roles
from profiles.models import Skill, User
from profiles.services import create_api_token, set_status, update_profile
from tests.profiles.test_api import bearer


@pytest.fixture
def hr(db):
    person = User.objects.create_user("hana@canteen.test", first_name="Hana")
    roles.grant([person], roles.HR)
    return User.objects.get(pk=person.pk)  # without a stale permission cache


def test_a_person_edits_their_own_profile(alice):
    person = update_profile(
        alice,
        person_id=alice.pk,
        changes={
            "pronouns": " she/her ",
            "phone": "+44 20 7946 0958",
            "links": ["https://example.com/alice", "", "https://example.com/alice"],
            "bio": "Builds the sockets.\r\nLikes tea.",
            "skills": ["Python", "python ", "Café Ops", ""],
            "location": "Lisbon",
            "time_zone": "Europe/Lisbon",
        },
    )
    person.refresh_from_db()
    assert person.pronouns == "she/her"
    assert person.phone == "+44 20 7946 0958"
    assert person.links == ["https://example.com/alice"]
    assert person.bio == "Builds the sockets.\nLikes tea."
    assert sorted(s.name for s in person.skills.all()) == ["Café Ops", "Python"]
    assert person.location == "Lisbon"
    assert person.time_zone == "Europe/Lisbon"
    # Another person's "PYTHON" is the same skill.
    update_profile(alice, person_id=alice.pk, changes={"skills": ["PYTHON"]})
    assert Skill.objects.filter(key="python").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "is not a time zone name"),
        ({"phone": "call me"}, "A phone number has digits"),
        ({"links": ["javascript:alert(1)"]}, "is not a web address"),
        ({"links": [f"https://e.com/{n}" for n in range(6)]}, "at most 5 links"),
        ({"bio": "x" * 1001}, "at most 1000 characters"),
        ({"skills": ["x" * 41]}, "at most 40 characters"),
        ({"skills": [f"s{n}" for n in range(21)]}, "at most 20 skills"),
        ({"pronouns": "a\x00b"}, "NUL"),
        ({"is_superuser": True}, "cannot be changed"),
    ],
)
def test_bad_values_are_refused_with_a_sentence(alice, changes, message):
    with pytest.raises(ServiceError, match=message) as caught:
        update_profile(alice, person_id=alice.pk, changes=changes)
    assert caught.value.status == 400


def test_only_hr_changes_organisational_fields(alice, bob, carol, hr):
    for field, value in [("title", "CEO"), ("manager", carol.pk)]:
        with pytest.raises(ServiceError) as caught:
            update_profile(alice, person_id=alice.pk, changes={field: value})
        assert caught.value.status == 403
    with pytest.raises(ServiceError) as caught:
        update_profile(hr, person_id=alice.pk, changes={"bio": "Hi"})
    assert caught.value.status == 403  # HR does not write people's bios
    person = update_profile(
        hr,
        person_id=alice.pk,
        changes={
            "title": "Staff Engineer",
            "team": "Realtime",
            "manager": carol.pk,
            "department": carol.department_id,
            "start_date": datetime.date(2024, 3, 1),
        },
    )
    person.refresh_from_db()
    assert (person.title, person.team, person.manager, person.department) == (
        "Staff Engineer",
        "Realtime",
        carol,
        carol.department,
    )
    assert person.start_date == datetime.date(2024, 3, 1)


def test_nobody_reports_to_themselves_even_through_others(alice, bob, hr):
    # alice reports to bob already.
    with pytest.raises(ServiceError, match="already reports to them"):
        update_profile(hr, person_id=bob.pk, changes={"manager": alice.pk})
    with pytest.raises(ServiceError, match="already reports to them"):
        update_profile(hr, person_id=bob.pk, changes={"manager": bob.pk})
    with pytest.raises(ServiceError, match="no such person"):
        update_profile(hr, person_id=bob.pk, changes={"manager": 999_999})


def test_a_status_shows_until_it_expires(alice):
    later = timezone.now() + datetime.timedelta(hours=1)
    set_status(alice, emoji="🌴", text=" On holiday  until Monday ", expires_at=later)
    alice.refresh_from_db()
    assert alice.status_now == ("🌴", "On holiday until Monday")
    User.objects.filter(pk=alice.pk).update(
        status_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    alice.refresh_from_db()
    assert alice.status_now is None
    for emoji, text, expires, message in [
        ("🌴🌴", "", None, "one emoji"),
        ("x", "", None, "one emoji"),
        ("", "y" * 101, None, "at most 100"),
        ("", "Out", timezone.now(), "end in the future"),
        ("", "Out", later + datetime.timedelta(days=400), "a year at most"),
    ]:
        with pytest.raises(ServiceError, match=message):
            set_status(alice, emoji=emoji, text=text, expires_at=expires)
    set_status(alice, emoji="", text="", expires_at=later)
    alice.refresh_from_db()
    assert (alice.status_text, alice.status_expires_at) == ("", None)


# ------------------------------------------------------------------ REST


def csrf_client(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = client.get("/settings/profile/").cookies["csrftoken"].value
    return client, token


def test_patch_me_changes_own_fields_with_the_csrf_check_on(alice):
    client, token = csrf_client(alice)
    body = {"pronouns": "she/her", "skills": ["Go", "Rust"], "bio": "Hello"}
    refused = client.patch("/api/v1/people/me", body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    response = client.patch(
        "/api/v1/people/me",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["pronouns"], data["skills"], data["bio"]) == (
        "she/her",
        ["Go", "Rust"],
        "Hello",
    )
    assert client.get(f"/api/v1/people/{alice.pk}").json()["skills"] == ["Go", "Rust"]


def test_the_api_refuses_what_the_caller_may_not_change(client, alice, bob, hr):
    client.force_login(alice)
    response = client.patch(
        "/api/v1/people/me", {"title": "CEO"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "Only HR" in response.json()["error"]
    response = client.patch(
        f"/api/v1/people/{bob.pk}",
        {"department": None},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/people/{bob.pk}", {"bio": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.patch(
        "/api/v1/people/me", {"time_zone": "Nowhere"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "time zone" in response.json()["error"]
    response = client.patch(
        "/api/v1/people/me", {"is_staff": True}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client.patch(
        "/api/v1/people/me", {"bio": None}, content_type="application/json"
    )
    assert response.status_code == 400
    client.force_login(hr)
    response = client.patch(
        f"/api/v1/people/{bob.pk}",
        {"title": "Head of Engineering", "manager": None},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Head of Engineering"
    assert (
        client.patch(
            "/api/v1/people/999999", {"title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_a_read_token_cannot_edit(client, alice):
    _, plain = create_api_token(alice, name="Reader", scopes=["read"])
    response = client.patch(
        "/api/v1/people/me",
        {"bio": "x"},
        content_type="application/json",
        **bearer(plain),
    )
    assert response.status_code == 403


def test_status_over_rest_and_beside_the_name(client, alice, bob):
    client.force_login(alice)
    later = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    response = client.put(
        "/api/v1/people/me/status",
        {"emoji": "🌴", "text": "On holiday until Monday", "expires_at": later},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"]["text"] == "On holiday until Monday"
    client.force_login(bob)
    found = client.get("/api/v1/people", {"q": "alice"}).json()
    assert found[0]["status"]["emoji"] == "🌴"
    assert (
        "On holiday until Monday" in client.get(f"/people/{alice.pk}/").content.decode()
    )
    assert "On holiday until Monday" in client.get("/people/").content.decode()
    client.force_login(alice)
    assert client.delete("/api/v1/people/me/status").status_code == 204
    assert client.get(f"/api/v1/people/{alice.pk}").json()["status"] is None
    response = client.put(
        "/api/v1/people/me/status",
        {"text": "Out", "expires_at": "2001-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 400


# ----------------------------------------------------------------- pages


def test_the_profile_page_form_saves_and_says_what_is_wrong(client, alice):
    client.force_login(alice)
    page = client.get("/settings/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_pronouns">' in html
    form = {
        "pronouns": "she/her",
        "phone": "",
        "location": "Porto",
        "time_zone": "Europe/Lisbon",
        "bio": "",
        "skills": "Python, Django",
        "links": "https://example.com",
    }
    response = client.post("/settings/profile/", form)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.location, alice.time_zone) == ("Porto", "Europe/Lisbon")
    response = client.post(
        "/settings/profile/", {**form, "links": "not a link", "pronouns": "they"}
    )
    assert response.status_code == 400
    assert "is not a web address" in response.content.decode()
    alice.refresh_from_db()
    assert alice.pronouns == "she/her"  # nothing of a refused form is saved


def test_the_status_form_sets_and_clears(client, alice):
    client.force_login(alice)
    response = client.post(
        "/settings/status/",
        {"emoji": "🤒", "text": "Off sick", "clear_after": "today"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.status_now == ("🤒", "Off sick")
    assert alice.status_expires_at is not None
    response = client.post(
        "/settings/status/",
        {"text": "Away", "clear_after": "date", "until": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "end in the future" in response.content.decode()
    client.post("/settings/status/", {"clear": "1"})
    alice.refresh_from_db()
    assert alice.status_now is None


def test_only_hr_opens_the_org_fields_page(client, alice, bob, carol, hr):
    client.force_login(alice)
    assert client.get(f"/people/{bob.pk}/edit/").status_code == 403
    assert client.post(f"/people/{bob.pk}/edit/", {"title": "x"}).status_code == 403
    assert "Edit details" not in client.get(f"/people/{bob.pk}/").content.decode()
    client.force_login(hr)
    assert "Edit details" in client.get(f"/people/{bob.pk}/").content.decode()
    response = client.post(
        f"/people/{bob.pk}/edit/",
        {"title": "CTO", "team": "Leadership", "manager": carol.email.upper()},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.title, bob.team, bob.manager) == ("CTO", "Leadership", carol)
    response = client.post(f"/people/{bob.pk}/edit/", {"manager": alice.email})
    assert response.status_code == 400
    assert "already reports to them" in response.content.decode()


def test_a_group_s_people_list_shows_statuses(client, alice, bob, carol):
    from messaging import services as messaging

    group = messaging.create_group(alice, title="Ops", member_ids=[bob.pk, carol.pk])
    later = timezone.now() + datetime.timedelta(hours=2)
    set_status(bob, emoji="🏖️", text="On the beach", expires_at=later)
    client.force_login(alice)
    page = client.get(f"/messages/{group.pk}/").content.decode()
    assert "On the beach" in page
