"""Search of spaces, posts and comments (feeds.search) on the database in use.

Every test runs on both databases: on SQLite against the FTS5 indexes, with
DATABASE_URL against the tsvector columns. The two that inspect one
database's machinery say which, and skip on the other.
"""

import datetime
import itertools
import zoneinfo

import pytest
from django.db import connection
from django.http import Http404

from feeds import search, services
from feeds.models import Comment, Post, Space
from intranet import ratelimit
from intranet.search.query import parse_query
from profiles.models import User

ON_POSTGRESQL = connection.vendor == "postgresql"
ON_SQLITE = connection.vendor == "sqlite"
_ids = itertools.count()


def post(author: User, space: Space, body: str) -> Post:
    return services.create_post(
        author, space_id=space.pk, body=body, client_id=f"c{next(_ids)}"
    )[0]


def comment(author: User, on: Post, body: str) -> Comment:
    return services.add_comment(author, post_id=on.pk, body=body)


def found(user: User, query: str, **filters) -> list[str]:
    results = search.search_feeds(user, parse_query(query), **filters)
    return [hit.item.body for hit in results.hits]


def count(user: User, query: str, **filters) -> int:
    return search.search_feeds(user, parse_query(query), **filters).count


def spaces_found(user: User, query: str) -> list[str]:
    return [
        hit.space.name for hit in search.search_spaces(user, parse_query(query)).hits
    ]


@pytest.fixture(autouse=True)
def _no_rate_limits():
    # Tests post faster than people type.
    with ratelimit.exempt():
        yield


@pytest.fixture
def spaces(alice, bob):
    """An open, a closed and a secret space led by alice, bob a member of
    the open and the closed one; carol is in none."""
    made = {
        visibility: services.create_space(
            alice,
            name=f"{visibility.title()} garden",
            visibility=visibility,
            description=f"Where the {visibility} gardeners meet",
        )
        for visibility in ("open", "closed", "secret")
    }
    for visibility in ("open", "closed"):
        services.add_members(alice, space_id=made[visibility].pk, user_ids=[bob.pk])
    return made


def test_posts_and_comments_are_found_only_where_the_reader_may_read(
    alice, bob, carol, spaces
):
    open_post = post(alice, spaces["open"], "Tomatoes ripen in the open garden")
    closed_post = post(alice, spaces["closed"], "Cucumbers for members")
    comment(bob, closed_post, "Tomatoes in the closed garden too")
    post(alice, spaces["secret"], "Tomatoes and the secret marrow")

    assert found(alice, "tomatoes") == [
        "Tomatoes and the secret marrow",
        "Tomatoes in the closed garden too",
        "Tomatoes ripen in the open garden",
    ]
    assert found(bob, "tomatoes") == [
        "Tomatoes in the closed garden too",
        "Tomatoes ripen in the open garden",
    ]
    # The outsider: only the open space, and only it counted.
    assert found(carol, "tomatoes") == [open_post.body]
    assert count(carol, "tomatoes") == 1
    assert count(alice, "tomatoes") == 3
    assert found(carol, "marrow") == [] and count(carol, "marrow") == 0
    assert found(carol, "cucumbers") == []
    assert found(carol, "tomatoes", space_id=spaces["open"].pk) == [open_post.body]
    for space in ("closed", "secret"):
        with pytest.raises(Http404):
            search.search_feeds(
                carol, parse_query("tomatoes"), space_id=spaces[space].pk
            )

    # Leaving a closed space takes its posts out of the search at once.
    services.leave_space(bob, space_id=spaces["closed"].pk)
    assert found(bob, "tomatoes") == [open_post.body]


def test_spaces_are_found_by_name_and_description_but_secret_ones_only_by_members(
    alice, carol, spaces
):
    assert spaces_found(alice, "garden") == [
        "Closed garden",
        "Open garden",
        "Secret garden",
    ]
    # A closed space's door (name, description) is public; a secret one is not.
    assert spaces_found(carol, "garden") == ["Closed garden", "Open garden"]
    assert spaces_found(carol, "secret") == []
    assert search.search_spaces(carol, parse_query("gardeners")).count == 2
    # A hit in the name ranks above one only in the description.
    services.create_space(alice, name="Meet & lunch", description="Sandwiches")
    assert spaces_found(carol, "meet") == [
        "Meet & lunch",
        "Closed garden",
        "Open garden",
    ]
    (hit,) = search.search_spaces(carol, parse_query("sandwiches")).hits
    assert hit.snippet == "<mark>Sandwiches</mark>"
    assert hit.name == "Meet &amp; lunch"
    # Renaming shows at once.
    services.update_space(alice, space_id=hit.space.pk, name="Picnic club")
    assert spaces_found(carol, "picnic") == ["Picnic club"]


def test_deleted_and_removed_posts_and_comments_are_never_found(alice, bob, spaces):
    kept = post(alice, spaces["open"], "Harvest festival on Friday")
    gone = post(bob, spaces["closed"], "Harvest secrets")
    removed = post(bob, spaces["open"], "Harvest spam")
    under_gone = comment(alice, gone, "Harvest reply under a deleted post")
    own_comment = comment(alice, kept, "Harvest helpers wanted")
    services.delete_post(bob, post_id=gone.pk)
    services.delete_post(alice, post_id=removed.pk, reason="Spam")
    assert found(alice, "harvest") == [own_comment.body, kept.body]
    services.delete_comment(alice, comment_id=own_comment.pk)
    assert found(alice, "harvest") == [kept.body]
    assert count(alice, "harvest") == 1
    assert under_gone.pk


def test_edits_are_found_by_their_new_text_at_once(alice, bob, spaces):
    p = post(alice, spaces["open"], "Meet at the blue gate")
    c = comment(bob, p, "I will bring the red wheelbarrow")
    services.edit_post(alice, post_id=p.pk, body="Meet at the green gate")
    services.edit_comment(bob, comment_id=c.pk, body="I will bring the spade")
    assert found(bob, "blue") == [] and found(bob, "wheelbarrow") == []
    assert found(bob, "green") == ["Meet at the green gate"]
    assert found(bob, "spade") == ["I will bring the spade"]


def test_posts_and_comments_page_together_newest_first(alice, bob, spaces):
    bodies = []
    for n in range(7):
        p = post(alice, spaces["open"], f"compost note {n}")
        bodies.append(p.body)
        for m in range(2):
            bodies.append(comment(bob, p, f"compost reply {n}.{m}").body)
    pages = []
    cursor = None
    while True:
        results = search.search_feeds(
            bob, parse_query("compost"), cursor=cursor, limit=4
        )
        pages.append([hit.item.body for hit in results.hits])
        cursor = results.next_cursor
        if cursor is None:
            break
    assert [len(page) for page in pages] == [4, 4, 4, 4, 4, 1]
    assert [body for page in pages for body in page] == bodies[::-1]
    assert results.count == 21
    with pytest.raises(ValueError):
        search.parse_feed_cursor("12")
    with pytest.raises(ValueError):
        search.parse_feed_cursor("-1.3")


def test_filters_by_author_and_day_in_the_readers_time_zone(alice, bob, spaces):
    alice.time_zone = "Pacific/Auckland"
    alice.save(update_fields=["time_zone"])
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    early = post(alice, spaces["open"], "seedlings draft")
    late = comment(bob, early, "seedlings final")
    Post.objects.filter(pk=early.pk).update(
        created_at=datetime.datetime(2026, 3, 10, 20, 0, tzinfo=auckland)
    )
    Comment.objects.filter(pk=late.pk).update(
        created_at=datetime.datetime(2026, 3, 11, 8, 0, tzinfo=auckland)
    )
    march11 = datetime.date(2026, 3, 11)
    assert found(alice, "seedlings", author_id=bob.pk) == ["seedlings final"]
    assert found(alice, "seedlings", author_id=alice.pk) == ["seedlings draft"]
    assert found(alice, "seedlings", after=march11) == ["seedlings final"]
    assert found(alice, "seedlings", before=march11) == ["seedlings draft"]


def test_hits_link_to_the_post_and_mark_only_the_words(alice, bob, spaces):
    p = post(alice, spaces["open"], "The **pumpkin** <b>contest</b> & prizes")
    c = comment(bob, p, "Pumpkins everywhere")
    hits = search.search_feeds(bob, parse_query("pumpkin")).hits
    assert [hit.url for hit in hits] == [f"/posts/{p.pk}/#c{c.pk}", f"/posts/{p.pk}/"]
    assert hits[1].snippet == (
        "The <mark>pumpkin</mark> &lt;b&gt;contest&lt;/b&gt; &amp; prizes"
    )
    assert hits[0].snippet == "<mark>Pumpkins</mark> everywhere"


def test_a_page_takes_the_same_queries_however_many_hits(
    alice, bob, spaces, django_assert_num_queries
):
    for n in range(2):
        comment(bob, post(alice, spaces["open"], f"mulch {n}"), f"mulch reply {n}")
    parsed = parse_query("mulch")
    # Two counts, posts, comments, and the excerpts of each.
    with django_assert_num_queries(6):
        few = search.search_feeds(bob, parsed, limit=3)
    for n in range(10):
        comment(bob, post(alice, spaces["closed"], f"mulch {n}"), f"mulch again {n}")
    with django_assert_num_queries(6):
        many = search.search_feeds(bob, parsed, limit=20)
    assert len(few.hits) == 3 and len(many.hits) == 20
    # Naming a space costs its access check (the space, the membership).
    with django_assert_num_queries(8):
        search.search_feeds(bob, parsed, space_id=spaces["closed"].pk)
    with django_assert_num_queries(3):
        search.search_spaces(bob, parse_query("garden"))


def test_rows_inserted_in_bulk_are_found(alice, spaces):
    Post.objects.bulk_create(
        Post(
            space=spaces["open"],
            author=alice,
            client_id=f"bulk-{n}",
            body=body,
            body_html=body,
        )
        for n, body in enumerate(["imported onions", "imported leeks"])
    )
    assert found(alice, "onions") == ["imported onions"]
    Post.objects.filter(client_id="bulk-1").update(body="imported garlic")
    assert found(alice, "leeks") == []
    assert found(alice, "garlic") == ["imported garlic"]


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="PostgreSQL only: runs when DATABASE_URL is set"
)
def test_postgresql_matches_with_gin_indexes_on_generated_columns(alice, spaces):
    post(alice, spaces["open"], "indexed words")
    for index, rows in [
        ("post_search", Post.objects.all()),
        ("comment_search", Comment.objects.all()),
        ("space_search", Space.objects.all()),
    ]:
        model_index = {
            "post_search": search.POSTS,
            "comment_search": search.COMMENTS,
            "space_search": search.SPACES,
        }[index]
        matching = model_index.matching(rows, parse_query("indexed"))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = matching.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite only: runs without DATABASE_URL")
def test_sqlite_keeps_the_fts5_indexes_in_step_with_triggers(alice, bob, spaces):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name LIKE 'feeds_%' AND name LIKE '%_fts_%' ORDER BY name"
        )
        triggers = [name for (name,) in cursor.fetchall()]
    # A migration that rebuilds one of these tables on SQLite (most
    # AlterField/AddField do) drops its triggers: recreate them there.
    assert triggers == [
        f"feeds_{table}_fts_{event}"
        for table in ("comment", "post", "space")
        for event in ("delete", "insert", "update")
    ]
    p = post(alice, spaces["open"], "first words")
    services.edit_post(alice, post_id=p.pk, body="second words")
    comment(bob, p, "third words")
    services.update_space(alice, space_id=spaces["open"].pk, description="new words")
    with connection.cursor() as cursor:
        for index in (search.POSTS, search.COMMENTS, search.SPACES):
            # Compares the index with the table; raises when they differ.
            cursor.execute(
                f"INSERT INTO {index.fts_table}({index.fts_table}, rank) "  # noqa: S608
                "VALUES ('integrity-check', 1)"
            )
    assert found(bob, "words") == ["third words", "second words"]
