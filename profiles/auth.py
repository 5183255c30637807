"""How REST callers sign in: the browser's session or a personal token
(settings.API_AUTHENTICATION names these for the kernel's API)."""

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from profiles.models import APIToken
from profiles.selectors import get_active_token
from profiles.services import record_token_use


class SessionAuth(APIKeyCookie):
    """The browser's session cookie (CSRF checked on unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
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
