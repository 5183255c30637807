"""The one search (/search/, GET /api/v1/search) on the database in use.

Run on SQLite, and on PostgreSQL with DATABASE_URL: the access matrix, the
page, the API and the property tests over the query reader answer the same
on both.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import services as feeds
from frontend.search import Filters, search_everything
from intranet.errors import ServiceError
from intranet.search.query import MAX_QUERY_LENGTH, parse_query
from messaging import services as messaging
from profiles.models import User
from tests.frontend.writing import no_rate_limits, post, say  # noqa: F401 - a fixture

URL = "/api/v1/search"


pytestmark = pytest.mark.usefixtures("no_rate_limits")


@pytest.fixture
def world(alice, bob, carol):
    """Words that live only in private places: a secret space's post, a
    closed space's comment, a direct conversation; carol is an outsider
    to all three, and may read one open space."""
    secret = feeds.create_space(alice, name="Skunkworks", visibility="secret")
    closed = feeds.create_space(alice, name="Board room", visibility="closed")
    open_ = feeds.create_space(alice, name="Kitchen", visibility="open")
    feeds.add_members(alice, space_id=closed.pk, user_ids=[bob.pk])
    post(alice, secret, "Project zeppelin launches in May")
    board = post(alice, closed, "Agenda for Thursday")
    feeds.add_comment(bob, post_id=board.pk, body="The merger with quokka corp")
    direct = messaging.get_or_create_direct(alice, other_id=bob.pk)
    say(alice, direct, "The password hint is narwhal")
    post(alice, open_, "Coffee machine fixed")
    return {"secret": secret, "closed": closed, "open": open_, "direct": direct}


def groups(user: User, query: str, **filters) -> dict[str, tuple[int, list[str]]]:
    return {
        group.kind: (group.count, [str(hit.snippet) for hit in group.hits])
        for group in search_everything(user, query, Filters(**filters))
    }


def test_an_outsider_finds_nothing_private_and_counts_none_of_it(
    alice, bob, carol, world
):
    nothing: dict[str, tuple[int, list[str]]] = {
        "people": (0, []),
        "spaces": (0, []),
        "posts": (0, []),
        "messages": (0, []),
    }
    for word in ("zeppelin", "quokka", "narwhal", "skunkworks"):
        assert groups(carol, word) == nothing, word
    # The members find each in its place, counted.
    assert groups(alice, "zeppelin")["posts"] == (
        1,
        ["Project <mark>zeppelin</mark> launches in May"],
    )
    assert groups(bob, "quokka")["posts"][0] == 1
    assert groups(bob, "narwhal")["messages"][0] == 1
    (spaces,) = search_everything(alice, "skunkworks", Filters(kind="spaces"))
    assert [hit.title for hit in spaces.hits] == ["<mark>Skunkworks</mark>"]
    # What carol may read, she finds.
    assert groups(carol, "coffee")["posts"][0] == 1
    assert groups(carol, "board")["spaces"][0] == 1  # a closed space's door
    # Naming a place she may not read is a 404, as everywhere.
    for filters in (
        {"space": world["secret"].pk},
        {"space": world["closed"].pk},
        {"conversation": world["direct"].pk},
    ):
        with pytest.raises(Exception) as caught:
            search_everything(carol, "agenda", Filters(**filters))
        assert caught.type.__name__ == "Http404"


def test_people_are_found_by_the_name_rule_and_marked(alice, carol):
    found = search_everything(carol, "alice", Filters())[0]
    assert found.kind == "people" and found.count == 1
    (hit,) = found.hits
    assert hit.title == "<mark>Alice</mark> Adams"
    assert hit.url == f"/people/{alice.pk}/"
    assert "Software Engineer" in hit.snippet
    assert "<mark>alice</mark>@canteen.test" in hit.snippet


def test_filters_narrow_the_kinds_they_apply_to(alice, bob, world):
    assert list(groups(alice, "agenda", space=world["closed"].pk)) == ["posts"]
    assert list(groups(alice, "hint", conversation=world["direct"].pk)) == ["messages"]
    assert list(groups(alice, "agenda", author=alice.pk)) == ["posts", "messages"]
    assert list(groups(alice, "agenda", kind="spaces")) == ["spaces"]
    for filters, code in [
        ({"space": world["closed"].pk, "conversation": world["direct"].pk}, "filters"),
        ({"cursor": "5"}, "cursor"),
        ({"kind": "posts", "cursor": "5"}, "cursor"),
        ({"kind": "people", "cursor": "x"}, "cursor"),
        ({"kind": "messages", "cursor": "-1"}, "cursor"),
    ]:
        with pytest.raises(ServiceError) as caught:
            search_everything(alice, "agenda", Filters(**filters))
        assert caught.value.code == code and caught.value.status == 400


def test_one_kind_pages_by_cursor_to_the_end(alice, bob, world):
    for n in range(7):
        post(alice, world["open"], f"lunch menu {n}")
        say(bob, world["direct"], f"lunch today {n}")
    for kind in ("posts", "messages"):
        seen = []
        cursor = None
        while True:
            (group,) = search_everything(
                alice, "lunch", Filters(kind=kind, cursor=cursor, limit=3)
            )
            seen += [hit.id for hit in group.hits]
            cursor = group.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 7 == group.count, kind


def test_the_page_groups_hits_by_kind_with_links_in_context(
    client, alice, bob, world, django_assert_max_num_queries
):
    client.force_login(bob)
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Find anything" in response.content.decode()

    feeds.add_members(alice, space_id=world["open"].pk, user_ids=[bob.pk])
    coffee = post(bob, world["open"], "Coffee <b>beans</b> for Bob's team")
    message = say(alice, world["direct"], "Bob, coffee at ten?")
    with django_assert_max_num_queries(30):
        response = client.get("/search/", {"q": "coffee"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="group-people"') < html.index('id="group-posts"')
    assert f'href="/posts/{coffee.pk}/"' in html
    assert f'href="/messages/{world["direct"].pk}/m/{message.pk}/"' in html
    assert "<mark>Coffee</mark> &lt;b&gt;beans&lt;/b&gt;" in html
    assert "<b>beans" not in html

    # Bad input is a sentence and the form again, never an error page.
    for query in ("", "x" * (MAX_QUERY_LENGTH + 1), "-only", "\x00"):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 400, query
        assert 'class="search-error"' in response.content.decode()
    assert client.get("/search/", {"q": "a\x00coffee"}).status_code == 200
    assert client.get("/search/", {"q": "coffee", "cursor": "zz"}).status_code == 400
    assert client.get("/search/", {"q": "coffee", "space": "x"}).status_code == 400


def test_the_page_takes_the_same_queries_however_many_hits(
    client, alice, bob, world, django_assert_num_queries
):
    feeds.add_members(alice, space_id=world["open"].pk, user_ids=[bob.pk])
    client.force_login(bob)
    feeds.add_comment(
        alice, post_id=post(bob, world["open"], "budget").pk, body="budget"
    )
    say(alice, world["direct"], "budget one")
    client.get("/search/", {"q": "budget"})  # warm the session
    # Session, user; people 2, spaces 2 (no hit: no excerpts), posts and
    # comments 6, messages 7 (count, page, reactions, mentions, files,
    # titles, excerpts); then the page's conversations for the filter
    # (2), and the sidebar (spaces, unread, notifications, spaces again).
    with django_assert_num_queries(25):
        client.get("/search/", {"q": "budget"})
    for n in range(8):
        feeds.add_comment(
            alice,
            post_id=post(bob, world["open"], f"budget {n}").pk,
            body=f"budget {n}",
        )
        say(alice, world["direct"], f"budget {n}")
    with django_assert_num_queries(25):
        client.get("/search/", {"q": "budget"})


def test_the_api_answers_groups_with_counts_and_pages_one_kind(
    client, alice, bob, world
):
    for n in range(3):
        say(alice, world["direct"], f"standup notes {n}")
    client.force_login(bob)
    response = client.get(URL, {"q": "standup"})
    assert response.status_code == 200
    body = response.json()
    assert [g["kind"] for g in body["groups"]] == [
        "people",
        "spaces",
        "posts",
        "messages",
    ]
    messages = body["groups"][3]
    assert messages["count"] == 3
    first = messages["results"][0]
    assert first["kind"] == "message"
    assert first["snippet"] == "<mark>standup</mark> notes 2"
    assert first["author"] == {"id": alice.pk, "name": "Alice Adams"}
    assert first["url"].startswith(f"/messages/{world['direct'].pk}/m/")

    page = client.get(URL, {"q": "standup", "kind": "messages", "limit": 2}).json()
    (group,) = page["groups"]
    assert len(group["results"]) == 2 and group["next_cursor"]
    rest = client.get(
        URL,
        {
            "q": "standup",
            "kind": "messages",
            "limit": 2,
            "cursor": group["next_cursor"],
        },
    ).json()
    assert [r["snippet"] for r in rest["groups"][0]["results"]] == [
        "<mark>standup</mark> notes 0"
    ]

    client.force_login(carol := User.objects.get(email="carol@canteen.test"))
    assert carol
    for params, status in [
        ({"q": "standup", "conversation": world["direct"].pk}, 404),
        ({"q": "standup", "space": world["secret"].pk}, 404),
        ({"q": ""}, 400),
        ({"q": "x" * 10_000}, 400),
        ({"q": "standup", "cursor": "1"}, 400),
        ({"q": "standup", "kind": "nope"}, 422),
    ]:
        response = client.get(URL, params)
        assert response.status_code == status, params
        assert "error" in response.json() or status == 422
    assert client.get(URL, {"q": "standup"}).json()["groups"][3]["count"] == 0


HOSTILE = [
    '"',
    '"unbalanced',
    "((deploy",
    "deploy -",
    "NEAR(a b)",
    "body:deploy",
    "'; DROP TABLE feeds_post; --",
    "1' OR '1'='1",
    "deploy & | ! <-> :*",
    "a\x00b",
    "قهوة",
    "קפה coffee",
    "☕🎉",
    "%_\\",
    "x" * 10_000,
    "coffee " * 50,
]


def test_hostile_queries_answer_or_refuse_but_never_break(client, alice, world):
    client.force_login(alice)
    for query in HOSTILE:
        for path in (URL, "/search/"):
            response = client.get(path, {"q": query})
            assert response.status_code in (200, 400), (path, query)
        # Bytes that are not UTF-8 (a lone surrogate's) arrive replaced.
        response = client.get(f"{path}?q=%ED%A0%80coffee%00")
        assert response.status_code == 200, path


TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
QUERIES = st.one_of(
    TEXT,
    st.lists(
        st.sampled_from(
            [
                '"',
                "-",
                "or",
                "OR",
                "(",
                ")",
                "*",
                ":",
                "^",
                "NEAR",
                "coffee",
                "the",
                "café",
                "日本",
                "🎉",
                "\x00",
                " ",
                "'",
                "\\",
                "AND",
                "NOT",
                "{",
                "}",
            ]
        ),
        max_size=12,
    ).map(" ".join),
    st.text(max_size=20).map(lambda s: s * 600),
)
PROPERTY = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY
@given(query=QUERIES)
def test_any_query_is_read_or_refused_with_a_400(query):
    try:
        parsed = parse_query(query)
    except ServiceError as exc:
        assert exc.status == 400 and exc.code in {"empty", "too_long", "no_words"}
        return
    # Nothing of the query's own syntax reaches FTS5: only quoted words.
    assert all(t.words for alt in parsed.alternatives for t in alt.wanted)
    assert '""' not in parsed.fts5()


@PROPERTY
@given(query=QUERIES)
def test_any_query_searches_every_kind_on_this_database(world, alice, carol, query):
    for user in (alice, carol):
        try:
            found = search_everything(user, query, Filters())
        except ServiceError as exc:
            assert exc.status == 400
            continue
        assert [g.kind for g in found] == ["people", "spaces", "posts", "messages"]
        if user == carol:
            hits = [str(h.snippet) for g in found[2:] for h in g.hits]
            assert not any(
                w in " ".join(hits) for w in ("zeppelin", "quokka", "narwhal")
            )
