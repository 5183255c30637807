"""Message search (messaging.selectors.search_messages) on the database in use.

Every test here runs on both databases: on SQLite against the FTS5 index,
and in CI's PostgreSQL run against the tsvector column. The two tests that
inspect one database's machinery say which, and skip on the other.
"""

import datetime
import random
import re
import uuid
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from intranet.errors import ServiceError
from messaging import search, services
from messaging.models import Conversation, Message
from messaging.selectors import search_messages
from profiles import demo
from profiles.models import User

ON_POSTGRESQL = connection.vendor == "postgresql"
ON_SQLITE = connection.vendor == "sqlite"


def say(sender: User, conversation: Conversation, body: str, **kwargs) -> Message:
    message, _ = services.send_message(
        sender,
        conversation_id=conversation.pk,
        body=body,
        client_id=uuid.uuid4().hex,
        **kwargs,
    )
    return message


def found(user: User, query: str, **filters) -> list[str]:
    return [hit.message.body for hit in search_messages(user, query, **filters).hits]


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


@pytest.fixture
def support(bob, carol):
    """A group alice is not in."""
    return services.create_group(bob, title="Support", member_ids=[carol.pk])


@pytest.fixture(autouse=True)
def _no_send_limit(settings):
    settings.MESSAGE_SEND_BURST = 1000


def test_people_find_only_the_messages_of_their_own_conversations(
    alice, bob, carol, direct, support
):
    say(alice, direct, "The deployment checklist is ready")
    say(carol, support, "Deployment of the support portal is late")
    say(bob, direct, "Lunch at noon?")

    assert found(alice, "deployment") == ["The deployment checklist is ready"]
    assert found(bob, "deployment") == [
        "Deployment of the support portal is late",
        "The deployment checklist is ready",
    ]
    assert found(carol, "deployment") == ["Deployment of the support portal is late"]
    assert found(carol, "checklist") == []

    assert found(bob, "deployment", conversation_id=support.pk) == [
        "Deployment of the support portal is late"
    ]
    for outsider, conversation_id in [
        (carol, direct.pk),
        (alice, support.pk),
        (alice, 987654),
    ]:
        with pytest.raises(Http404):
            search_messages(outsider, "deployment", conversation_id=conversation_id)


def test_leaving_a_group_takes_its_messages_out_of_your_search(bob, carol, support):
    say(bob, support, "Quarterly numbers attached")
    assert found(carol, "quarterly") == ["Quarterly numbers attached"]
    services.leave_conversation(carol, conversation_id=support.pk)
    assert found(carol, "quarterly") == []
    with pytest.raises(Http404):
        search_messages(carol, "quarterly", conversation_id=support.pk)


def test_deleted_messages_are_not_found(alice, bob, direct):
    gone = say(alice, direct, "The secret launch date is Tuesday")
    kept = say(bob, direct, "Launch party after")
    services.delete_message(alice, message_id=gone.pk)
    assert found(bob, "launch") == [kept.body]
    assert found(bob, "secret") == []


def test_edited_messages_are_found_by_their_new_text_only(alice, bob, direct):
    message = say(alice, direct, "Meet in the blue room")
    services.edit_message(alice, message_id=message.pk, body="Meet in the green room")
    assert found(bob, "blue") == []
    assert found(bob, "green") == ["Meet in the green room"]
    (hit,) = search_messages(bob, "green").hits
    assert hit.message.edited_at is not None


def test_words_are_stemmed_and_phrases_exclusions_and_or_work(alice, bob, direct):
    for body in [
        "We are deploying the new billing service",
        "Billing review on Friday",
        "Lunch on Friday at the Italian place",
        "Deploy notes for the review",
    ]:
        say(alice, direct, body)

    assert found(bob, "deploy") == [
        "Deploy notes for the review",
        "We are deploying the new billing service",
    ]
    assert found(bob, "DEPLOYED") == found(bob, "deploy")
    assert found(bob, '"billing service"') == [
        "We are deploying the new billing service"
    ]
    assert found(bob, '"service billing"') == []
    assert found(bob, "billing friday") == ["Billing review on Friday"]
    assert found(bob, "friday -lunch") == ["Billing review on Friday"]
    assert found(bob, 'friday -"italian place"') == ["Billing review on Friday"]
    assert found(bob, "lunch or deploy") == [
        "Deploy notes for the review",
        "Lunch on Friday at the Italian place",
        "We are deploying the new billing service",
    ]
    # As in websearch_to_tsquery: `a b or c` is (a and b) or c.
    assert found(bob, "review lunch or deploy") == [
        "Deploy notes for the review",
        "We are deploying the new billing service",
    ]
    assert found(bob, "friday italian or notes review") == [
        "Deploy notes for the review",
        "Lunch on Friday at the Italian place",
    ]


def test_results_come_newest_first_in_pages_by_cursor(alice, bob, direct):
    ids = [say(alice, direct, f"status update {n}").pk for n in range(23)]
    say(bob, direct, "unrelated")

    pages = []
    cursor = None
    while True:
        results = search_messages(bob, "update", cursor=cursor, limit=10)
        pages.append([hit.message.pk for hit in results.hits])
        cursor = results.next_cursor
        if cursor is None:
            break
    assert [len(page) for page in pages] == [10, 10, 3]
    assert [pk for page in pages for pk in page] == ids[::-1]
    assert search_messages(bob, "update", limit=500).next_cursor is None
    assert len(search_messages(bob, "update", limit=500).hits) == 23


def test_filters_by_sender_and_by_day_in_the_searchers_time_zone(
    alice, bob, direct, support
):
    alice.time_zone = "Pacific/Auckland"
    alice.save(update_fields=["time_zone"])
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    early = say(alice, direct, "report draft")
    late = say(bob, direct, "report final")
    # 08:00 on 11 March in Auckland is still 10 March in UTC.
    Message.objects.filter(pk=early.pk).update(
        created_at=datetime.datetime(2026, 3, 10, 20, 0, tzinfo=auckland)
    )
    Message.objects.filter(pk=late.pk).update(
        created_at=datetime.datetime(2026, 3, 11, 8, 0, tzinfo=auckland)
    )

    assert found(alice, "report", sender_id=bob.pk) == ["report final"]
    assert found(alice, "report", sender_id=alice.pk) == ["report draft"]
    march = datetime.date(2026, 3, 10)
    assert found(alice, "report", after=march + datetime.timedelta(days=1)) == [
        "report final"
    ]
    assert found(alice, "report", before=march + datetime.timedelta(days=1)) == [
        "report draft"
    ]
    assert found(alice, "report", after=march, before=march) == []
    assert found(
        alice, "report", after=march, before=march + datetime.timedelta(days=2)
    ) == ["report final", "report draft"]


def test_snippets_escape_the_text_and_mark_only_the_hits(alice, bob, direct):
    say(
        alice, direct, '<script>alert("x")</script> the **release** notes & <b>plan</b>'
    )
    (hit,) = search_messages(bob, "releasing").hits
    assert "<mark>release</mark>" in hit.snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hit.snippet
    assert "&amp; &lt;b&gt;plan&lt;/b&gt;" in hit.snippet
    assert "<script" not in hit.snippet and "<b>" not in hit.snippet
    assert "**" not in hit.snippet

    words = [f"filler{n}" for n in range(200)]
    say(alice, direct, " ".join([*words[:100], "needle", *words[100:]]))
    (hit,) = search_messages(bob, "needle").hits
    assert "<mark>needle</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 600

    # A body holding the hit markers themselves cannot fake a highlight.
    say(alice, direct, f"{search.START}<i>fake</i>{search.STOP} haystack")
    (hit,) = search_messages(bob, "haystack").hits
    assert "<mark>" not in hit.snippet
    assert hit.snippet == "&lt;i&gt;fake&lt;/i&gt; haystack"


def test_the_title_is_the_conversation_as_the_searcher_sees_it(
    alice, bob, direct, support
):
    say(bob, direct, "hello alice")
    say(bob, support, "hello support")
    titles = {
        hit.message.body: hit.conversation_title
        for hit in search_messages(bob, "hello").hits
    }
    assert titles == {"hello alice": "Alice Adams", "hello support": "Support"}
    assert search_messages(alice, "hello").hits[0].conversation_title == "Bob Brown"


def test_unusable_queries_are_refused_with_a_reason(alice):
    for query, code in [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("\x00", "empty"),
        ("x" * 201, "too_long"),
        ("-secret", "no_words"),
        ('"" -- () !! ...', "no_words"),
        ("or", "no_words"),
    ]:
        with pytest.raises(ServiceError) as caught:
            search_messages(alice, query)
        assert caught.value.code == code, query
        assert caught.value.status == 400
    assert search_messages(alice, "x" * 200).hits == []


HOSTILE = [
    '"',
    '""',
    '"unbalanced quote',
    "(",
    "((deploy",
    "deploy)",
    "deploy -",
    "- - -",
    "*",
    "deploy*",
    "*deploy",
    "NEAR(deploy notes)",
    "deploy AND",
    "AND OR NOT",
    "or deploy or",
    "-or deploy",
    "deploy --notes",
    "deploy or or notes",
    "body:deploy",
    "{body}:deploy",
    "^deploy",
    "deploy + notes",
    "'; DROP TABLE messaging_message; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    "deploy NOT notes",
    "\\",
    "%",
    "_",
    "deploy\x00notes",
    "<script>alert(1)</script>",
    "deploy & | ! <-> <2> :* ",
    "deploy:*",
    "!!deploy",
    "'deploy'",
    "[deploy]",
    "@**Bob Brown**",
    "日本語",
    "café 🎉",
    search.START + "deploy" + search.STOP,
]


def test_hostile_queries_answer_or_refuse_but_never_break(alice, bob, direct):
    say(alice, direct, "Deploy notes: café 🎉 and 日本語 for @**Bob Brown**")
    answered = 0
    for query in HOSTILE:
        try:
            results = search_messages(bob, query)
        except ServiceError as exc:
            assert exc.status == 400, query
        else:
            answered += 1
            assert all(h.message.conversation_id == direct.pk for h in results.hits)
    assert answered > len(HOSTILE) // 2
    assert found(bob, "((deploy*") == found(bob, "deploy") != []
    assert found(bob, "'; DROP TABLE messaging_message; --") == []
    assert Message.objects.count() == 1


def test_random_punctuation_never_breaks_the_search(alice, bob, direct):
    say(alice, direct, "Deploy notes for the review")
    rng = random.Random(3)
    alphabet = [*"\"'()*-+:^{}[]<>!&|~\\%_;.,@#$ ", "or", "NOT", "deploy"]
    for _ in range(150):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))
        try:
            search_messages(bob, query)
        except ServiceError as exc:
            assert exc.code in {"empty", "no_words"}, query


def test_a_page_takes_the_same_queries_however_many_hits(
    alice, bob, carol, direct, support, django_assert_num_queries
):
    group = services.create_group(
        alice, title="", member_ids=[bob.pk, carol.pk]
    )  # untitled: named after its members
    for conversation in (direct, group):
        for n in range(3):
            message = say(alice, conversation, f"budget {n} for @**Bob Brown**")
            services.add_reaction(bob, message_id=message.pk, emoji="👍")
    # Main query, reactions, mentions, attachments, members for titles,
    # excerpts.
    with django_assert_num_queries(6):
        few = search_messages(bob, "budget", limit=2)
    for n in range(10):
        say(carol, support, f"budget {n}")
    with django_assert_num_queries(6):
        many = search_messages(bob, "budget", limit=20)
        payload = [hit.as_dict() for hit in many.hits]
    assert len(few.hits) == 2 and len(many.hits) == 16
    assert payload[-1]["message"]["reactions"] == [{"emoji": "👍", "users": [bob.pk]}]
    assert payload[-1]["message"]["mentions"] == [bob.pk]
    assert {hit.conversation_title for hit in many.hits} == {
        "Alice Adams",
        "Alice Adams, Carol Cruz",
        "Support",
    }
    # Naming a conversation costs one query for the access check.
    with django_assert_num_queries(7):
        search_messages(bob, "budget", conversation_id=group.pk)


def test_rows_inserted_in_bulk_are_found(alice, bob, direct):
    """The index is kept by the database, not by Python: bulk_create and
    raw updates are searchable, as the demo company's messages are."""
    Message.objects.bulk_create(
        Message(conversation=direct, sender=alice, client_id=f"bulk-{n}", body=body)
        for n, body in enumerate(["imported invoice", "imported receipt"])
    )
    assert found(bob, "invoice") == ["imported invoice"]
    Message.objects.filter(client_id="bulk-1").update(body="imported voucher")
    assert found(bob, "receipt") == []
    assert found(bob, "voucher") == ["imported voucher"]
    Message.objects.filter(client_id="bulk-0").delete()
    assert found(bob, "imported") == ["imported voucher"]


def test_the_demo_company_is_searchable(db):
    call_command("demo_company", verbosity=0)
    login = User.objects.get(email=demo.DEMO_LOGIN)
    results = search_messages(login, '"holiday policy"')
    assert results.hits
    assert all("holiday policy" in hit.message.body for hit in results.hits)
    assert any("<mark>" in hit.snippet for hit in results.hits)


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="PostgreSQL only: runs when DATABASE_URL is set"
)
def test_postgresql_matches_with_the_gin_index_on_a_generated_column(alice, direct):
    say(alice, direct, "indexed words")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_generated, generation_expression FROM "
            "information_schema.columns WHERE table_name = 'messaging_message' "
            "AND column_name = 'search_vector'"
        )
        generated, expression = cursor.fetchone()
    assert generated == "ALWAYS"
    assert "english" in expression
    matching = search.MESSAGES.matching(
        Message.objects.all(), search.parse_query("indexed")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = matching.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Either GIN index over the column (0008's also holds the conversation).
    assert re.search(r"on message_(conversation_)?search ", plan), plan


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="PostgreSQL only: btree_gin and its index exist only there (SQLite "
    "searches its FTS5 table); runs when DATABASE_URL is set",
)
def test_postgresql_searches_a_members_conversations_through_their_own_index(
    alice, carol, direct
):
    # The shape the index is for: many conversations (alice is in one), a
    # word in a few messages of each.
    others = Conversation.objects.bulk_create(
        Conversation(kind=Conversation.Kind.GROUP, title=f"Team {n}", created_by=carol)
        for n in range(40)
    )
    rows = [
        (conversation, sender, f"{word} {n}")
        for conversation, sender in [(direct, alice), *((c, carol) for c in others)]
        for word, times in [("planning", 5), ("lunch", 100)]
        for n in range(times)
    ]
    Message.objects.bulk_create(
        Message(conversation=c, sender=sender, client_id=f"{n}", body=body)
        for n, (c, sender, body) in enumerate(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["message_conversation_search"],
        )
        (definition,) = cursor.fetchone()
    assert "gin (conversation_id, search_vector)" in definition
    with CaptureQueriesContext(connection) as queries:
        search_messages(alice, "planning", sort="relevance", count=True)
    # The capped count and the ranked window: both filter by membership.
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if "search_vector @@" in query["sql"]
    ]
    assert len(statements) == 2
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_message, messaging_membership")
        # A test's tables are small enough to read whole, or in id order
        # until the first few rows: the plan for a large one is wanted.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "on message_conversation_search" in plan, plan


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite only: runs without DATABASE_URL")
def test_sqlite_keeps_the_fts5_index_in_step_with_triggers(alice, bob, direct):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'messaging_message' ORDER BY name"
        )
        triggers = [name for (name,) in cursor.fetchall()]
    # A migration that rebuilds messaging_message on SQLite (most
    # AlterField/AddField do) drops these: recreate them in that migration.
    assert triggers == [
        "messaging_message_fts_delete",
        "messaging_message_fts_insert",
        "messaging_message_fts_update",
    ]
    message = say(alice, direct, "first words")
    services.edit_message(alice, message_id=message.pk, body="second words")
    services.delete_message(alice, message_id=say(alice, direct, "third words").pk)
    with connection.cursor() as cursor:
        # Compares the index with the table; raises when they differ.
        cursor.execute(
            f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}, rank) "  # noqa: S608
            "VALUES ('integrity-check', 1)"
        )
    assert found(bob, "words") == ["second words"]


def test_queries_are_read_as_websearch_and_rebuilt_for_each_database():
    parsed = search.parse_query('deploy "billing service" -lunch notes*')
    assert parsed.websearch() == 'deploy "billing service" notes* -lunch'
    assert parsed.fts5() == (
        '((("deploy" AND "billing service" AND "notes") NOT "lunch"))'
    )
    # `or` separates alternatives; an alternative of only exclusions goes.
    parsed = search.parse_query('or a b or -"d e" or c -f:* or')
    assert parsed.websearch() == "a b or c -f:*"
    assert parsed.fts5() == '(("a" AND "b") OR (("c") NOT "f"))'
    parsed = search.parse_query('NEAR(x y) body:z "unclosed ^phrase')
    assert parsed.fts5() == ('(("NEAR x" AND "y" AND "body z" AND "unclosed phrase"))')
