"""Property tests: whatever JSON-ish value comes in, on whichever inbound
schema, REST endpoint or socket event, the answer is a value that fits, a
4xx or an `error` event: never a 5xx, an exception or a closed socket."""

import importlib
import json
from typing import Any

import pydantic
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja import Schema

from feeds import services as feeds_services
from intranet import budgets, plugins, sync
from intranet.api import api  # noqa: F401  (loads the routers in order)
from intranet.asgi import application
from intranet.validation import MAX_ID, is_text
from messaging import api as messaging_api
from messaging import services
from profiles import api as profiles_api
from tests.base import session_cookie_for, socket_headers

# Once intranet.api has loaded the routers: feeds.api imports it, and it
# imports feeds.api by name.
feeds_api = importlib.import_module("feeds.api")

PROPERTY = settings(
    max_examples=25,
    derandomize=True,  # the same examples every run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

INTEGERS = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 1, MAX_ID, MAX_ID + 1, 2**64, 10**20, -(10**20)]),
)
TEXTS = st.one_of(
    # Surrogates (category Cs) and NUL included.
    st.text(st.characters(exclude_categories=()), max_size=20),
    st.sampled_from(["\ud800", "a\udfff", "\x00", "", "🎉", "[", "{"]),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), INTEGERS, st.floats(allow_nan=True), TEXTS
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(TEXTS, inner, max_size=4)
    ),
    max_leaves=12,
)

# Every command any app plugs into the socket, and the kernel's sync.
SOCKET_SCHEMAS = list(
    dict.fromkeys([c.schema for c in plugins.commands().values()] + [sync.Sync])
)
SOCKET_FIELDS = sorted(
    {name for schema in SOCKET_SCHEMAS for name in schema.model_fields}
)
REST_SCHEMAS = [
    value
    for module in (messaging_api, profiles_api, feeds_api)
    for name, value in vars(module).items()
    if isinstance(value, type)
    and issubclass(value, Schema)
    and name.endswith(("In", "Query", "Params"))
]
ALL_SCHEMAS = [*SOCKET_SCHEMAS, *REST_SCHEMAS]
FIELDS = sorted(
    {name for schema in ALL_SCHEMAS for name in schema.model_fields}
    | {"from", "type", "client_id"}
)


@pytest.fixture
def chat(alice, bob):
    """A group of alice's with a message: made once, for all examples."""
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    message, _ = services.send_message(
        alice, conversation_id=group.pk, body="hi", client_id="h"
    )
    return group, message


@pytest.fixture
def space(alice, bob):
    """A space alice leads, with bob's post and comment in it."""
    space = feeds_services.create_space(alice, name="Garden")
    feeds_services.join_space(bob, space_id=space.pk)
    post, _ = feeds_services.create_post(
        bob, space_id=space.pk, body="hi", client_id="h"
    )
    comment = feeds_services.add_comment(bob, post_id=post.pk, body="yo")
    return space, post, comment


def objects(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of `names` (and a stray key) bound to anything."""
    return st.dictionaries(
        st.one_of(st.sampled_from(names), TEXTS), JSONISH, max_size=len(names) + 1
    )


def fits(value: Any) -> bool:
    """Every id in range and every text valid, however deep."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return -(2**63) <= value <= MAX_ID
    if isinstance(value, str):
        return is_text(value)
    if isinstance(value, list):
        return all(fits(v) for v in value)
    if isinstance(value, dict):
        return all(fits(k) and fits(v) for k, v in value.items())
    return fits(vars(value))


def test_every_inbound_schema_is_found():
    assert {s.__name__ for s in SOCKET_SCHEMAS} == {
        "Ping",
        "MessageSend",
        "MessageEdit",
        "MessageRef",
        "ReactionChange",
        "MarkRead",
        "ConversationRef",
        "SeenEvent",
        "Sync",
    }
    assert {s.__name__ for s in REST_SCHEMAS} >= {
        "ConversationIn",
        "MembersIn",
        "HistoryQuery",
        "SearchQueryParams",
        "SpaceIn",
        "SpaceQuery",
        "FeedQuery",
        "ReasonIn",
    }


@PROPERTY
@given(data=st.data())
def test_every_inbound_schema_accepts_only_what_fits(data):
    schema = data.draw(st.sampled_from(ALL_SCHEMAS))
    fields = list(schema.model_fields)
    value = data.draw(objects(fields))
    try:
        parsed = schema.model_validate(value)
    except pydantic.ValidationError:
        return
    assert fits(parsed.model_dump()), parsed


@PROPERTY
@given(data=st.data())
def test_no_rest_body_or_query_gets_a_server_error(data, alice, chat, space):
    group, message = chat
    space, post, comment = space
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    method, url = data.draw(
        st.sampled_from(
            [
                ("post", "/api/v1/conversations"),
                ("patch", f"/api/v1/conversations/{group.pk}"),
                ("post", f"/api/v1/conversations/{group.pk}/members"),
                ("post", f"/api/v1/conversations/{group.pk}/messages"),
                ("post", f"/api/v1/conversations/{group.pk}/read"),
                ("patch", f"/api/v1/messages/{message.pk}"),
                ("post", f"/api/v1/messages/{message.pk}/reactions"),
                ("get", f"/api/v1/conversations/{group.pk}/messages"),
                ("get", "/api/v1/search/messages"),
                ("get", "/api/v1/events"),
                ("get", "/api/v1/people"),
                ("get", "/api/v1/presence"),
                ("get", "/api/v1/spaces"),
                ("post", "/api/v1/spaces"),
                ("patch", f"/api/v1/spaces/{space.pk}"),
                ("post", f"/api/v1/spaces/{space.pk}/members"),
                ("patch", f"/api/v1/spaces/{space.pk}/members/{alice.pk}"),
                ("post", f"/api/v1/spaces/{space.pk}/read"),
                ("get", f"/api/v1/spaces/{space.pk}/posts"),
                ("post", f"/api/v1/spaces/{space.pk}/posts"),
                ("get", "/api/v1/feed"),
                ("post", "/api/v1/posts/seen"),
                ("patch", f"/api/v1/posts/{post.pk}"),
                ("delete", f"/api/v1/posts/{post.pk}"),
                ("post", f"/api/v1/posts/{post.pk}/comments"),
                ("post", f"/api/v1/posts/{post.pk}/reactions"),
                ("delete", f"/api/v1/posts/{post.pk}/reactions"),
                ("patch", f"/api/v1/comments/{comment.pk}"),
                ("delete", f"/api/v1/comments/{comment.pk}"),
                ("delete", f"/api/v1/comments/{comment.pk}/reactions"),
            ]
        )
    )
    body = data.draw(objects(FIELDS))
    if method == "get":
        # A query string carries text: what JSON would say, flattened.
        params = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()
        }
        # A URL cannot carry a lone surrogate (it is UTF-8); NUL it can.
        params = {
            k: v
            for k, v in params.items()
            if is_text(k.replace("\x00", "")) and is_text(v.replace("\x00", ""))
        }
        response = client.get(url, params)
    else:
        raw = json.dumps(body)  # \u escapes for surrogates, as a client sends
        response = getattr(client, method)(url, raw, content_type="application/json")
    assert response.status_code < 500, (method, url, body, response.content)


async def _exchange(session_key: str, frames: list[str]) -> None:
    # Each example is a fresh socket of a fresh person: alice's budgets
    # (a person's, in process memory) would run out over hundreds.
    budgets._by_session.clear()
    ws = WebsocketCommunicator(application, "/ws/", headers=socket_headers(session_key))
    assert (await ws.connect())[0]
    assert (await ws.receive_json_from())["type"] == "hello"
    for frame in frames:
        await ws.send_to(text_data=frame)
    # Still open and answering, after whatever those did: the consumer
    # raised nothing (the communicator would re-raise it here).
    await ws.send_json_to({"type": "ping"})
    while True:
        text = await ws.receive_from(timeout=5)
        assert isinstance(text, str)
        # What Daphne does to every frame: a lone surrogate echoed back
        # would fail here, and close the socket with 1011.
        text.encode()
        if json.loads(text)["type"] == "pong":
            break
    await ws.disconnect()


# Transactional: the consumer's database hops close their connection.
@pytest.mark.django_db(transaction=True)
@PROPERTY
@given(data=st.data())
def test_no_socket_frame_closes_the_socket(data, alice, chat):
    group, _ = chat
    session_key = session_cookie_for(alice)
    types = st.sampled_from(sorted([*plugins.commands(), "sync"]))
    frames = data.draw(
        st.lists(
            st.one_of(
                st.builds(
                    lambda t, fields: {**fields, "type": t},
                    types,
                    objects(SOCKET_FIELDS),
                ),
                st.builds(
                    lambda t: {"type": t, "conversation": group.pk, "body": "x"},
                    types,
                ),
                JSONISH,
            ),
            min_size=1,
            max_size=5,
        )
    )
    async_to_sync(_exchange)(session_key, [json.dumps(f) for f in frames])
