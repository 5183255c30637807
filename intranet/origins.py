"""Accept a socket only from the site's own origins.

A browser sends the session cookie with a socket opened by any page, so the
Origin header is all that tells Canteen's own pages from another site's.
Channels' AllowedHostsOriginValidator compares host names only: a page on
another port or scheme of the same host, or on any subdomain of a
".example.com" entry, passed it. This applies the rule CSRF applies to
forms (django.middleware.csrf.CsrfViewMiddleware): the Origin must be the
request's own scheme://host[:port], as Django sees it behind a proxy too
(SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST, USE_X_FORWARDED_PORT), or
one of CSRF_TRUSTED_ORIGINS ("https://*.example.com" for subdomains).
"""

import io
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.utils.http import is_same_domain

logger = logging.getLogger(__name__)


def own_origin_refusal(scope: dict[str, Any]) -> str | None:
    """Return why the socket in `scope` is not from the site's own
    origins, or None when it is."""
    request = _request_for(scope)
    origin = request.headers.get("origin")
    if not origin:
        return "no Origin header"
    try:
        host = request.get_host()
    except DisallowedHost:
        return "a Host not in ALLOWED_HOSTS"
    if origin == f"{request.scheme}://{host}":
        return None
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in trusted:
        return None
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return "a malformed Origin"
    for entry in trusted:
        if "*" not in entry:
            continue
        pattern = urlsplit(entry)
        if parsed.scheme == pattern.scheme and is_same_domain(
            parsed.netloc, pattern.netloc.lstrip("*")
        ):
            return None
    return f"another origin than {request.scheme}://{host} or CSRF_TRUSTED_ORIGINS"


def _request_for(scope: dict[str, Any]) -> ASGIRequest:
    # Django's own request reads Host and the proxy headers exactly as it
    # does for a page. A socket's scheme is ws/wss (Daphne sends none).
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return ASGIRequest({**scope, "method": "GET", "scheme": scheme}, io.BytesIO())


class OwnOriginMiddleware:
    """Refuse (HTTP 403 at the handshake) a socket from any other origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            refusal = own_origin_refusal(scope)
            if refusal is not None:
                logger.warning(
                    "Refused a socket from %r: %s.",
                    dict(scope["headers"]).get(b"origin", b"").decode("latin1"),
                    refusal,
                )
                return await _refuse(receive, send)
        return await self.application(scope, receive, send)


async def _refuse(receive, send) -> None:
    # A close before the accept makes the server answer the handshake with
    # 403; no consumer (and no channel-layer channel) is ever made.
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close"})
