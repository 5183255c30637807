"""schemathesis fuzzes every operation of the real OpenAPI schema
(/api/v1/openapi.json), signed in as a member of a direct and a group
conversation: no input may get a 5xx. A fixed seed and a bounded number of
examples keep it the same run every time, and quick."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from feeds import services as feeds
from intranet.api import api
from messaging import events, selectors, services
from profiles.factories import UserFactory
from tests.base import session_cookie_for

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 8,
        "generation": {"max-examples": 5, "deterministic": True},
    }
)


# Loaded at collection, as the served schema: it needs no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture
def signed_in(db) -> Iterator[dict[str, str]]:
    """Alice's browser headers, in a direct and a group conversation and
    a space."""
    # As Django's test client does: the test's database connection must
    # outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Without passwords: hashing three of them per operation was most of
    # the run.
    alice, bob, carol = UserFactory.create_batch(3)
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    services.send_message(alice, conversation_id=direct.pk, body="hi", client_id="1")
    # And in a space she leads, with a post, a comment and a reaction.
    space = feeds.create_space(alice, name="Garden", members=[bob])
    post, _ = feeds.create_post(bob, space_id=space.pk, body="hi", client_id="1")
    feeds.add_comment(alice, post_id=post.pk, body="yo")
    feeds.react(alice, post_id=post.pk, emoji="👍", add=True)
    # The session with the CSRF cookie and header a browser's unsafe
    # requests carry: the fuzzer reaches every write, not just a 403.
    secret = _get_new_csrf_string()
    cookie = (
        f"{django_settings.SESSION_COOKIE_NAME}={session_cookie_for(alice)}; "
        f"{django_settings.CSRF_COOKIE_NAME}={secret}"
    )
    yield {"Cookie": cookie, "X-CSRFToken": secret}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# Data the fuzzer adds stays for the operation's later examples: fine, as
# the property is about any state.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_input_gets_a_server_error(case, signed_in):
    response = case.call(headers=signed_in)
    assert response.status_code < 500, case.as_curl_command()


# Every JSON answer has a model in the schema, not a bare object. Only
# these answer something else, on purpose.
NOT_JSON = {
    ("get", "/api/v1/attachments/{attachment_id}/file"): "a file's bytes",
    ("get", "/api/v1/attachments/{attachment_id}/thumbnail"): "an image's bytes",
    ("get", "/api/v1/post-attachments/{attachment_id}/file"): "a file's bytes",
    ("get", "/api/v1/post-attachments/{attachment_id}/thumbnail"): "an image's bytes",
    ("get", "/api/v1/posts/{post_id}/acknowledgements.csv"): "a CSV file",
}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _free_form(spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """An object with no named fields (or anything at all), at the top of
    an answer, as a list's items or as one of a union's shapes."""
    node = _resolve(spec, node)
    if "oneOf" in node or "anyOf" in node:
        shapes = node.get("oneOf", []) + node.get("anyOf", [])
        return any(_free_form(spec, s) for s in shapes)
    if node.get("type") == "array":
        return _free_form(spec, node.get("items", {}))
    if "type" not in node:
        return True
    if node["type"] != "object" or node.get("properties"):
        return False
    return node.get("additionalProperties", True) in (True, {})


def test_every_answer_has_a_shape():
    spec = api.get_openapi_schema()
    bare = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if not 200 <= int(status) < 300 or int(status) == 204:
                    continue
                if (method, path) in NOT_JSON:
                    assert "application/json" not in answer.get("content", {})
                    continue
                json_schema = answer.get("content", {}).get("application/json")
                if json_schema is None or _free_form(spec, json_schema["schema"]):
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == []


def _as_sent(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def test_the_models_leave_the_builders_json_as_it_was(client, alice, bob):
    """The API answers exactly what the builders make: no field dropped,
    nulls kept, timestamps as the builders write them."""
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    root, _ = services.send_message(
        alice, conversation_id=direct.pk, body="hi", client_id="1"
    )
    services.add_reaction(bob, message_id=root.pk, emoji="👍")
    reply, _ = services.send_message(
        bob, conversation_id=direct.pk, body="yo", client_id="2", thread_id=root.pk
    )
    services.edit_message(bob, message_id=reply.pk, body="yo!")
    client.force_login(alice)

    (found,) = selectors.message_history(direct)
    page = client.get(f"/api/v1/conversations/{direct.pk}/messages").json()
    assert page == {
        "messages": [
            _as_sent({**events.message_data(found), "reply_count": 1}),
        ]
    }
    assert page["messages"][0]["edited_at"] is None
    assert page["messages"][0]["thread"] is None

    thread = client.get(f"/api/v1/messages/{root.pk}/thread").json()
    replies = selectors.thread_messages(found)
    assert thread == _as_sent(
        {
            "root": events.message_data(found),
            "replies": [events.message_data(m) for m in replies],
        }
    )
    assert thread["replies"][0]["edited_at"] is not None

    listing = client.get("/api/v1/conversations").json()
    summaries = selectors.conversation_summaries(alice)
    assert listing == _as_sent([s.as_dict() for s in summaries])

    events_page = client.get("/api/v1/events", {"since": 0}).json()
    assert set(events_page) == {"type", "events", "cursor", "more"}
    assert events_page["events"]
