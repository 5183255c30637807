"""HR's page to enroll one person: proposes a buddy to keep or change,
enrolls through the same service as REST and the import, refuses with a
sentence, and is HR's only."""

import datetime

import pytest

from onboarding.models import Enrollment, Task

pytestmark = pytest.mark.django_db(transaction=False)

URL = "/onboarding/enroll/"


def form(nina, journey, today, **extra):
    return {
        "email": nina.email,
        "start_date": (today + datetime.timedelta(days=7)).isoformat(),
        "journey": journey.pk,
        "buddy_email": "",
        **extra,
    }


def test_hr_proposes_a_buddy_changes_it_and_enrolls(
    client, hana, nina, dan, carol, journey, today
):
    client.force_login(hana)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Person&#x27;s work email", "Start date", "Journey", "Buddy"):
        assert label in html, label
    assert 'type="date"' in html and "Propose a buddy" in html
    proposed = client.post(URL, {**form(nina, journey, today), "propose": "1"})
    assert proposed.status_code == 200
    assert "Proposed buddy" in proposed.content.decode()
    buddy = proposed.context["proposed"]
    assert buddy is not None and buddy.department_id != nina.department_id
    assert proposed.context["form"]["buddy_email"].value() == buddy.email
    assert not Enrollment.objects.exists()  # proposing enrolls no one
    # HR changes the proposal to carol and enrolls.
    done = client.post(
        URL, {**form(nina, journey, today, buddy_email=carol.email), "enroll": "1"}
    )
    enrollment = Enrollment.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/onboarding/{enrollment.pk}/"
    assert enrollment.buddy == carol and enrollment.person == nina
    assert Task.objects.filter(enrollment=enrollment).count() == 6
    # The same again changes nothing.
    again = client.post(
        URL,
        {**form(nina, journey, today, buddy_email=carol.email), "enroll": "1"},
        follow=True,
    )
    assert "was on this journey already" in again.content.decode()
    assert Enrollment.objects.count() == 1


def test_an_empty_buddy_is_proposed_by_the_service(client, hana, nina, journey, today):
    client.force_login(hana)
    client.post(URL, {**form(nina, journey, today), "enroll": "1"})
    enrollment = Enrollment.objects.get()
    assert enrollment.buddy is not None


def test_bad_input_is_a_400_with_the_reason_beside_its_field(
    client, hana, nina, journey, today, enrollment
):
    client.force_login(hana)
    unknown = client.post(
        URL, {**form(nina, journey, today, email="nobody@canteen.test"), "enroll": "1"}
    )
    assert unknown.status_code == 400
    assert "No one works here with that email." in unknown.content.decode()
    bad_date = client.post(
        URL, {**form(nina, journey, today, start_date="soon"), "enroll": "1"}
    )
    assert bad_date.status_code == 400
    assert "Enter a valid date." in bad_date.content.decode()
    other = journey.__class__.objects.create(name="Other", kind="new_starter")
    twice = client.post(
        URL, {**form(nina, other, today), "journey": other.pk, "enroll": "1"}
    )
    assert twice.status_code == 400
    assert "already on a journey" in twice.content.decode()


def test_only_hr_may_open_it(client, bob, nina, carol, journey, today):
    for person in (bob, nina, carol):
        client.force_login(person)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form(nina, journey, today)).status_code == 403
    assert not Enrollment.objects.exists()
