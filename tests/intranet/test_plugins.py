"""The kernel knows no feature: apps plug streams and commands into it."""

import ast
import importlib
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from intranet import plugins
from testkit.sockets import next_event, signed_in_socket
from tests.base import make_people

FEATURE_APPS = {"profiles", "messaging", "feeds", "frontend"}


def test_no_kernel_module_imports_a_feature_app():
    kernel = Path(__file__).resolve().parents[2] / "intranet"
    offenders = []
    for path in kernel.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name.split(".")[0] in FEATURE_APPS:
                    offenders.append(f"{path.relative_to(kernel)}: {name}")
    assert offenders == []


@pytest.fixture
def noticeboard(monkeypatch):
    """Plug the test app in for one test, as autodiscovery would."""
    monkeypatch.setattr(plugins, "_commands", dict(plugins._commands))
    monkeypatch.setattr(plugins, "_stream_sources", list(plugins._stream_sources))
    # Imported afresh, it registers into the patched registry.
    monkeypatch.delitem(sys.modules, "tests.plugin_app.realtime", raising=False)
    return importlib.import_module("tests.plugin_app.realtime")


@pytest.mark.django_db(transaction=True)
async def test_a_plugged_in_stream_is_live_and_caught_up_after_a_reconnect(
    noticeboard,
):
    people = await database_sync_to_async(make_people)()
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    poster, reader, outsider = (
        await signed_in_socket(alice),
        await signed_in_socket(bob),
        await signed_in_socket(carol),
    )

    await poster.send_json_to({"type": "notice.post", "text": "Lunch at noon"})
    ack = await next_event(poster, "notice.ack")
    live = await next_event(reader, "notice.posted")
    assert live == {
        "type": "notice.posted",
        "text": "Lunch at noon",
        "cursor": ack["cursor"],
    }
    assert await outsider.receive_nothing(timeout=0.3)

    # The outsider can neither post nor catch up on the board.
    await outsider.send_json_to({"type": "notice.post", "text": "hi", "client_id": "x"})
    error = await next_event(outsider, "error")
    assert (error["code"], error["client_id"]) == ("not_found", "x")
    await outsider.send_json_to({"type": "sync", "since": 0})
    assert (await next_event(outsider, "sync.batch"))["events"] == []

    # The reader goes away; two notices are posted; it comes back with its
    # cursor in the URL and is caught up without asking.
    await reader.disconnect()
    for text in ("Fire drill at 3", "Cake in the kitchen"):
        await poster.send_json_to({"type": "notice.post", "text": text})
        await next_event(poster, "notice.ack")
    back = await signed_in_socket(
        bob, path=f"/ws/?since={ack['cursor']}&seen={ack['cursor']}"
    )
    batch = await next_event(back, "sync.batch")
    assert [e["text"] for e in batch["events"]] == [
        "Fire drill at 3",
        "Cake in the kitchen",
    ]
    assert batch["more"] is False

    # Its budget is its own: a burst of 3, then rate_limited.
    for _ in range(3):
        await poster.send_json_to({"type": "notice.post", "text": "spam"})
    error = await next_event(poster, "error")
    assert error["code"] == "rate_limited"
    assert error["retry_after"] >= 1
    for ws in (poster, back, outsider):
        await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_failing_handler_answers_an_error_and_keeps_the_socket(
    noticeboard, caplog
):
    people = await database_sync_to_async(make_people)()
    ws = await signed_in_socket(people["alice"])
    await ws.send_json_to({"type": "notice.fail", "client_id": "c1"})
    error = await next_event(ws, "error")
    assert (error["code"], error["client_id"]) == ("server_error", "c1")
    assert "server closed the connection" in caplog.text  # logged, traceback too
    # Still open, still served.
    await ws.send_json_to({"type": "ping"})
    assert (await next_event(ws, "pong")) == {"type": "pong"}
    await ws.disconnect()


@pytest.mark.django_db
def test_every_apps_streams_come_in_one_statement_per_thousand_users(
    django_assert_num_queries,
):
    from messaging import services

    people = make_people()
    alice = people["alice"]
    group = services.create_group(alice, title="Lunch", member_ids=[people["bob"].pk])
    # Ids of nobody pad the list past two chunks: the statement is bound
    # per chunk, whatever the database's limit on bound values.
    asked = [alice.pk, *range(10**6, 10**6 + 2 * plugins.USERS_PER_QUERY)]
    with django_assert_num_queries(3):
        found = plugins.streams_by_user(asked)
    assert set(found) == set(asked)
    assert found[alice.pk] == plugins.streams_of(alice.pk)
    assert f"conversation.{group.pk}" in found[alice.pk]
    assert found[10**6] == {plugins.user_stream(10**6)}
