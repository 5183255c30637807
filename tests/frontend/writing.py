"""Posts and messages written for the search tests, as many as they like."""

import itertools
import uuid

import pytest

from feeds import services as feeds
from intranet import ratelimit
from messaging import services as messaging

_ids = itertools.count()


@pytest.fixture
def no_rate_limits(settings):
    """Search tests write more than a person may a minute."""
    settings.MESSAGE_SEND_BURST = 1000
    with ratelimit.exempt():
        yield


def post(author, space, body):
    return feeds.create_post(
        author, space_id=space.pk, body=body, client_id=f"w{next(_ids)}"
    )[0]


def say(sender, conversation, body):
    return messaging.send_message(
        sender, conversation_id=conversation.pk, body=body, client_id=uuid.uuid4().hex
    )[0]
