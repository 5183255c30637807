import socket
import threading
from unittest import mock

from django.db import OperationalError

from intranet import health
from tests.base import free_port


def test_healthz_is_ok_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "channel_layer": {"status": "ok"}},
    }


def test_healthz_names_a_dead_channel_layer(client, db, settings):
    # A Redis that is not there: a port nothing listens on.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["channel_layer"]
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["channel_layer"]["status"] == "fail"
    assert body["checks"]["channel_layer"]["error"]


def test_healthz_names_a_dead_database(client, db):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert "connection refused" in body["checks"]["database"]["error"]


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_in_time_when_redis_and_the_database_hang(client, db, settings):
    """A frozen Redis and a frozen database raise nothing; /healthz still
    answers within its deadline, naming both."""
    with socket.socket() as frozen_redis:  # accepts, never answers
        frozen_redis.bind(("127.0.0.1", 0))
        frozen_redis.listen(10)
        port = frozen_redis.getsockname()[1]
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
            }
        }
        released = threading.Event()
        with mock.patch(
            "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
            side_effect=lambda: released.wait(30) and None,
        ):
            try:
                response = client.get("/healthz")
            finally:
                released.set()
                health._database_probe.exception(timeout=30)  # type: ignore[union-attr]
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database", "channel_layer"]
    within = f"no answer within {health.DEADLINE_SECONDS:g} s"
    assert body["checks"]["database"]["error"] == within
    assert body["checks"]["channel_layer"]["error"] == within
