"""Announcement pages with HR, a communicator, a member and an outsider:
the composer, "I've read this", the acknowledgements page, its CSV and
nudge, and HR's verified-source button on profiles."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from feeds import services
from feeds.models import Announcement, Post, Reader

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_hr_and_communicators_open_the_composer(hanna, chris, alice, company):
    assert client_for(alice).get("/announcements/new/").status_code == 403
    for person in (hanna, chris):
        page = client_for(person).get(f"/announcements/new/?space={company.pk}")
        assert page.status_code == 200
        assert "Everyone (Company-wide)" in page.text
    space_page = client_for(hanna).get(company.get_absolute_url()).text
    assert "New announcement" in space_page
    assert (
        "New announcement" not in client_for(alice).get(company.get_absolute_url()).text
    )


def test_the_composer_publishes_now_or_schedules(hanna, alice, company):
    hr = client_for(hanna)
    answer = hr.post(
        "/announcements/new/",
        {"space": company.pk, "body": "Now **please**", "must_read": "on"},
    )
    post = Post.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/posts/{post.pk}/"
    assert post.must_read and post.is_announcement
    answer = hr.post(
        "/announcements/new/",
        {"space": company.pk, "body": "Later", "publish_at": "2099-01-01T09:00"},
        follow=True,
    )
    assert "Scheduled: it will be published on 01 Jan 2099 at 09:00" in answer.text
    assert "Later" in answer.text  # in HR's scheduled list
    assert Post.objects.count() == 1
    for page in ("/", company.get_absolute_url()):
        assert "Later" not in client_for(alice).get(page).text
    bad = hr.post(
        "/announcements/new/",
        {"space": company.pk, "body": "x", "publish_at": "tomorrow"},
    )
    assert bad.status_code == 200 and "give a date and time" in bad.text


def test_a_reader_acknowledges_from_the_post(hanna, alice, carol, company):
    post = services.announce(
        hanna, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    member = client_for(alice)
    page = member.get(post.get_absolute_url()).text
    report = f'href="/posts/{post.pk}/acknowledgements/"'
    assert f'action="/posts/{post.pk}/acknowledge/"' in page and report not in page
    answer = member.post(f"/posts/{post.pk}/acknowledge/", follow=True)
    assert "your acknowledgement is recorded" in answer.text
    assert "You acknowledged this" in member.get(post.get_absolute_url()).text
    assert Reader.objects.get(user=alice).acknowledged_at is not None
    assert report in client_for(hanna).get(post.get_absolute_url()).text


def test_the_acknowledgements_page_nudge_and_csv(hanna, chris, alice, bob, company):
    post = services.announce(
        chris, space_id=company.pk, body="Read me", must_read=True
    ).published_post
    services.acknowledge(alice, post_id=post.pk)
    url = f"/posts/{post.pk}/acknowledgements/"
    # Who read it is its author's and HR's: to anyone else it does not exist.
    assert client_for(bob).get(url).status_code == 404
    assert (
        client_for(bob).get(f"/posts/{post.pk}/acknowledgements.csv").status_code == 404
    )
    for person in (chris, hanna):
        page = client_for(person).get(url)
        assert page.status_code == 200
        assert (
            "Acknowledged by <strong data-ack-acknowledged>1</strong> of" in page.text
        )
        assert "Bob Brown" in page.text and "Engineering" in page.text
    # Nor may a reader nudge: 404, nothing sent.
    refused = client_for(bob).post(f"/posts/{post.pk}/nudge/", {"next": url})
    assert refused.status_code == 404
    assert not Announcement.objects.get(post=post).nudged_at
    nudged = client_for(chris).post(
        f"/posts/{post.pk}/nudge/", {"next": url}, follow=True
    )
    assert "Nudged 3 people." in nudged.text
    again = client_for(hanna).post(
        f"/posts/{post.pk}/nudge/", {"next": url}, follow=True
    )
    assert "an announcement is nudged once" in again.text
    exported = client_for(hanna).get(f"/posts/{post.pk}/acknowledgements.csv")
    assert exported.content.decode().startswith("name,email,department,acknowledged_at")
    garden = services.create_space(alice, name="Gardening")
    plain, _ = services.create_post(alice, space_id=garden.pk, body="hi", client_id="p")
    not_one = client_for(hanna).get(f"/posts/{plain.pk}/acknowledgements/")
    assert not_one.status_code == 404


def test_the_acknowledgements_page_reads_in_constant_queries(
    hanna, company, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from profiles.factories import UserFactory

    hr = client_for(hanna)

    def queries(post) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert hr.get(f"/posts/{post.pk}/acknowledgements/").status_code == 200
        return len(captured)

    small = services.announce(hanna, space_id=company.pk, body="A", must_read=True)
    UserFactory.create_batch(30)
    big = services.announce(hanna, space_id=company.pk, body="B", must_read=True)
    queries(small.post)  # warm the session and permission caches alike
    assert queries(big.post) == queries(small.post)


def test_hr_marks_a_verified_source_from_the_profile(hanna, chris, alice):
    profile = f"/people/{alice.pk}/"
    assert "Mark as verified source" in client_for(hanna).get(profile).text
    assert "Mark as verified source" not in client_for(chris).get(profile).text
    answer = client_for(hanna).post(
        f"/people/{alice.pk}/verified/", {"verified": "1", "next": profile}, follow=True
    )
    assert "Alice Adams is now a verified source." in answer.text
    alice.refresh_from_db()
    assert alice.is_verified
    refused = client_for(chris).post(
        f"/people/{alice.pk}/verified/", {"verified": "0", "next": profile}, follow=True
    )
    assert "Only HR can mark verified sources." in refused.text
    alice.refresh_from_db()
    assert alice.is_verified


def test_a_scheduled_announcement_has_no_page_until_published(hanna, alice, company):
    announcement = services.announce(
        hanna,
        space_id=company.pk,
        body="Not yet",
        publish_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert Announcement.objects.get().post is None
    for person in (alice, hanna):
        for page in ("/", company.get_absolute_url()):
            assert "Not yet" not in client_for(person).get(page).text
    services.publish_due(now=announcement.publish_at)
    assert "Not yet" in client_for(alice).get(company.get_absolute_url()).text


def test_hr_sees_reach_by_department_of_any_announcement(hanna, chris, alice, company):
    post = services.announce(chris, space_id=company.pk, body="FYI").published_post
    services.mark_seen(alice, post_ids=[post.pk])
    link = f'href="/posts/{post.pk}/acknowledgements/"'
    assert link in client_for(hanna).get(post.get_absolute_url()).text
    assert link not in client_for(alice).get(post.get_absolute_url()).text
    page = client_for(hanna).get(f"/posts/{post.pk}/acknowledgements/")
    assert "Seen by <strong>1</strong> of <strong>4</strong>" in page.text
    assert "Nudge" not in page.text and "I've read" not in page.text
    assert (
        client_for(alice).get(f"/posts/{post.pk}/acknowledgements/").status_code == 404
    )
    # Nudging is for must-reads only.
    nudged = client_for(hanna).post(f"/posts/{post.pk}/nudge/", follow=True)
    assert "does not ask to be acknowledged" in nudged.text
