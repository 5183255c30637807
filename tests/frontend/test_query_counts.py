"""Every page and main API read runs a fixed number of queries, however much
the company and its history grow (make bench --only pages times them)."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import services
from profiles.factories import UserFactory

_ids = itertools.count()

# Each read's statements, pinned: a change here is a change in cost.
# Every page with the sidebar lists the person's spaces (one statement);
# every stream lookup is one statement for every app (intranet.plugins).
# Every signed-in page: the session and user, the sidebar's conversations'
# unread count, its spaces, and the notifications badge.
QUERIES = {
    "/": 8,  # the home feed: the catch-up cursor, its posts (none here)
    "/people/": 9,  # and the locations for its filter
    "/messages/": 7,
    "conversation": 17,  # the streams followed (one statement), then data-seen
    "message search": 10,  # its hits without reactions, mentions or files
    # feeds adds their spaces, posts and whether I follow them, and my
    # permissions (user and groups: may I mark verified sources?)
    "profile": 13,  # and their skills
    "tokens": 6,
    "api conversations": 4,
    "api history": 7,
    "api search": 8,
    "api people": 3,
    "api events": 4,  # the streams followed (one statement), the sync (one)
}


def send(user, conversation, body, **kwargs):
    return services.send_message(
        user,
        conversation_id=conversation.pk,
        body=body,
        client_id=f"q-{next(_ids)}",
        **kwargs,
    )[0]


def grow(alice, bob, carol, *, people: int, conversations: int, messages: int):
    """Add people, and conversations of alice's with unread, mentions and
    threads in them."""
    newcomers = UserFactory.create_batch(people)
    for n in range(conversations):
        group = services.create_group(
            bob,
            title=f"Team {next(_ids)}",
            member_ids=[alice.pk, carol.pk, *(p.pk for p in newcomers[:3])],
        )
        first = send(bob, group, "planning the week")
        for m in range(messages):
            send(carol, group, f"planning @**Alice Adams** {m}")
        if n % 2:
            send(bob, group, "in a thread", thread_id=first.pk)


def reads(direct, bob) -> dict[str, str]:
    return {
        "/": "/",
        "/people/": "/people/",
        "/messages/": "/messages/",
        "conversation": f"/messages/{direct.pk}/",
        "message search": "/messages/search/?q=planning",
        "profile": f"/people/{bob.pk}/",
        "tokens": "/settings/tokens/",
        "api conversations": "/api/v1/conversations",
        "api history": f"/api/v1/conversations/{direct.pk}/messages",
        "api search": "/api/v1/search/messages?q=planning",
        "api people": "/api/v1/people?q=bob",
        "api events": "/api/v1/events?since=0",
    }


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def many_sends(settings):
    settings.MESSAGE_SEND_BURST = 1000
    settings.MESSAGE_SEND_PER_MINUTE = 100000


def test_every_page_and_api_read_runs_the_same_queries_as_data_grows(
    client, alice, bob, carol, many_sends
):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    send(bob, direct, "planning lunch")
    client.force_login(alice)
    grow(alice, bob, carol, people=2, conversations=1, messages=1)
    small = {
        name: count_queries(client, url) for name, url in reads(direct, bob).items()
    }
    grow(alice, bob, carol, people=30, conversations=12, messages=8)
    for _ in range(30):
        send(bob, direct, "planning more")
    large = {
        name: count_queries(client, url) for name, url in reads(direct, bob).items()
    }
    assert small == QUERIES
    assert large == QUERIES
