"""Unread counts: what counts, where they stop, and what they cost."""

import itertools

import pytest

from messaging import selectors, services
from messaging.selectors import UNREAD_CAP

_client_ids = itertools.count()


def send(user, conversation, body="Hello", **kwargs):
    message, _ = services.send_message(
        user,
        conversation_id=conversation.pk,
        body=body,
        client_id=f"u-{next(_client_ids)}",
        **kwargs,
    )
    return message


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


@pytest.fixture
def many_sends(settings):
    """Let one person send more than the cap without the rate limit."""
    settings.MESSAGE_SEND_BURST = 1000
    settings.MESSAGE_SEND_PER_MINUTE = 100000


def counts(user, conversation):
    summaries = {s.conversation.pk: s for s in selectors.conversation_summaries(user)}
    return (
        summaries[conversation.pk].unread,
        selectors.unread_in(user, conversation.pk),
    )


def test_unread_counts_others_top_level_live_messages_above_the_marker(
    alice, bob, carol, direct
):
    first = send(alice, direct, "one")
    send(alice, direct, "two")
    # A thread reply is read in its panel; a deleted message is gone; the
    # reader's own message is read (and moves their marker up).
    send(alice, direct, "in a thread", thread_id=first.pk)
    deleted = send(alice, direct, "oops")
    services.delete_message(alice, message_id=deleted.pk)
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    send(carol, group, "pizza?")
    send(bob, group, "yes")  # bob's own: read, and so is what came before
    send(carol, group, "12:30")

    assert counts(bob, direct) == (2, 2)
    assert counts(bob, group) == (1, 1)
    assert selectors.total_unread(bob) == 3
    assert counts(alice, direct) == (0, 0)
    assert counts(alice, group) == (3, 3)
    assert selectors.total_unread(alice) == 3
    # Not a member: nothing unread, not an error.
    assert selectors.unread_in(carol, direct.pk) == 0
    assert selectors.total_unread(carol) == 0  # her own came last

    services.mark_read(bob, conversation_id=direct.pk, message_id=first.pk)
    assert counts(bob, direct) == (1, 1)
    assert selectors.total_unread(bob) == 2


def test_unread_counts_stop_at_the_cap_and_show_as_99_plus(
    client, alice, bob, carol, direct, many_sends
):
    for n in range(UNREAD_CAP + 5):
        send(alice, direct, f"m{n}")
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    send(carol, group, "pizza?")

    assert counts(bob, direct) == (UNREAD_CAP, UNREAD_CAP)
    assert counts(bob, group) == (1, 1)
    # The total stops at the cap too: "at least 100" either way.
    assert selectors.total_unread(bob) == UNREAD_CAP
    assert selectors.total_unread(carol) == 0

    client.force_login(bob)
    html = client.get("/messages/").content.decode()
    assert f'data-total-unread="{UNREAD_CAP}"' in html
    assert '<span class="n">99+</span>' in html  # the nav, and the sidebar
    assert html.count('<span class="n">99+</span>') == 2
    assert '<span class="n">1</span>' in html  # the group, uncapped


def test_unread_mentions_are_counted_from_the_persons_mentions(
    alice, bob, carol, direct
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    send(alice, direct, "@**Bob Brown** here")
    send(alice, group, "@**Bob Brown** there")
    send(carol, group, "@**Carol Cruz** talks to herself")
    summaries = {s.conversation.pk: s for s in selectors.conversation_summaries(bob)}
    assert summaries[direct.pk].mentions == 1
    assert summaries[group.pk].mentions == 1
    assert selectors.unread_mentions_in(bob, group.pk) == 1
    # A mention in another conversation is never counted in this one.
    assert selectors.unread_mentions_in(alice, group.pk) == 0
    assert selectors.unread_mentions_in(carol, group.pk) == 0


def test_unread_counts_take_the_same_queries_however_much_is_unread(
    alice, bob, carol, direct, many_sends, django_assert_num_queries
):
    send(alice, direct, "one")
    with django_assert_num_queries(1):
        assert selectors.total_unread(bob) == 1
    with django_assert_num_queries(2):
        selectors.conversation_summaries(bob)
    for n in range(20):
        group = services.create_group(
            alice, title=f"Group {n}", member_ids=[bob.pk, carol.pk]
        )
        send(carol, group, "hello @**Bob Brown**")
    with django_assert_num_queries(1):
        assert selectors.total_unread(bob) == 21
    with django_assert_num_queries(2):
        summaries = selectors.conversation_summaries(bob)
    assert sum(s.mentions for s in summaries) == 20
    with django_assert_num_queries(1):
        assert selectors.unread_in(bob, direct.pk) == 1
    with django_assert_num_queries(1):
        assert selectors.unread_mentions_in(bob, group.pk) == 1
