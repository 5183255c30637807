import pytest

from tests.base import make_people


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
