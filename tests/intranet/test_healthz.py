from unittest import mock

from django.db import OperationalError

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
