"""Profile pages (/people/<id>/).

alice looks people up; bob is her manager; carol works in Customer Support.
Deactivated people have no profile (404).
"""

import datetime
import re

from django.utils import timezone

from profiles import presence
from profiles.factories import UserFactory
from profiles.templatetags.people import time_apart


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
    assert "Berlin ·" in page
    # The clock where bob is, worked out on the server.
    shown = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d)</time>', page)
    assert shown is not None
    assert shown[2] in {before.strftime("%H:%M"), after.strftime("%H:%M")}
    stamp = datetime.datetime.fromisoformat(shown[1])
    assert stamp.utcoffset() == before.utcoffset()
    assert "local time <small>(1 hour ahead of you)</small>" in page
    assert "Europe/Berlin" in page
    assert "Joined</dt>" in page and "3 March 2021" in page
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


def test_a_profile_takes_five_queries_whatever_the_team_size(
    client, alice, bob, carol, django_assert_num_queries
):
    """Session, user, the person with department and manager, the reports,
    the sidebar's unread count."""
    bob.manager = carol
    bob.save()
    client.force_login(alice)
    with django_assert_num_queries(5):
        client.get(f"/people/{bob.pk}/")
    for _ in range(20):
        UserFactory.create(manager=bob, department=carol.department)
    with django_assert_num_queries(5):
        response = client.get(f"/people/{bob.pk}/")
    assert len(response.context["profile"].reports) == 21


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
