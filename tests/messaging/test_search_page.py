"""The search page (/messages/search/) and the search box on every page."""

import uuid

import pytest

from messaging import services


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


def say(sender, conversation, body):
    return services.send_message(
        sender, conversation_id=conversation.pk, body=body, client_id=uuid.uuid4().hex
    )[0]


def test_every_page_has_a_labelled_search_box(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    # The one search box (frontend/_search_box.html) covers messages too.
    assert 'role="search" aria-label="Search Canteen"' in html
    assert (
        '<label for="side-search-q" class="visually-hidden">'
        "Search people, spaces, posts and messages" in html
    )
    assert 'action="/search/"' in html


def test_without_a_query_the_page_says_what_to_try(client, alice):
    client.force_login(alice)
    response = client.get("/messages/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find a message" in html
    assert "“launch plan”" in html
    assert response.context["results"] is None


def test_hits_link_to_their_permalink_with_the_words_marked(
    client, alice, bob, carol, direct, django_assert_max_num_queries
):
    message = say(alice, direct, "Budget <script>alert(1)</script> for **Q3**")
    client.force_login(bob)
    with django_assert_max_num_queries(10):
        response = client.get("/messages/search/", {"q": "budget"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/messages/{direct.pk}/m/{message.pk}/"' in html
    assert "<mark>Budget</mark> &lt;script&gt;alert(1)&lt;/script&gt; for Q3" in html
    assert "<script>alert" not in html
    assert "Direct message with Alice Adams" in html

    client.force_login(carol)
    response = client.get("/messages/search/", {"q": "budget"})
    assert "No messages match “budget”" in response.content.decode()
    response = client.get(
        "/messages/search/", {"q": "budget", "conversation": direct.pk}
    )
    assert response.status_code == 404


def test_older_results_continue_from_the_cursor(client, alice, bob, direct, settings):
    settings.MESSAGE_SEND_BURST = 100
    for n in range(25):
        say(alice, direct, f"memo {n}")
    client.force_login(bob)
    first = client.get("/messages/search/", {"q": "memo"})
    assert len(first.context["results"].hits) == 20
    cursor = first.context["results"].next_cursor
    assert f'href="?q=memo&amp;cursor={cursor}"' in first.content.decode()
    second = client.get("/messages/search/", {"q": "memo", "cursor": cursor})
    assert [h.message.body for h in second.context["results"].hits] == [
        f"memo {n}" for n in range(4, -1, -1)
    ]
    assert second.context["results"].next_cursor is None


def test_bad_input_is_a_400_that_says_why(client, alice):
    client.force_login(alice)
    for params, text in [
        ({"q": ""}, "Type a word or two"),
        ({"q": "z" * 201}, "at most 200 characters"),
        ({"q": "-x"}, "at least one word"),
        ({"q": "x", "after": "someday"}, "Enter a valid date"),
    ]:
        response = client.get("/messages/search/", params)
        assert response.status_code == 400, params
        html = response.content.decode()
        assert text in html
        assert 'aria-invalid="true"' in html


LONG = (
    "Notes from the quarterly planning session covering hiring budgets office "
    "moves travel policy onboarding checklists parking permits holiday rotas "
    "and the summer party venue shortlist with catering quotes"
)


def test_the_page_sorts_most_relevant_first_or_newest_by_a_labelled_choice(
    client, alice, bob, direct, settings
):
    settings.MESSAGE_SEND_BURST = 100
    short = say(alice, direct, "Rollout rollout rollout: done")
    long = say(bob, direct, f"{LONG} and the rollout {LONG}")
    client.force_login(bob)

    def order(**params):
        response = client.get("/messages/search/", {"q": "rollout", **params})
        assert response.status_code == 200, params
        return [h.message.pk for h in response.context["results"].hits]

    assert order() == [short.pk, long.pk]
    assert order(sort="relevance") == [short.pk, long.pk]
    assert order(sort="newest") == [long.pk, short.pk]

    html = client.get("/messages/search/", {"q": "rollout"}).content.decode()
    assert '<label for="search-sort">Sort by</label>' in html
    assert '<select id="search-sort" name="sort">' in html
    assert '<option value="relevance" selected>Most relevant</option>' in html
    assert "Most relevant first" in html
    response = client.get("/messages/search/", {"q": "rollout", "sort": "newest"})
    html = response.content.decode()
    assert '<option value="newest" selected>Newest</option>' in html
    assert "Newest first." in html

    response = client.get("/messages/search/", {"q": "rollout", "sort": "best"})
    assert response.status_code == 400
    assert (
        'aria-invalid="true" aria-describedby="sort-error"' in response.content.decode()
    )


def test_ranked_pages_continue_in_their_order_and_refuse_the_other_cursor(
    client, alice, bob, direct, settings
):
    settings.MESSAGE_SEND_BURST = 100
    for n in range(25):
        say(alice, direct, "memo " * (n % 3 + 1) + str(n))
    client.force_login(bob)
    whole = client.get("/messages/search/", {"q": "memo"}).context["results"]
    first = client.get("/messages/search/", {"q": "memo", "sort": "newest"})
    newest_cursor = first.context["results"].next_cursor
    ranked = [h.message.pk for h in whole.hits]
    cursor = str(whole.next_cursor)
    assert cursor.startswith("r20.")
    html = client.get("/messages/search/", {"q": "memo"}).content.decode()
    assert f'href="?q=memo&amp;cursor={cursor}"' in html
    assert ">More results</a>" in html
    second = client.get("/messages/search/", {"q": "memo", "cursor": cursor})
    ranked += [h.message.pk for h in second.context["results"].hits]
    assert len(set(ranked)) == 25
    assert second.context["results"].next_cursor is None
    assert "Back to the best" in second.content.decode()

    for params in (
        {"q": "memo", "cursor": newest_cursor},
        {"q": "memo", "sort": "newest", "cursor": cursor},
        {"q": "memo", "cursor": "r9999.1"},
    ):
        response = client.get("/messages/search/", params)
        assert response.status_code == 400, params
        assert "That cursor is not one this search gave." in response.content.decode()
