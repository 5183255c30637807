import tempfile
import uuid

import pytest
from django.test import override_settings

from tests.base import make_people


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Give each test a fresh cache (rate limits, …) without clearing it.

    cache.clear() on a Redis shared with the channel layer would also drop
    every socket's group membership; a new key prefix isolates just as well.
    """
    default = {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def _fresh_socket_budgets():
    """Socket budgets are a session's, in process memory: a test must not
    start with what an earlier test's person (the same id) spent."""
    from intranet import budgets

    budgets._by_session.clear()


@pytest.fixture(autouse=True, scope="session")
def _temporary_media_root():
    """Keep uploads of the whole run in a temporary folder, not the repo.

    Session-wide, so the Daphne process browser tests fork sees it too.
    """
    with (
        tempfile.TemporaryDirectory(prefix="canteen-media-") as media,
        override_settings(MEDIA_ROOT=media),
    ):
        yield media


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture
def alice(people):
    return people["alice"]


@pytest.fixture
def bob(people):
    return people["bob"]


@pytest.fixture
def carol(people):
    return people["carol"]
