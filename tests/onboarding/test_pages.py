"""Onboarding's pages and REST endpoints, with every persona: HR, the
manager, the buddy, the new starter and an outsider."""

import pytest
from django.urls import reverse

from onboarding import nav
from onboarding.models import Journey, Step, Task

pytestmark = pytest.mark.django_db(transaction=False)

API = "/api/v1/onboarding"


def json_of(answer):
    return answer.json()


def test_my_first_weeks_shows_the_checklist_to_the_starter(
    client, nina, bob, dan, enrollment
):
    client.force_login(nina)
    page = client.get("/onboarding/me/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("My first weeks", "Read the handbook", "Late", "Due this week"):
        assert text in html
    assert "Buddy · Support Lead" in html and "Manager · Engineering Manager" in html
    assert enrollment.space.name in html
    # The nav links there, decided at sign-in.
    assert client.session[nav.SESSION_KEY] == {
        "me": True,
        "board": False,
        "tasks": True,
    }
    assert 'href="/onboarding/me/"' in html


def test_people_without_a_journey_get_a_plain_page(client, carol):
    client.force_login(carol)
    page = client.get("/onboarding/me/")
    assert page.status_code == 200
    assert "not on an onboarding journey" in page.content.decode()


def test_a_journey_page_is_for_its_people_and_hr(
    client, hana, bob, dan, nina, carol, alice, enrollment
):
    url = reverse("onboarding:journey", args=[enrollment.pk])
    for person in (hana, bob, dan, nina):
        client.force_login(person)
        assert client.get(url).status_code == 200, person
        assert client.get(f"{API}/enrollments/{enrollment.pk}").status_code == 200
    for person in (carol, alice):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(f"{API}/enrollments/{enrollment.pk}").status_code == 404


def test_completing_a_step_by_form_and_by_rest(
    client, hana, bob, dan, nina, carol, alice, enrollment
):
    tasks = {t.title: t for t in Task.objects.filter(enrollment=enrollment)}
    handbook, one_on_one = tasks["Read the handbook"], tasks["First 1:1"]
    form = reverse("onboarding:task_done", args=[handbook.pk])
    # An outsider: the task is unknown (404) on both paths.
    client.force_login(carol)
    assert client.post(form).status_code == 404
    answer = client.patch(
        f"{API}/tasks/{handbook.pk}", {"done": True}, content_type="application/json"
    )
    assert answer.status_code == 404
    # The buddy sees the journey but may not tick the manager's step.
    client.force_login(dan)
    answer = client.patch(
        f"{API}/tasks/{one_on_one.pk}", {"done": True}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert "step's owner" in answer.json()["error"]
    # The starter, by form (no JavaScript): back to the checklist.
    client.force_login(nina)
    answer = client.post(form)
    assert answer.status_code == 302 and answer.url.startswith("/onboarding/me/")
    handbook.refresh_from_db()
    assert handbook.status == "done"
    # The manager, by REST.
    client.force_login(bob)
    answer = client.patch(
        f"{API}/tasks/{one_on_one.pk}", {"done": True}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "done" and answer.json()["state"] == "done"
    answer = client.patch(
        f"{API}/tasks/{one_on_one.pk}",
        {"done": "maybe"},
        content_type="application/json",
    )
    assert answer.status_code == 422


def test_the_board_is_hrs_and_each_managers_own(
    client, hana, bob, dan, nina, carol, alice, enrollment, journey, today
):
    client.force_login(hana)
    page = client.get("/onboarding/")
    assert page.status_code == 200
    assert "Nina Novak" in page.content.decode()
    rows = client.get(f"{API}/enrollments").json()["enrollments"]
    assert [r["person"]["name"] for r in rows] == ["Nina Novak"]
    assert rows[0]["progress"]["late"] == 2 and rows[0]["quiet"] is False
    client.force_login(bob)
    assert client.get("/onboarding/").status_code == 200
    assert len(client.get(f"{API}/enrollments").json()["enrollments"]) == 1
    # carol manages someone who is not onboarding: an empty board.
    alice.manager = carol
    alice.save()
    client.force_login(carol)
    page = client.get("/onboarding/")
    assert page.status_code == 200 and "Nina" not in page.content.decode()
    assert client.get(f"{API}/enrollments").json()["enrollments"] == []
    for person in (dan, nina, alice):
        client.force_login(person)
        assert client.get("/onboarding/").status_code == 403
        assert client.get(f"{API}/enrollments").status_code == 403


def test_only_hr_manages_journeys_on_pages_and_rest(client, hana, bob, nina, journey):
    step = journey.steps.first()
    pages = [
        "/onboarding/journeys/",
        f"/onboarding/journeys/{journey.pk}/",
        f"/onboarding/steps/{step.pk}/",
        "/onboarding/import/",
    ]
    for person in (bob, nina):
        client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 403, url
        assert client.get(f"{API}/journeys").status_code == 403
        answer = client.post(
            f"{API}/journeys",
            {"name": "Mine", "kind": "new_starter"},
            content_type="application/json",
        )
        assert answer.status_code == 403
    client.force_login(hana)
    for url in pages:
        assert client.get(url).status_code == 200, url
    # Pages: create a journey, add a step, edit and remove it, no JS.
    answer = client.post(
        "/onboarding/journeys/", {"name": "Returners", "kind": "returner"}
    )
    returners = Journey.objects.get(name="Returners")
    assert answer.url == f"/onboarding/journeys/{returners.pk}/"
    answer = client.post(
        answer.url,
        {
            "add_step": "1",
            "title": "Catch up with your manager",
            "owner": "manager",
            "due_day": "1",
        },
    )
    assert answer.status_code == 302
    added = returners.steps.get()
    answer = client.post(
        f"/onboarding/steps/{added.pk}/",
        {
            "title": "Catch up",
            "owner": "manager",
            "due_day": "2",
            "link": "https://intranet.example/",
        },
    )
    assert answer.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.due_day) == ("Catch up", 2)
    bad = client.post(
        f"/onboarding/journeys/{returners.pk}/",
        {"add_step": "1", "title": "", "owner": "ceo", "due_day": "x"},
    )
    assert bad.status_code == 400
    client.post(f"/onboarding/steps/{added.pk}/", {"delete": "1"})
    assert not Step.objects.filter(pk=added.pk).exists()
    taken = client.post(
        "/onboarding/journeys/", {"name": "Returners", "kind": "returner"}
    )
    assert taken.status_code == 400 and "already" in taken.content.decode()
    # REST: the same.
    made = client.post(
        f"{API}/journeys",
        {"name": "Interns", "kind": "new_starter"},
        content_type="application/json",
    )
    assert made.status_code == 201
    interns = made.json()["id"]
    step = client.post(
        f"{API}/journeys/{interns}/steps",
        {
            "title": "Meet the team",
            "owner": "buddy",
            "due_day": 1,
            "description": "*Hi*",
        },
        content_type="application/json",
    )
    assert step.status_code == 201 and step.json()["html"] == "<p><em>Hi</em></p>"
    assert (
        client.post(
            f"{API}/journeys/{interns}/steps",
            {"title": "x", "owner": "buddy", "due_day": 999},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert client.get(f"{API}/journeys/999999").status_code == 404
    assert client.delete(f"{API}/steps/{step.json()['id']}").status_code == 204


def test_enrolling_one_person_over_rest(
    client, hana, bob, nina, dan, carol, journey, today
):
    body = {
        "person": nina.pk,
        "journey": journey.pk,
        "start_date": today.isoformat(),
        "buddy": dan.pk,
    }
    client.force_login(bob)
    assert (
        client.post(
            f"{API}/enrollments", body, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(hana)
    made = client.post(f"{API}/enrollments", body, content_type="application/json")
    assert made.status_code == 201
    data = made.json()
    assert data["person"]["id"] == nina.pk and data["buddy"]["id"] == dan.pk
    assert len(data["tasks"]) == 6 and data["manager"]["id"] == bob.pk
    again = client.post(f"{API}/enrollments", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    for wrong, status in (
        ({**body, "person": 999999}, 400),
        ({**body, "journey": 999999}, 404),
        ({**body, "start_date": "tomorrow"}, 422),
    ):
        assert (
            client.post(
                f"{API}/enrollments", wrong, content_type="application/json"
            ).status_code
            == status
        )
    # The manager changes the buddy; the buddy may not.
    client.force_login(dan)
    url = f"{API}/enrollments/{data['id']}"
    assert (
        client.patch(
            url, {"buddy": carol.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(bob)
    changed = client.patch(url, {"buddy": carol.pk}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["buddy"]["id"] == carol.pk


def test_the_buddy_form_changes_the_buddy(client, bob, carol, dan, enrollment):
    url = reverse("onboarding:buddy", args=[enrollment.pk])
    client.force_login(dan)
    client.post(url, {"email": "carol@canteen.test"})
    enrollment.refresh_from_db()
    assert enrollment.buddy == dan
    client.force_login(bob)
    answer = client.post(url, {"email": "nobody@canteen.test"}, follow=True)
    assert "No one works here" in answer.content.decode()
    client.post(url, {"email": "carol@canteen.test"})
    enrollment.refresh_from_db()
    assert enrollment.buddy == carol


def test_hr_ends_a_journey_on_the_page_and_over_rest(
    client, hana, bob, dan, nina, enrollment
):
    url = reverse("onboarding:end", args=[enrollment.pk])
    page = reverse("onboarding:journey", args=[enrollment.pk])
    # Only HR: the manager and the buddy see the page without the button,
    # and their posts change nothing; an outsider gets a 404.
    for person in (bob, dan):
        client.force_login(person)
        assert url not in client.get(page).content.decode()
        client.post(url)
        assert client.post(f"{API}/enrollments/{enrollment.pk}/end").status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.is_active
    client.force_login(hana)
    html = client.get(page).content.decode()
    assert f'action="{url}"' in html and "End Nina Novak's journey" in html
    answer = client.post(url, follow=True)
    assert "journey has ended" in answer.content.decode()
    assert f'data-enrollment="{enrollment.pk}"' not in answer.content.decode()
    enrollment.refresh_from_db()
    assert not enrollment.is_active
    html = client.get(page).content.decode()
    assert "This journey has ended" in html and url not in html
    assert client.get(f"{API}/enrollments").json()["running"] == 0
    # Again over REST: nothing changes, the answer says it has ended.
    ended_at = enrollment.ended_at
    body = client.post(f"{API}/enrollments/{enrollment.pk}/end").json()
    assert body["ended"] is True and body["id"] == enrollment.pk
    enrollment.refresh_from_db()
    assert enrollment.ended_at == ended_at
    # Nina's own page is now the plain one, and her tasks are still hers.
    client.force_login(nina)
    mine = client.get(reverse("onboarding:me")).content.decode()
    assert "not on an onboarding journey" in mine
    assert Task.objects.filter(enrollment=enrollment).exists()
