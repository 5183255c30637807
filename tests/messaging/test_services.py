"""Conversation services with personas: alice and bob talk, carol is out."""

import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.http import Http404

from intranet import plugins, sync
from intranet.errors import RateLimited, ServiceError
from intranet.models import Event
from intranet.realtime import encode, user_group
from messaging import selectors, services
from messaging.events import MAX_BODY_LENGTH, conversation_group
from messaging.models import Conversation, Message
from tests.base import capture_published, events_since


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


def send(user, conversation, body="Hello", client_id=None, **kwargs):
    client_id = client_id or f"c-{Message.objects.count()}-{body[:10]}"
    message, _ = services.send_message(
        user, conversation_id=conversation.pk, body=body, client_id=client_id, **kwargs
    )
    return message


def test_two_people_share_one_direct_conversation(alice, bob, direct):
    again = services.get_or_create_direct(bob, other_id=alice.pk)
    assert again == direct
    assert direct.kind == Conversation.Kind.DIRECT
    assert set(direct.members.all()) == {alice, bob}
    with pytest.raises(ServiceError, match="do not exist"):
        services.get_or_create_direct(alice, other_id=999_999)


def test_send_message_stores_renders_and_publishes_to_members_on_commit(
    alice, direct, django_capture_on_commit_callbacks
):
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        message, created = services.send_message(
            alice,
            conversation_id=direct.pk,
            body="**hi** <script>x</script>",
            client_id="abc",
        )
    assert created is True
    assert (
        message.body_html == "<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>"
    )
    (call,) = published
    assert call["groups"] == [conversation_group(direct.pk)]
    event = call["event"]
    assert event["type"] == "message.new"
    assert event["message"]["id"] == message.pk
    assert event["message"]["client_id"] == "abc"
    assert event["cursor"] == Event.objects.get().pk
    # Nothing is published before commit.
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=False),
    ):
        send(alice, direct, "second")
    assert published == []


def test_a_repeated_client_id_stores_one_message(alice, bob, direct):
    first, created = services.send_message(
        alice, conversation_id=direct.pk, body="once", client_id="same"
    )
    for _ in range(4):
        again, created = services.send_message(
            alice, conversation_id=direct.pk, body="once", client_id="same"
        )
        assert (again, created) == (first, False)
    assert Message.objects.count() == 1
    # Another sender may use the same client_id.
    _, created = services.send_message(
        bob, conversation_id=direct.pk, body="mine", client_id="same"
    )
    assert created is True


def test_outsiders_get_404_everywhere(alice, carol, direct):
    message = send(alice, direct)
    with pytest.raises(Http404):
        services.send_message(
            carol, conversation_id=direct.pk, body="hi", client_id="x"
        )
    with pytest.raises(Http404):
        services.mark_read(carol, conversation_id=direct.pk, message_id=message.pk)
    with pytest.raises(Http404):
        services.add_reaction(carol, message_id=message.pk, emoji="👍")
    with pytest.raises(Http404):
        services.edit_message(carol, message_id=message.pk, body="hacked")
    with pytest.raises(Http404):
        services.set_typing(carol, conversation_id=direct.pk, active=True)
    assert events_since(carol, 0).events == []
    assert Message.objects.count() == 1


def test_bad_bodies_are_refused(alice, direct):
    for body, code in [
        ("", "empty"),
        ("   \n", "empty"),
        ("x" * (MAX_BODY_LENGTH + 1), "too_long"),
    ]:
        with pytest.raises(ServiceError) as caught:
            send(alice, direct, body)
        assert caught.value.code == code
    send(alice, direct, "x" * MAX_BODY_LENGTH)
    assert Message.objects.count() == 1


def test_sending_is_rate_limited_with_a_clear_error(alice, bob, direct, settings):
    settings.MESSAGE_SEND_PER_MINUTE = 1  # no refill during the test
    for n in range(10):
        send(alice, direct, f"burst {n}")
    with pytest.raises(RateLimited, match="too fast"):
        send(alice, direct, "one too many")
    # Bob is not slowed down by Alice.
    send(bob, direct, "fine")


def test_edit_and_delete_own_messages_only(alice, bob, direct):
    message = send(alice, direct, "draft")
    with pytest.raises(ServiceError, match="your own"):
        services.edit_message(bob, message_id=message.pk, body="nope")
    edited = services.edit_message(alice, message_id=message.pk, body="final *text*")
    assert edited.edited_at is not None
    assert edited.body_html == "<p>final <em>text</em></p>"
    with pytest.raises(ServiceError, match="your own"):
        services.delete_message(bob, message_id=message.pk)
    services.add_reaction(bob, message_id=message.pk, emoji="👍")
    deleted = services.delete_message(alice, message_id=message.pk)
    assert deleted.is_deleted and deleted.body == "" and deleted.body_html == ""
    assert deleted.reactions.count() == 0
    types = [e.payload["type"] for e in Event.objects.order_by("id")]
    assert types == [
        "message.new",
        "message.edited",
        "reaction.changed",
        "message.deleted",
    ]


def test_reactions_toggle_idempotently(alice, bob, direct):
    message = send(alice, direct)
    for _ in range(2):
        services.add_reaction(bob, message_id=message.pk, emoji="🎉")
    services.add_reaction(alice, message_id=message.pk, emoji="🎉")
    event = Event.objects.latest("id")
    assert event.payload["reactions"] == [{"emoji": "🎉", "users": [bob.pk, alice.pk]}]
    services.remove_reaction(bob, message_id=message.pk, emoji="🎉")
    assert message.reactions.count() == 1
    with pytest.raises(ServiceError):
        services.add_reaction(bob, message_id=message.pk, emoji="two words")


def test_unread_counts_and_read_marker(
    alice,
    bob,
    carol,
    direct,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    messages = [send(alice, direct, f"m{n}") for n in range(3)]
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    send(carol, group, "pizza?")

    with django_assert_num_queries(2):
        summaries = selectors.conversation_summaries(bob)
    by_id = {s.conversation.pk: s for s in summaries}
    assert by_id[direct.pk].unread == 3
    assert by_id[direct.pk].title == "Alice Adams"
    assert by_id[group.pk].unread == 1
    assert by_id[group.pk].title == "Lunch"
    assert [s.conversation.pk for s in summaries] == [group.pk, direct.pk]
    # The sender has read their own messages.
    assert {
        s.conversation.pk: s.unread for s in selectors.conversation_summaries(alice)
    } == {direct.pk: 0, group.pk: 1}

    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        marker = services.mark_read(
            bob, conversation_id=direct.pk, message_id=messages[1].pk
        )
    assert marker == messages[1].pk
    assert published == [
        {
            "event": {
                "type": "read.updated",
                "conversation": direct.pk,
                "last_read_id": messages[1].pk,
                "unread": 1,
                "mentions": 0,
                "total_unread": 2,  # one here, one in the group
            },
            "groups": [user_group(bob.pk)],
        }
    ]
    # Never backwards.
    services.mark_read(bob, conversation_id=direct.pk, message_id=messages[0].pk)
    unread = {
        s.conversation.pk: s.unread for s in selectors.conversation_summaries(bob)
    }
    assert unread[direct.pk] == 1
    assert selectors.total_unread(bob) == 2


def test_unread_mentions_count_per_conversation_and_clear_on_reading(
    alice,
    bob,
    carol,
    direct,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    first = send(alice, direct, "Hi @**Bob Brown**, the review?")
    send(alice, direct, "No mention here")
    # Neither a thread reply (read in its panel) nor a deleted message
    # counts, as for unread messages.
    send(alice, direct, "@**Bob Brown** in a thread", thread_id=first.pk)
    deleted = send(alice, direct, "@**Bob Brown** oops")
    services.delete_message(alice, message_id=deleted.pk)
    last = send(alice, direct, "And @**Bob Brown** again")
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    # bob mentioning himself is his own message: never unread.
    send(bob, group, "@**Bob Brown** is in")
    send(carol, group, "@**Alice Adams** and @**Bob Brown**: pizza?")

    with django_assert_num_queries(2):
        listed = selectors.conversation_summaries(bob)
    summaries = {s.conversation.pk: s for s in listed}
    assert (summaries[direct.pk].unread, summaries[direct.pk].mentions) == (3, 2)
    assert (summaries[group.pk].unread, summaries[group.pk].mentions) == (1, 1)
    assert summaries[direct.pk].peer == alice.pk
    assert summaries[group.pk].peer is None
    assert summaries[direct.pk].as_dict()["mentions"] == 2
    assert summaries[direct.pk].as_dict()["peer"] == alice.pk
    alices = {s.conversation.pk: s for s in selectors.conversation_summaries(alice)}
    assert alices[direct.pk].mentions == 0
    assert alices[direct.pk].peer == bob.pk
    assert alices[group.pk].mentions == 1
    assert selectors.unread_mentions_in(carol, group.pk) == 0

    # Reading up to the first mention leaves the second one.
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.mark_read(bob, conversation_id=direct.pk, message_id=first.pk)
    (call,) = published
    assert call["event"]["unread"] == 2
    assert call["event"]["mentions"] == 1
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.mark_read(bob, conversation_id=direct.pk, message_id=last.pk)
    (call,) = published
    assert (call["event"]["unread"], call["event"]["mentions"]) == (0, 0)
    assert selectors.unread_mentions_in(bob, direct.pk) == 0
    assert selectors.unread_mentions_in(bob, group.pk) == 1


def test_groups_add_and_leave(alice, bob, carol, django_capture_on_commit_callbacks):
    with pytest.raises(ServiceError, match="at least one other"):
        services.create_group(alice, title="Solo", member_ids=[])
    group = services.create_group(alice, title="Team", member_ids=[bob.pk])
    with pytest.raises(Http404):
        services.add_members(carol, conversation_id=group.pk, member_ids=[carol.pk])
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.add_members(bob, conversation_id=group.pk, member_ids=[carol.pk])
    assert set(group.members.all()) == {alice, bob, carol}
    assert {
        "event": {"type": "conversation.joined", "conversation": group.pk},
        "groups": [user_group(carol.pk)],
        "follow": [f"conversation.{group.pk}"],
    } in published
    services.leave_conversation(carol, conversation_id=group.pk)
    with pytest.raises(Http404):
        selectors.get_conversation_for_user(carol, group.pk)
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    with pytest.raises(ServiceError, match="only leave group"):
        services.leave_conversation(alice, conversation_id=direct.pk)
    with pytest.raises(ServiceError, match="Only group"):
        services.add_members(alice, conversation_id=direct.pk, member_ids=[carol.pk])


def test_any_member_renames_a_group_and_every_member_hears_it(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    # carol is not in it: 404, as for everything else, and nothing changes.
    with pytest.raises(Http404):
        services.rename_conversation(carol, conversation_id=group.pk, name="Mine")
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        renamed = services.rename_conversation(
            bob, conversation_id=group.pk, name="  Friday lunch  "
        )
    assert renamed.title == "Friday lunch"
    group.refresh_from_db()
    assert group.title == "Friday lunch"
    (call,) = published
    assert call["groups"] == [conversation_group(group.pk)]
    event = call["event"]
    assert event["type"] == "conversation.updated"
    assert event["conversation"]["title"] == "Friday lunch"
    assert [m["id"] for m in event["conversation"]["members"]] == [alice.pk, bob.pk]
    # Stored, so a tab that was offline gets it from sync.
    stored = Event.objects.get()
    assert event["cursor"] == stored.pk
    assert stored.payload == {k: v for k, v in event.items() if k != "cursor"}
    (replayed,) = events_since(alice, 0).events
    assert replayed == event
    assert events_since(carol, 0).events == []


def test_a_rename_that_changes_nothing_tells_no_one(
    alice, bob, django_capture_on_commit_callbacks
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        same = services.rename_conversation(
            alice, conversation_id=group.pk, name=" Lunch "
        )
    assert same.title == "Lunch"
    assert published == []
    assert not Event.objects.exists()


def test_a_group_name_may_be_cleared_but_not_too_long(alice, bob, carol):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    too_long = "x" * (services.MAX_TITLE_LENGTH + 1)
    with pytest.raises(ServiceError) as caught:
        services.rename_conversation(alice, conversation_id=group.pk, name=too_long)
    assert caught.value.code == "too_long"
    assert caught.value.message == (
        "A name can be at most 100 characters (this one has 101)."
    )
    group.refresh_from_db()
    assert group.title == "Lunch"
    longest = "x" * services.MAX_TITLE_LENGTH
    services.rename_conversation(alice, conversation_id=group.pk, name=longest)
    group.refresh_from_db()
    assert group.title == longest
    # Blank clears the name, as a group may be made without one: it is then
    # called after the other members, for each of them.
    services.rename_conversation(alice, conversation_id=group.pk, name="   ")
    (group,) = selectors.with_members(Conversation.objects.filter(pk=group.pk))
    assert group.title == ""
    assert selectors.display_title(group, alice) == "Bob Brown, Carol Cruz"
    assert selectors.display_title(group, carol) == "Alice Adams, Bob Brown"
    assert Event.objects.count() == 2


def test_direct_and_space_conversations_cannot_be_renamed(alice, bob, direct):
    # No service makes a space's chat yet (spaces come with feeds).
    space = Conversation.objects.create(kind=Conversation.Kind.SPACE, title="Design")
    space.memberships.create(user=alice)
    cases = [
        (direct, "A direct conversation cannot be renamed"),
        (space, "A space's chat is named after its space"),
    ]
    for conversation, text in cases:
        with pytest.raises(ServiceError) as caught:
            services.rename_conversation(
                alice, conversation_id=conversation.pk, name="New"
            )
        assert caught.value.code == "not_a_group"
        assert caught.value.status == 400
        assert text in caught.value.message
    assert set(Conversation.objects.values_list("title", flat=True)) == {"", "Design"}
    assert not Event.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers anyway"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["rename", "add", "leave"])
def test_changes_to_a_group_wait_for_its_row_lock(change, alice, bob, carol):
    """Each conversation.updated describes what the one before it left, so
    a tab that applies the newest it has seen shows the group as it is.

    The test holds the lock another change would take (FOR NO KEY UPDATE,
    which inserting rows that point at the conversation does not wait for).
    """
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    calls = {
        "rename": lambda: services.rename_conversation(
            bob, conversation_id=group.pk, name="Brunch"
        ),
        "add": lambda: services.add_members(
            bob, conversation_id=group.pk, member_ids=[carol.pk]
        ),
        "leave": lambda: services.leave_conversation(bob, conversation_id=group.pk),
    }

    def run():
        try:
            calls[change]()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool, transaction.atomic():
        Conversation.objects.select_for_update(no_key=True).get(pk=group.pk)
        waiting = pool.submit(run)
        with pytest.raises(FutureTimeout):
            waiting.result(timeout=0.5)
        # Still holding the lock: the change has stored nothing yet.
        assert not Event.objects.exists()
    waiting.result(timeout=5)
    assert Event.objects.get().payload["type"] == "conversation.updated"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers anyway"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["react", "unreact", "edit", "delete"])
def test_changes_to_a_message_wait_for_its_row_lock(change, alice, bob, direct):
    """Two reactions at once commit their summaries in cursor order, and an
    edit racing a delete cannot write text back onto the tombstone."""
    message = send(alice, direct, "Lunch?")
    services.add_reaction(bob, message_id=message.pk, emoji="👍")
    calls = {
        "react": lambda: services.add_reaction(
            alice, message_id=message.pk, emoji="🎉"
        ),
        "unreact": lambda: services.remove_reaction(
            bob, message_id=message.pk, emoji="👍"
        ),
        "edit": lambda: services.edit_message(
            alice, message_id=message.pk, body="Brunch?"
        ),
        "delete": lambda: services.delete_message(alice, message_id=message.pk),
    }
    stored = Event.objects.count()

    def run():
        try:
            calls[change]()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool, transaction.atomic():
        Message.objects.select_for_update(no_key=True).get(pk=message.pk)
        waiting = pool.submit(run)
        with pytest.raises(FutureTimeout):
            waiting.result(timeout=0.5)
        # Still holding the lock: the change has stored nothing yet.
        assert Event.objects.count() == stored
    waiting.result(timeout=5)
    assert Event.objects.count() == stored + 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers anyway"
)
@pytest.mark.django_db(transaction=True)
def test_an_edit_that_waited_for_a_delete_leaves_the_tombstone_alone(alice, direct):
    message = send(alice, direct, "a secret")

    def edit():
        try:
            services.edit_message(alice, message_id=message.pk, body="the secret")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            services.delete_message(alice, message_id=message.pk)
            # The edit read the message before the delete committed, and
            # now waits for the delete's lock.
            waiting = pool.submit(edit)
            with pytest.raises(FutureTimeout):
                waiting.result(timeout=0.5)
        with pytest.raises(ServiceError) as caught:
            waiting.result(timeout=5)
    assert caught.value.code == "deleted"
    message.refresh_from_db()
    assert (message.body, message.is_deleted) == ("", True)


def test_threads_and_history_pages(alice, bob, direct):
    root = send(alice, direct, "root")
    reply = send(bob, direct, "reply", thread_id=root.pk)
    nested = send(alice, direct, "reply to reply", thread_id=reply.pk)
    assert nested.thread_root == root
    more = [send(bob, direct, f"m{n}") for n in range(5)]
    history = selectors.message_history(direct, limit=3)
    assert [m.pk for m in history] == [m.pk for m in more[-3:]]
    older = selectors.message_history(direct, before=history[0].pk, limit=3)
    assert [m.pk for m in older] == [root.pk, more[0].pk, more[1].pk]
    assert older[0].reply_count == 2  # type: ignore[attr-defined]
    around = selectors.message_history(direct, around=more[2].pk, limit=4)
    assert more[2] in around
    assert [m.pk for m in selectors.thread_messages(root)] == [reply.pk, nested.pk]


def test_sync_replays_missed_events_and_flags_pruned_cursors(alice, bob, direct):
    first = send(alice, direct, "one")
    cursor = Event.objects.get().pk
    later = [send(alice, direct, f"later {n}") for n in range(3)]
    result = events_since(bob, cursor)
    new_ids = [e["message"]["id"] for e in result.events if e["cursor"] > cursor]
    assert new_ids == [m.pk for m in later]
    assert result.cursor == Event.objects.latest("id").pk
    assert not result.more and not result.resync_required
    assert first.pk in [e["message"]["id"] for e in result.events]  # lookback

    Event.objects.filter(pk__lte=result.cursor - 1).delete()
    assert events_since(bob, cursor).resync_required is True


def test_sync_leaves_out_the_replayed_events_a_tab_says_it_has(
    alice, bob, carol, direct, django_assert_num_queries
):
    sent = [send(alice, direct, f"seen {n}") for n in range(3)]
    group = services.create_group(alice, title="Other", member_ids=[carol.pk])
    send(alice, group, "not bob's")
    cursor = sync.latest_cursor()
    seen = sync.seen_cursors(plugins.streams_of(bob.pk), cursor)
    bobs = Event.objects.filter(stream=f"conversation.{direct.pk}").order_by("id")
    assert seen == [e.pk for e in bobs], "only bob's events, oldest first"

    # Up to date: nothing is replayed, and no frame carries the lookback.
    streams = plugins.streams_of(bob.pk)
    with django_assert_num_queries(1):  # the events, with the oldest id kept
        result = sync.events_since(streams, cursor, seen=seen)
    assert result.events == [] and result.cursor == cursor and not result.more

    # A late commit: an event below the cursor that the tab never applied is
    # still replayed, and only that one.
    with django_assert_num_queries(2):  # and the payloads it lacks
        result = sync.events_since(streams, cursor, seen=seen[1:])
    assert [e["message"]["id"] for e in result.events] == [sent[0].pk]

    # New events come whatever the tab claims to have seen.
    later = send(alice, direct, "new")
    result = events_since(bob, cursor, seen=[*seen, cursor + 1, cursor + 2])
    assert [e["message"]["id"] for e in result.events] == [later.pk]


def follow(user, cursor):
    """Sync from `cursor` as a tab does, batch after batch; return every
    batch's encoded size and the events past the cursor, in order."""
    sizes, fresh = [], []
    while True:
        result = events_since(user, cursor)
        sizes.append(len(encode(result.as_event()).encode()))
        fresh += [e for e in result.events if e["cursor"] > cursor]
        assert result.cursor >= cursor
        cursor = result.cursor
        if not result.more:
            return sizes, fresh


def test_sync_batches_stay_under_a_byte_budget_and_miss_nothing(
    alice, bob, direct, monkeypatch, settings
):
    settings.MESSAGE_SEND_BURST = 100
    # Wide messages (emoji are 4 bytes each) fill the budget quickly.
    monkeypatch.setattr(sync, "SYNC_MAX_BYTES", 6_000)
    monkeypatch.setattr(sync, "SYNC_LOOKBACK_BYTES", 2_000)
    sent = [send(alice, direct, f"{n} " + "\N{GRINNING FACE}" * 300) for n in range(12)]
    sizes, fresh = follow(bob, 0)
    assert [e["message"]["id"] for e in fresh] == [m.pk for m in sent]
    assert len(sizes) > 3 and max(sizes) < 6_000 + 500  # the envelope's keys

    # From a recent cursor the replayed lookback takes at most its own share,
    # so catching up always moves on.
    cursor = Event.objects.get(payload__message__id=sent[-2].pk).pk
    later = [
        send(alice, direct, f"later {n} " + "\N{GRINNING FACE}" * 300) for n in range(4)
    ]
    sizes, fresh = follow(bob, cursor)
    assert [e["message"]["id"] for e in fresh] == [sent[-1].pk] + [m.pk for m in later]
    assert max(sizes) < 6_000 + 2_000 + 500


def test_an_event_larger_than_the_budget_is_sent_alone(alice, bob, direct, monkeypatch):
    monkeypatch.setattr(sync, "SYNC_MAX_BYTES", 100)
    first = send(alice, direct, "x" * 500)
    second = send(alice, direct, "y" * 500)
    result = events_since(bob, 0)
    assert [e["message"]["id"] for e in result.events] == [first.pk]
    assert result.more
    _, fresh = follow(bob, 0)
    assert [e["message"]["id"] for e in fresh] == [first.pk, second.pk]


def test_pruning_old_events_turns_old_cursors_into_resync(alice, bob, direct):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    send(alice, direct, "old")
    old_cursor = Event.objects.get().pk  # a tab saw this one, then went away
    send(alice, direct, "missed, then pruned")
    Event.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    send(alice, direct, "new")
    send(alice, direct, "newer")
    call_command("prune_events", days=7, verbosity=0)
    assert Event.objects.count() == 2
    assert events_since(bob, old_cursor).resync_required is True
    latest = Event.objects.latest("id").pk
    assert events_since(bob, latest).resync_required is False


def test_mentions_of_members_become_chips_and_are_listed(
    alice, bob, carol, direct, django_capture_on_commit_callbacks
):
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = send(alice, direct, "@**bob brown** look, and @**Carol Cruz** too")
    assert list(message.mentions.all()) == [bob]
    assert message.body_html == (
        f'<p><span class="mention" data-user="{bob.pk}">@Bob Brown</span> look, '
        "and @<strong>Carol Cruz</strong> too</p>"
    )
    assert published[0]["event"]["message"]["mentions"] == [bob.pk]

    edited = services.edit_message(alice, message_id=message.pk, body="@**Bob Brown**!")
    assert list(edited.mentions.all()) == [bob]
    deleted = services.delete_message(alice, message_id=message.pk)
    assert list(deleted.mentions.all()) == []


def test_a_mentioned_name_is_escaped(alice, bob, direct):
    bob.first_name = "<img src=x onerror=alert(1)>"
    bob.save()
    message = send(alice, direct, f"hi @**{bob.display_name}**")
    assert "<img" not in message.body_html
    assert "&lt;img src=x onerror=alert(1)&gt; Brown" in message.body_html


def test_a_name_in_code_or_a_link_is_no_mention(
    alice, bob, direct, django_capture_on_commit_callbacks
):
    body = (
        "`@**Bob Brown**` [x](<@**Bob Brown**>)\n"
        "[@**Bob Brown**](https://example.com/)\n"
        "```\n@**Bob Brown**\n```"
    )
    with (
        capture_published() as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = send(alice, direct, body)
    assert list(message.mentions.all()) == []
    assert published[0]["event"]["message"]["mentions"] == []
    assert 'class="mention"' not in message.body_html
    assert '<a href="@**Bob%20Brown**" rel="noopener noreferrer nofollow">' in (
        message.body_html
    )
    assert selectors.unread_mentions_in(bob, direct.pk) == 0

    # The same name outside them is one.
    edited = services.edit_message(
        alice, message_id=message.pk, body=body + "\n@**Bob Brown**"
    )
    assert list(edited.mentions.all()) == [bob]
    assert edited.body_html.count('class="mention"') == 1
    assert selectors.unread_mentions_in(bob, direct.pk) == 1


def daphne_frame_limit() -> int:
    """The largest frame Daphne sends or takes, from the Procfile."""
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    found = re.search(r"--websocket-max-message-size (\d+)", procfile)
    assert found, "the Procfile sets Daphne's frame limit"
    return int(found[1])


@pytest.mark.parametrize(
    "body",
    [
        "\N{GRINNING FACE}" * MAX_BODY_LENGTH,  # 4 bytes each in UTF-8
        "<" * MAX_BODY_LENGTH,  # &lt; in the HTML
        "a.co " * (MAX_BODY_LENGTH // 5),  # each one a link
        '"' * MAX_BODY_LENGTH,  # escaped in JSON and in the HTML
    ],
    ids=["emoji", "angle-brackets", "links", "quotes"],
)
def test_the_largest_message_event_fits_in_one_frame(alice, bob, direct, body):
    # Daphne refuses to send a frame over its limit: such an event would
    # close every recipient's socket, and again at each catch-up.
    send(alice, direct, body)
    for event in Event.objects.all():
        assert len(encode(event.payload).encode()) < daphne_frame_limit() // 2


def test_stored_table_alignment_becomes_classes(alice, direct):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "messaging.migrations.0006_table_alignment_classes"
    )
    table = send(alice, direct, "| a | b |\n|:-|-:|\n| 1 | 2 |")
    before = table.body_html
    # As rendered before the Content-Security-Policy: inline styles.
    old = before.replace('class="align-', 'style="text-align:')
    Message.objects.filter(pk=table.pk).update(body_html=old)
    plain = send(alice, direct, 'style="text-align:left" stays as text')
    migration.styles_to_classes(apps, None)
    table.refresh_from_db()
    assert table.body_html == before
    assert "style=" not in table.body_html
    assert Message.objects.get(pk=plain.pk).body_html == plain.body_html
