import uuid

import pytest

from tests.base import make_people


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Give each test a fresh cache (rate limits, …) without clearing it.

    cache.clear() on a Redis shared with the channel layer would also drop
    every socket's group membership; a new key prefix isolates just as well.
    """
    default = {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}
    settings.CACHES = {**settings.CACHES, "default": default}


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
