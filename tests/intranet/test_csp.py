"""The Content-Security-Policy header on every kind of answer.

The browser side (no page breaks the policy) is tests/browser/test_csp.py.
"""

import pytest
from django.test import Client

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    # Previews of files being uploaded are blob: URLs.
    "img-src": {"'self'", "blob:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy(response) -> dict[str, set[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = set(sources)
    return directives


def assert_strict(directives: dict[str, set[str]], *, socket: str) -> None:
    for name, sources in STRICT.items():
        assert directives[name] == sources, (name, directives)
    # The socket of the page's own origin, and nothing else.
    assert directives["connect-src"] == {"'self'", socket}
    every = set().union(*directives.values())
    assert not every & {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/messages/",
        "/messages/new/",
        "/messages/search/?q=x",
        "/search/?q=x",
        "/people/",
        "/people/{me}/",
        "/settings/tokens/",
        "/api/v1/me",
        "/no-such-page/",
    ],
)
def test_every_answer_carries_the_strict_policy(client, alice, path):
    client.force_login(alice)
    response = client.get(path.format(me=alice.pk))
    assert response.status_code in (200, 404)
    assert_strict(policy(response), socket="ws://testserver")


def test_the_sign_in_page_and_a_redirect_carry_it_too(db):
    client = Client()
    for path in ("/accounts/login/", "/messages/"):
        assert_strict(policy(client.get(path)), socket="ws://testserver")


def test_over_https_the_socket_source_is_wss(client, alice, settings):
    client.force_login(alice)
    response = client.get("/", secure=True, headers={"host": "localhost:8443"})
    assert_strict(policy(response), socket="wss://localhost:8443")


def test_a_foreign_host_gets_its_400_without_a_socket_source(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    directives = policy(response)
    assert directives["connect-src"] == {"'self'"}
    assert directives["script-src"] == {"'self'"}


def test_only_the_api_docs_allow_data_images_and_inline_styles(client, alice):
    # Redoc draws its icons as data: images and writes its styles inline;
    # its scripts still come from the site alone.
    client.force_login(alice)
    directives = policy(client.get("/api/v1/docs"))
    assert directives["img-src"] == {"'self'", "blob:", "data:"}
    assert directives["script-src"] == {"'self'"}
    assert directives["style-src"] == {"'self'", "'unsafe-inline'"}
