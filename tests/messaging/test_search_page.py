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
