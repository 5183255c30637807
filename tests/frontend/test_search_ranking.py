"""Most relevant first, or newest first: the one search's sort, on the
database in use (SQLite's bm25() here, PostgreSQL's ts_rank_cd with
DATABASE_URL; the same expectations on both)."""

import pytest
from django.db import connection

from feeds import services as feeds
from frontend.search import Filters, search_everything
from intranet.errors import ServiceError
from intranet.search import pages
from intranet.search.query import parse_query
from messaging import services as messaging
from messaging.models import Message
from messaging.search import MESSAGES
from tests.frontend.writing import no_rate_limits, post, say  # noqa: F401 - a fixture

URL = "/api/v1/search"

FILLER = (
    "Notes from the quarterly planning session covering hiring budgets "
    "office moves travel policy onboarding checklists the new coffee "
    "machine parking permits holiday rotas and the summer party venue "
    "shortlist with catering quotes from three suppliers plus a reminder "
    "about expense reports security training and the wiki migration"
)


pytestmark = pytest.mark.usefixtures("no_rate_limits")


@pytest.fixture
def direct(alice, bob):
    return messaging.get_or_create_direct(alice, other_id=bob.pk)


@pytest.fixture
def kitchen(alice, bob):
    return feeds.create_space(alice, name="Kitchen", visibility="open", members=[bob])


def ids(user, query, **filters) -> list[int]:
    (group,) = search_everything(user, query, Filters(**filters))
    return [hit.id for hit in group.hits]


def test_most_relevant_puts_three_mentions_in_a_short_text_above_a_newer_one(
    alice, bob, direct, kitchen
):
    short = say(alice, direct, "Rollout rollout rollout: done")
    long = say(bob, direct, f"{FILLER} and the rollout {FILLER}")
    assert long.pk > short.pk
    assert ids(bob, "rollout", kind="messages") == [short.pk, long.pk]
    assert ids(bob, "rollout", kind="messages", sort="relevance") == [
        short.pk,
        long.pk,
    ]
    assert ids(bob, "rollout", kind="messages", sort="newest") == [long.pk, short.pk]

    # Posts and comments are ranked together.
    short_post = post(alice, kitchen, "Rollout rollout rollout: done")
    comment = feeds.add_comment(
        bob, post_id=short_post.pk, body=f"{FILLER} and the rollout {FILLER}"
    )
    assert ids(bob, "rollout", kind="posts") == [short_post.pk, comment.pk]
    assert ids(bob, "rollout", kind="posts", sort="newest") == [
        comment.pk,
        short_post.pk,
    ]


def test_equals_come_newest_first_and_newest_sort_is_unchanged(alice, bob, direct):
    sent = [say(alice, direct, f"standup notes {n}") for n in range(4)]
    newest_first = [m.pk for m in reversed(sent)]
    assert ids(bob, "standup", kind="messages") == newest_first
    assert ids(bob, "standup", kind="messages", sort="newest") == newest_first


def test_ranked_pages_are_stable_while_new_matches_arrive(alice, bob, direct, kitchen):
    for n in range(7):
        say(alice, direct, "lunch " * (n % 3 + 1) + f"plan {n}")
        post(alice, kitchen, "lunch " * (n % 3 + 1) + f"menu {n}")
    for kind in ("messages", "posts"):
        whole = ids(bob, "lunch", kind=kind, limit=50)
        seen: list[int] = []
        cursor = None
        while True:
            (group,) = search_everything(
                bob, "lunch", Filters(kind=kind, cursor=cursor, limit=3)
            )
            seen += [hit.id for hit in group.hits]
            # What arrives meanwhile, however relevant, waits for a new
            # search instead of shifting the pages.
            say(alice, direct, "lunch lunch lunch lunch")
            post(alice, kitchen, "lunch lunch lunch lunch")
            cursor = group.next_cursor
            if cursor is None:
                break
        assert seen == whole, kind
        assert len(set(seen)) == len(seen) >= 7, kind


def test_the_best_few_of_a_window_with_ties_are_its_first_few(
    alice, bob, direct, monkeypatch
):
    """Cutting the ranked window to the best `best` rows (PostgreSQL ranks
    ids alone, then reads only those) keeps the order of the whole
    window, equals newer first."""
    monkeypatch.setattr(pages, "RANK_WINDOW", 9)
    for n in range(12):
        say(alice, direct, "triage " * (n % 3 + 1) + "queue")
    visible = Message.objects.filter(conversation=direct)
    parsed = parse_query("triage")
    whole = [
        (m.pk, m.rank)
        for m in MESSAGES.rank_window(visible, parsed).order_by("-rank", "-id")
    ]
    assert len(whole) == 9
    assert whole == sorted(whole, key=lambda row: (-row[1], -row[0]))
    assert len({rank for _, rank in whole}) == 3  # three ranks, three of each
    for best in range(1, 11):
        found = MESSAGES.rank_window(visible, parsed, best=best).order_by(
            "-rank", "-id"
        )[:best]
        assert [(m.pk, m.rank) for m in found] == whole[:best], best


def test_only_what_the_reader_may_see_is_ranked_or_counted(
    alice, bob, carol, direct, kitchen, monkeypatch
):
    """The window is taken after access: a reader's own matches are never
    crowded out by newer ones they may not see."""
    monkeypatch.setattr(pages, "RANK_WINDOW", 3)
    mine = [say(alice, direct, f"merger talk {n}") for n in range(3)]
    secret = feeds.create_space(bob, name="Board", visibility="secret")
    support = messaging.create_group(bob, title="Support", member_ids=[carol.pk])
    for n in range(5):
        say(carol, support, "merger merger merger " + str(n))
        post(bob, secret, "merger merger merger " + str(n))
    assert sorted(ids(alice, "merger", kind="messages")) == sorted(m.pk for m in mine)
    groups = {g.kind: g for g in search_everything(alice, "merger", Filters())}
    assert groups["messages"].count == 3
    assert groups["posts"].count == 0 and groups["posts"].hits == []
    # Carol, an outsider to the direct conversation and the secret space,
    # whichever order she asks for.
    for sort in ("relevance", "newest"):
        found = {
            g.kind: g for g in search_everything(carol, "talk", Filters(sort=sort))
        }
        assert found["messages"].count == 0 and found["messages"].hits == []
        (posts,) = search_everything(carol, "merger", Filters(kind="posts", sort=sort))
        assert posts.count == 0 and posts.hits == []


def test_only_the_newest_window_of_matches_is_ranked(alice, bob, direct, monkeypatch):
    monkeypatch.setattr(pages, "RANK_WINDOW", 3)
    oldest = say(alice, direct, "budget budget budget budget")
    newer = [say(alice, direct, f"budget line {n}") for n in range(3)]
    found = ids(bob, "budget", kind="messages")
    # The best match is older than the window: the cost stays bounded.
    assert oldest.pk not in found
    assert sorted(found) == [m.pk for m in newer]
    assert ids(bob, "budget", kind="messages", sort="newest", limit=10)[-1] == oldest.pk


def test_a_cursor_of_the_other_order_or_past_the_window_is_a_400(
    client, alice, bob, direct, kitchen
):
    for n in range(3):
        say(alice, direct, f"retro {n}")
        post(alice, kitchen, f"retro {n}")
    (ranked,) = search_everything(bob, "retro", Filters(kind="messages", limit=1))
    (newest,) = search_everything(
        bob, "retro", Filters(kind="messages", limit=1, sort="newest")
    )
    assert ranked.next_cursor and ranked.next_cursor.startswith("r")
    assert newest.next_cursor and newest.next_cursor.isdigit()
    bad = [
        ("messages", "relevance", newest.next_cursor),
        ("messages", "newest", ranked.next_cursor),
        ("messages", "relevance", "r"),
        ("messages", "relevance", "r1"),
        ("messages", "relevance", "r1.2.3"),
        ("messages", "relevance", f"r{pages.RANK_WINDOW + 1}.5"),
        ("messages", "relevance", "r-1.5"),
        ("messages", "relevance", "r\u0661.5"),  # an Arabic-Indic digit
        ("posts", "relevance", "5.0"),
        ("posts", "relevance", "r1.5"),
        ("posts", "newest", "r1.5.5"),
    ]
    for kind, sort, cursor in bad:
        with pytest.raises(ServiceError) as caught:
            search_everything(
                bob, "retro", Filters(kind=kind, sort=sort, cursor=cursor)
            )
        assert caught.value.status == 400, cursor
        assert caught.value.message == "That cursor is not one this search gave."
    with pytest.raises(ServiceError) as caught:
        search_everything(bob, "retro", Filters(sort="best"))
    assert caught.value.status == 400

    client.force_login(bob)
    response = client.get(
        URL, {"q": "retro", "kind": "messages", "cursor": newest.next_cursor}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "That cursor is not one this search gave."


def test_the_api_takes_a_sort_and_refuses_others_with_a_message(
    client, alice, bob, direct
):
    short = say(alice, direct, "Rollout rollout rollout: done")
    long = say(bob, direct, f"{FILLER} and the rollout {FILLER}")
    client.force_login(bob)

    def order(**params):
        response = client.get(URL, {"q": "rollout", "kind": "messages", **params})
        assert response.status_code == 200, response.content
        return [hit["id"] for hit in response.json()["groups"][0]["results"]]

    assert order() == [short.pk, long.pk]
    assert order(sort="relevance") == [short.pk, long.pk]
    assert order(sort="newest") == [long.pk, short.pk]
    response = client.get(URL, {"q": "rollout", "sort": "best"})
    assert response.status_code == 422
    assert "relevance" in response.content.decode()

    schema = client.get("/api/v1/openapi.json").json()
    parameters = schema["paths"][URL]["get"]["parameters"]
    (sort,) = [p for p in parameters if p["name"] == "sort"]
    assert "relevance" in str(sort) and "newest" in str(sort)


def test_the_page_offers_the_sort_as_a_labelled_choice_kept_in_the_url(
    client, alice, bob, direct
):
    for n in range(6):
        say(alice, direct, f"offsite plan {n}")
    client.force_login(bob)
    html = client.get("/search/", {"q": "offsite", "kind": "messages"}).content.decode()
    assert '<label for="search-sort">Sort by</label>' in html
    assert '<select id="search-sort" name="sort">' in html
    assert '<option value="relevance" selected>Most relevant</option>' in html

    response = client.get(
        "/search/", {"q": "offsite", "kind": "messages", "sort": "newest"}
    )
    html = response.content.decode()
    assert '<option value="newest" selected>Newest</option>' in html

    # The link to all of one kind keeps the order chosen.
    html = client.get("/search/", {"q": "offsite", "sort": "newest"}).content.decode()
    assert "?q=offsite&amp;sort=newest&amp;kind=messages" in html

    response = client.get("/search/", {"q": "offsite", "sort": "best"})
    assert response.status_code == 400
    assert 'class="search-error"' in response.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: runs when DATABASE_URL is set",
)
def test_the_window_is_matched_in_its_own_subquery_not_once_a_row(alice, bob):
    """The vector named in the window's subquery is the subquery's own row:
    naming the outer table there made a correlated subquery run once per
    message (seconds for a few thousand)."""
    visible = Message.objects.filter(sender=alice)
    sql = str(MESSAGES.rank_window(visible, parse_query("budget")).query)
    window = sql[sql.index("IN (SELECT") :]
    assert "@@" in window
    assert '"messaging_message".search_vector' not in window
