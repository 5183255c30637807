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


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections_in_tests(django_db_setup):
    """Close each thread's connection after use while testing.

    Socket tests reach the database from asgiref's worker threads; with
    CONN_MAX_AGE those connections outlive the test and PostgreSQL then
    refuses to drop the test database ("being accessed by other users").
    """
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0
