"""The directory's filters (location, skill, new starters) and orders."""

import datetime

import pytest
from django.utils import timezone

from intranet import cursors
from profiles import views
from profiles.factories import UserFactory
from profiles.selectors import directory_page
from profiles.services import update_profile


def names(response) -> list[str]:
    return [p.display_name for p in response.context["page"].people]


@pytest.fixture
def staff(alice, bob, carol):
    today = timezone.localdate()
    alice.start_date = today - datetime.timedelta(days=2)
    alice.location = "Lisbon"
    alice.save()
    bob.start_date = today - datetime.timedelta(days=400)
    bob.save()
    carol.start_date = None
    carol.location = "Lisbon"
    carol.save()
    dan = UserFactory.create(
        first_name="Dan", last_name="Dale", start_date=today - datetime.timedelta(3)
    )
    eve = UserFactory.create(
        first_name="Eve", last_name="East", start_date=today - datetime.timedelta(400)
    )
    update_profile(alice, person_id=alice.pk, changes={"skills": ["Kubernetes"]})
    update_profile(carol, person_id=carol.pk, changes={"skills": ["kubernetes", "Zoë"]})
    return [alice, bob, carol, dan, eve]


def test_filters_narrow_the_directory(client, staff):
    client.force_login(staff[0])
    response = client.get("/people/", {"location": "Lisbon"})
    assert names(response) == ["Alice Adams", "Carol Cruz"]
    assert 'value="Lisbon" selected' in response.content.decode()
    response = client.get("/people/", {"skill": "KUBERNETES"})
    assert names(response) == ["Alice Adams", "Carol Cruz"]
    response = client.get("/people/", {"skill": "zoe"})
    assert names(response) == ["Carol Cruz"]
    response = client.get("/people/", {"new": "1"})
    assert names(response) == ["Alice Adams", "Dan Dale"]
    response = client.get("/people/", {"new": "1", "location": "Lisbon"})
    assert names(response) == ["Alice Adams"]
    response = client.get("/people/", {"skill": "cobol"})
    assert names(response) == []
    assert "Nobody matches these filters." in response.content.decode()
    # A place nobody is at is a 400 that says so and filters nothing.
    response = client.get("/people/", {"location": "Atlantis"})
    assert response.status_code == 400
    assert "Choose a location from the list." in response.content.decode()
    assert len(names(response)) == 5


def test_newest_first_pages_forwards_and_back(client, staff, monkeypatch):
    """Latest start date first, people without one last, ties by name."""
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 2)
    client.force_login(staff[0])
    expected = ["Alice Adams", "Dan Dale", "Bob Brown", "Eve East", "Carol Cruz"]
    pages = [client.get("/people/", {"sort": "start"})]
    while cursor := pages[-1].context["page"].next_cursor:
        pages.append(client.get("/people/", {"sort": "start", "after": cursor}))
        assert pages[-1].status_code == 200
    assert [n for p in pages for n in names(p)] == expected
    back = client.get(
        "/people/",
        {"sort": "start", "before": pages[2].context["page"].previous_cursor},
    )
    assert names(back) == ["Bob Brown", "Eve East"]
    first = client.get(
        "/people/", {"sort": "start", "before": back.context["page"].previous_cursor}
    )
    assert names(first) == ["Alice Adams", "Dan Dale"]
    assert first.context["page"].previous_cursor is None


def test_a_cursor_of_the_other_order_is_a_400(client, staff):
    client.force_login(staff[0])
    by_name = cursors.encode("Alice", "Adams", staff[0].pk)
    response = client.get("/people/", {"sort": "start", "after": by_name})
    assert response.status_code == 400
    assert "That page link is broken" in response.content.decode()
    by_start = cursors.encode("2020-01-01", "A", "B", 1)
    assert client.get("/people/", {"after": by_start}).status_code == 400
    bad_date = cursors.encode("yesterday", "A", "B", 1)
    response = client.get("/people/", {"sort": "start", "after": bad_date})
    assert response.status_code == 400
    assert client.get("/people/", {"sort": "age"}).status_code == 400
    with pytest.raises(ValueError):
        directory_page(sort="start", after=("Alice", "Adams", 1), limit=5)
