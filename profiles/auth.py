"""How REST callers sign in: the browser's session or a personal token
(settings.API_AUTHENTICATION names these for the kernel's API).

CSRF protects the session cookie, which a browser adds to a forged request
by itself; a bearer token it never adds. So a request that carries the
session cookie is CSRF-checked whatever else it carries (a forging page may
add the attacker's own token) and, once checked, is the signed-in person; a
request without the cookie is a script and its token alone decides.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from profiles.models import APIToken
from profiles.selectors import get_active_token
from profiles.services import record_token_use


class SessionAuth(APIKeyCookie):
    """The browser's session cookie (CSRF checked on unsafe methods)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if cookie is None:
            return None  # a script: no cookie to forge with, no CSRF check
        # Raises 403 "CSRF check Failed" for a cookie without the token.
        super()._get_key(request)
        return cookie

    def authenticate(self, request: HttpRequest, key: str | None):
        if key is None:
            return None
        if request.user.is_authenticated and request.user.is_active:
            request.api_scopes = set(APIToken.Scope.values)  # type: ignore[attr-defined]
            return request.user
        return None


class TokenAuth(HttpBearer):
    """A personal API token: `Authorization: Bearer cnt_…`."""

    def authenticate(self, request: HttpRequest, token: str):
        found = get_active_token(token)
        if found is None:
            return None
        record_token_use(found)
        request.user = found.user
        request.api_scopes = set(found.scopes)  # type: ignore[attr-defined]
        return found.user
