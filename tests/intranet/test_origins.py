"""The socket opens only from the site's own origins: scheme, host and port.

Through the real ASGI application, as a browser on another page would try.
"""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from intranet.asgi import application
from tests.base import make_people, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


_session_key: list[str] = []


@pytest.fixture(autouse=True)
def signed_in(transactional_db):
    _session_key[:] = [session_cookie_for(make_people()["alice"])]


async def opens(origin: str | None, host: str = "localhost", **headers: str) -> bool:
    """Whether alice's socket from `origin` to `host` opens and says hello."""
    session_key = _session_key[0]
    sent = [
        (b"host", host.encode()),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()),
    ]
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    sent += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    communicator = WebsocketCommunicator(application, "/ws/", headers=sent)
    connected, _ = await communicator.connect()
    if connected:
        hello = await communicator.receive_json_from()
        assert hello["type"] == "hello"
    await communicator.disconnect()
    return connected


async def test_the_sites_own_origin_opens_the_socket():
    assert await opens("http://localhost") is True
    assert await opens("http://localhost:8000", host="localhost:8000") is True


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:1",  # another port on the same host
        "https://localhost",  # another scheme
        "http://localhost.evil.example",
        "null",  # a sandboxed frame, a file:// page, a data: URL
        "",
        None,  # no Origin header at all
    ],
)
async def test_any_other_origin_is_refused(origin):
    assert await opens(origin) is False


@override_settings(ALLOWED_HOSTS=[".example.com"])
async def test_a_subdomain_of_an_allowed_domain_is_not_the_site():
    assert await opens("http://canteen.example.com", "canteen.example.com") is True
    assert await opens("http://blog.example.com", "canteen.example.com") is False
    assert await opens("http://example.com", "canteen.example.com") is False


@override_settings(ALLOWED_HOSTS=["canteen.example.com"])
async def test_a_host_outside_allowed_hosts_is_refused_even_from_itself():
    assert await opens("http://evil.example", host="evil.example") is False


@override_settings(
    CSRF_TRUSTED_ORIGINS=["https://chat.example.com", "https://*.corp.example"]
)
async def test_csrf_trusted_origins_may_open_it_as_they_may_post_forms():
    assert await opens("https://chat.example.com") is True
    assert await opens("https://wiki.corp.example") is True
    assert await opens("http://chat.example.com") is False  # scheme
    assert await opens("https://chat.example.com:8443") is False  # port
    assert await opens("http://wiki.corp.example") is False


async def test_behind_a_tls_proxy_the_origin_is_https():
    # SECURE_PROXY_SSL_HEADER: the proxy says the browser used https.
    assert await opens("https://localhost", x_forwarded_proto="https") is True
    assert await opens("http://localhost", x_forwarded_proto="https") is False
