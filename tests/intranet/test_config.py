"""Configuration: bad values stop start-up with one clear line, and the
production configuration passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer
from channels_redis.utils import create_pool

from intranet.settings import channel_layer_from_url

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
    "DATABASE_URL": "postgres://canteen@127.0.0.1:5432/canteen",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "canteen.example.com",
    "TASKS_BACKEND": "database",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "DEBUG",
                "SECRET_KEY",
                "DATABASE_URL",
                "REDIS_URL",
                "CHANNELS_URL",
                "CACHE_URL",
                "ALLOWED_HOSTS",
                "TASKS_BACKEND",
                "SESSION_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE",
            )
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "mysqlish:/nowhere"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"CHANNELS_URL": "kafka://broker"}, "CHANNELS_URL"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND"),
        ({"LOGIN_FAILURES_PER_ADDRESS": "0"}, "LOGIN_FAILURES_PER_ADDRESS"),
        ({"LOGIN_FAILURES_WINDOW_SECONDS": "5m"}, "LOGIN_FAILURES_WINDOW_SECONDS"),
        ({"SESSION_COOKIE_SECURE": "sometimes"}, "SESSION_COOKIE_SECURE"),
    ],
)
def test_bad_configuration_stops_with_one_clear_line(env, names):
    result = manage("check", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Canteen cannot start: ")
    assert names in lines[0]
    assert "set" in lines[0]
    assert "Traceback" not in result.stderr


def test_asgi_entry_point_reports_bad_configuration_the_same_way():
    result = subprocess.run(
        [sys.executable, "-c", "import intranet.asgi"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SECRET_KEY" in result.stderr


def test_sign_in_limits_come_from_the_environment():
    show = "from django.conf import settings; print(settings.ACCOUNT_RATE_LIMITS)"
    result = manage("shell", "-c", show)
    assert result.returncode == 0, result.stderr
    assert "'login': '120/m/ip'" in result.stdout
    assert "'login_failed': '5/300s/key,100/300s/ip'" in result.stdout
    result = manage(
        "shell",
        "-c",
        show,
        LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS="3",
        LOGIN_FAILURES_PER_ADDRESS="500",
        LOGIN_FAILURES_WINDOW_SECONDS="900",
        LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="600",
    )
    assert result.returncode == 0, result.stderr
    assert "'login': '600/m/ip'" in result.stdout
    assert "'login_failed': '3/900s/key,500/900s/ip'" in result.stdout


def test_production_configuration_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_cookies_sent_over_plain_http_are_an_explicit_choice_the_check_names():
    # Secure by default with DEBUG=0 (the deploy check above passes); a
    # company serving plain HTTP inside its network opts out, and is told.
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "SESSION_COOKIE_SECURE" in output
    assert "CSRF_COOKIE_SECURE" in output


def test_the_embedded_default_is_not_fit_to_deploy():
    # Proof that the deploy check above can fail: DEBUG on, the dev key.
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("url", "read_timeout"),
    [
        ("redis://127.0.0.1:6379/0", 15),
        ("redis://127.0.0.1:6379/0?socket_timeout=30", 30),
    ],
)
def test_the_redis_layer_reads_longer_than_it_blocks(url, read_timeout):
    # Otherwise redis-py's default read timeout (5 s) races channels_redis's
    # 5 s BZPOPMIN and a busy process drops its own channel layer.
    layer = RedisChannelLayer(**channel_layer_from_url(url)["CONFIG"])
    pool = create_pool(layer.hosts[0])
    assert pool.connection_kwargs["socket_timeout"] == read_timeout
    assert read_timeout > layer.brpop_timeout


def test_the_server_skips_autobahns_per_connection_debug_formatting():
    from autobahn.websocket import protocol

    import intranet.asgi  # noqa: F401 - sets the server up

    assert protocol.pformat is repr
