"""GET /api/v1/search/messages: the search selector behind the REST API."""

import uuid

import pytest

from messaging import events, services
from messaging.models import Message
from profiles.models import APIToken
from profiles.services import create_api_token
from tests.messaging.test_search import HOSTILE

URL = "/api/v1/search/messages"


@pytest.fixture
def direct(alice, bob):
    return services.get_or_create_direct(alice, other_id=bob.pk)


def say(sender, conversation, body):
    return services.send_message(
        sender, conversation_id=conversation.pk, body=body, client_id=uuid.uuid4().hex
    )[0]


def test_members_get_hits_with_the_message_shape_a_snippet_and_a_title(
    client, alice, bob, carol, direct
):
    message = say(alice, direct, "The <b>rollout</b> starts Monday")
    say(bob, direct, "Sounds good")
    client.force_login(bob)
    response = client.get(URL, {"q": "rollout"})
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    (hit,) = body["results"]
    stored = Message.objects.select_related("sender").get(pk=message.pk)
    assert hit["message"] == events.message_data(stored)
    assert hit["snippet"] == "The &lt;b&gt;<mark>rollout</mark>&lt;/b&gt; starts Monday"
    assert hit["conversation_title"] == "Alice Adams"

    client.force_login(carol)
    assert client.get(URL, {"q": "rollout"}).json()["results"] == []
    response = client.get(URL, {"q": "rollout", "conversation": direct.pk})
    assert response.status_code == 404
    assert "error" in response.json()


def test_filters_and_the_cursor_page_through_older_results(
    client, alice, bob, direct, settings
):
    settings.MESSAGE_SEND_BURST = 100
    ids = [say(alice if n % 2 else bob, direct, f"ticket {n}").pk for n in range(7)]
    client.force_login(alice)
    first = client.get(URL, {"q": "ticket", "limit": 3}).json()
    assert [h["message"]["id"] for h in first["results"]] == ids[:-4:-1]
    second = client.get(
        URL, {"q": "ticket", "limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert [h["message"]["id"] for h in second["results"]] == ids[-4:-7:-1]
    from_alice = client.get(URL, {"q": "ticket", "from": alice.pk}).json()
    assert {h["message"]["sender"]["id"] for h in from_alice["results"]} == {alice.pk}
    assert len(from_alice["results"]) == 3
    later = client.get(URL, {"q": "ticket", "after": "2999-01-01"}).json()
    assert later["results"] == []
    assert (
        len(client.get(URL, {"q": "ticket", "before": "2999-01-01"}).json()["results"])
        == 7
    )


def test_the_api_sorts_most_relevant_first_or_newest_and_keeps_cursors_apart(
    client, alice, bob, direct, settings
):
    settings.MESSAGE_SEND_BURST = 100
    short = say(alice, direct, "Rollout rollout rollout: done")
    long = say(bob, direct, "The plan, in a long message: " + "words " * 40 + "rollout")
    client.force_login(bob)

    def get(**params):
        response = client.get(URL, {"q": "rollout", **params})
        assert response.status_code == 200, response.content
        return response.json()

    def order(**params):
        return [h["message"]["id"] for h in get(**params)["results"]]

    assert order() == [short.pk, long.pk]
    assert order(sort="relevance") == [short.pk, long.pk]
    assert order(sort="newest") == [long.pk, short.pk]

    # A ranked cursor is a string, a newest one an id, as before.
    ranked = get(limit=1)
    assert ranked["next_cursor"].startswith("r1.")
    assert [
        h["message"]["id"]
        for h in get(limit=1, cursor=ranked["next_cursor"])["results"]
    ] == [long.pk]
    newest = get(limit=1, sort="newest")
    assert newest["next_cursor"] == long.pk
    for params in (
        {"cursor": newest["next_cursor"]},
        {"cursor": ranked["next_cursor"], "sort": "newest"},
    ):
        response = client.get(URL, {"q": "rollout", **params})
        assert response.status_code == 400, params
        assert response.json()["error"] == "That cursor is not one this search gave."
    response = client.get(URL, {"q": "rollout", "sort": "best"})
    assert response.status_code == 422
    assert "relevance" in response.content.decode()

    schema = client.get("/api/v1/openapi.json").json()
    parameters = schema["paths"][URL]["get"]["parameters"]
    (sort,) = [p for p in parameters if p["name"] == "sort"]
    assert "relevance" in str(sort) and "newest" in str(sort)


def test_unusable_queries_answer_400_with_a_reason(client, alice):
    client.force_login(alice)
    for params, code in [
        ({}, "empty"),
        ({"q": "  "}, "empty"),
        ({"q": "y" * 201}, "too_long"),
        ({"q": "-only -exclusions"}, "no_words"),
    ]:
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == code
        assert response.json()["error"]
    assert client.get(URL, {"q": "x", "limit": 51}).status_code == 422
    assert client.get(URL, {"q": "x", "after": "yesterday"}).status_code == 422


def test_hostile_queries_never_answer_500(client, alice, bob, direct):
    say(alice, direct, "Deploy notes for @**Bob Brown**")
    client.force_login(bob)
    for query in HOSTILE:
        response = client.get(URL, {"q": query})
        # 422: NUL, which the schema's Text refuses before the search.
        assert response.status_code in {200, 400, 422}, (query, response.content)


def test_tokens_need_the_read_scope_and_anonymous_callers_get_401(
    client, alice, bob, direct
):
    say(alice, direct, "token search")
    assert client.get(URL, {"q": "token"}).status_code == 401
    _, secret = create_api_token(bob, name="bot", scopes=[APIToken.Scope.READ])
    response = client.get(
        URL, {"q": "token"}, headers={"authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
