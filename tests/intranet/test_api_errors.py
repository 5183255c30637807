"""Every API answer is JSON, an outage's and a bug's included."""

from unittest import mock

from django.db import OperationalError

from messaging import services

CURSOR = "django.db.backends.base.base.BaseDatabaseWrapper.cursor"


def test_a_database_outage_is_a_503_with_retry_after(client, alice, bob):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    client.force_login(alice)
    url = f"/api/v1/conversations/{direct.pk}/messages"
    with mock.patch(CURSOR, side_effect=OperationalError("connection refused")):
        response = client.post(
            url, {"body": "hi", "client_id": "c1"}, content_type="application/json"
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
    assert "database" in response.json()["error"]
    # The same request succeeds once the database answers.
    response = client.post(
        url, {"body": "hi", "client_id": "c1"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_a_bug_is_a_json_500_and_its_traceback_is_logged(client, alice, caplog):
    client.force_login(alice)
    with mock.patch(CURSOR, side_effect=RuntimeError("a bug")):
        response = client.get("/api/v1/conversations")
    assert response.status_code == 500
    assert response.json() == {
        "error": "Something went wrong on our side.",
        "code": "server_error",
    }
    (record,) = [r for r in caplog.records if r.name == "intranet.api"]
    assert record.exc_info is not None
    assert "a bug" in str(record.exc_info[1])
