"""schemathesis fuzzes every operation of the real OpenAPI schema
(/api/v1/openapi.json), signed in as a member of a direct and a group
conversation: no input may get a 5xx. A fixed seed and a bounded number of
examples keep it the same run every time, and quick."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from feeds import services as feeds
from messaging import services
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
