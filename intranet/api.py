"""REST API v1 with django-ninja.

OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs (bundled Swagger UI, no
CDN). Browsers use their session (unsafe methods need the CSRF token); bots
and scripts send `Authorization: Bearer cnt_…` personal tokens. Every error
answers JSON `{"error": "…"}`.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from intranet.errors import RateLimited, ServiceError
from intranet.validation import InvalidInput, decode_json
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


class Error(Schema):
    error: str


class Invalid(Schema):
    """A request that does not fit its schema (422): `detail` lists each
    field that does not, pydantic's way."""

    error: str
    detail: list[dict[str, Any]]


class JSONParser(Parser):
    """Decode bodies as the socket decodes frames (intranet.validation):
    bounded in depth and every string valid text, else a 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return decode_json(request.body)


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse with 403 unless the caller's token carries `scope`."""
    if scope not in getattr(request, "api_scopes", set()):
        raise HttpError(403, f"This token lacks the {scope!r} scope.")


api = NinjaAPI(
    title="Canteen API",
    version="1",
    description='Canteen\'s REST API. Errors answer JSON: {"error": "…"}.',
    urls_namespace="api-v1",
    parser=JSONParser(),
    auth=[SessionAuth(), TokenAuth()],
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request,
        {"error": "Sign in or send a valid API token (Authorization: Bearer …)."},
        status=401,
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja wraps what JSONParser refuses as "Cannot parse request body";
    # the refusal itself says what to fix.
    cause = exc.__cause__
    message = str(cause) if isinstance(cause, InvalidInput) else str(exc)
    return api.create_response(request, {"error": message}, status=exc.status_code)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    response = api.create_response(
        request, {"error": exc.message, "code": exc.code}, status=exc.status
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return api.create_response(request, {"error": str(exc) or "Not found."}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return api.create_response(
        request,
        {"error": "The request is not valid.", "detail": exc.errors},
        status=422,
    )


api.add_router("/", "profiles.api.router")
api.add_router("/", "messaging.api.router")
