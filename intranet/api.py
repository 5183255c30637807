"""REST API v1 with django-ninja.

OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs (bundled Redoc, no
CDN). Browsers use their session (unsafe methods need the CSRF token); bots
and scripts send `Authorization: Bearer cnt_…` personal tokens. Every error
answers JSON `{"error": "…"}`.
How callers sign in belongs to profiles (profiles/auth.py).
"""

import logging
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import Field as PydanticField

from intranet import notifications as notices
from intranet import plugins, sync
from intranet.api_docs import APIReference
from intranet.errors import RateLimited, ServiceError
from intranet.ratelimit import take_token
from intranet.validation import (
    Cursor,
    Id,
    InvalidInput,
    Text,
    decode_json,
    parse_id_list,
)

logger = logging.getLogger(__name__)

# How soon a client should retry when the database does not answer: about
# the time a restart or a failover takes.
RETRY_UNAVAILABLE_SECONDS = 5


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


# What any app's endpoint may answer besides its results: 400 for a body
# that is not JSON (or nests too deep, or holds a text that is not Unicode)
# or a request a service refuses, 422 for one that does not fit the schema
# (an id past 64 bits included), and the usual refusals.
ERRORS: dict[int, type[Schema]] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    422: Invalid,
    429: Error,
}


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse with 403 unless the caller's token carries `scope`.

    The authentication classes set `request.api_scopes`: every scope for a
    browser session, a token's own for a token."""
    if scope not in getattr(request, "api_scopes", set()):
        raise HttpError(403, f"This token lacks the {scope!r} scope.")


api = NinjaAPI(
    title="Canteen API",
    version="1",
    description='Canteen\'s REST API. Errors answer JSON: {"error": "…"}.',
    urls_namespace="api-v1",
    parser=JSONParser(),
    # Who may call: API authentication belongs to the app that owns people
    # and tokens (settings.API_AUTHENTICATION).
    auth=[import_string(path)() for path in settings.API_AUTHENTICATION],
    docs=APIReference(),
    # Redoc writes its styles inline and draws its icons as data: images;
    # no page of Canteen's own needs either (intranet/csp.py). Its scripts
    # still come from 'self' alone.
    docs_decorator=csp_update({"img-src": ["data:"], "style-src": ["'unsafe-inline'"]}),
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


@api.get("/events", response={200: sync.SyncOut, **ERRORS})
def events(
    request: HttpRequest,
    since: Cursor,
    seen: Text = Query("", description="Comma-separated cursors already applied"),  # type: ignore[type-arg]
):
    """Stored events after cursor `since` in every stream you follow (what
    the socket's `sync` returns); `seen` names cursors at or below it the
    client has, as the socket's does."""
    require_scope(request, "read")
    try:
        applied = parse_id_list(seen)
    except InvalidInput:
        return Status(400, {"error": "seen must be comma-separated cursors."})
    if len(applied) > sync.SYNC_LOOKBACK:
        return Status(
            400, {"error": f"Name at most {sync.SYNC_LOOKBACK} seen cursors."}
        )
    take_token(
        "events",
        request.user.pk,  # type: ignore[arg-type]
        burst=sync.SYNC_BUDGET.burst,
        per_minute=int(sync.SYNC_BUDGET.per_second * 60),
    )
    streams = plugins.streams_of(request.user.pk)  # type: ignore[arg-type]
    return sync.events_since(streams, since, seen=applied).as_event()


class Actor(Schema):
    id: int
    name: str
    initials: str


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    actor: Actor | None
    created_at: str
    read: bool


class NotificationPage(Schema):
    notifications: list[NotificationOut]
    unread: int = PydanticField(description=f"Capped at {notices.UNREAD_CAP}.")
    next_before: int | None


class MarkReadIn(Schema):
    # None: every notification; else these.
    ids: list[Id] | None = PydanticField(default=None, max_length=500)


class MarkedOut(Schema):
    marked: int
    unread: int


@api.get(
    "/notifications",
    response={200: NotificationPage, 401: Error, 403: Error, 422: Invalid},
)
def list_notifications(request: HttpRequest, before: Id | None = None):
    """Your notifications, newest first, a page at a time."""
    require_scope(request, "read")
    user_id: int = request.user.pk  # type: ignore[assignment]
    page = notices.recent(user_id, before=before)
    return {
        "notifications": [notices.notification_data(n) for n in page],
        "unread": notices.unread_count(user_id),
        "next_before": page[-1].pk if len(page) == notices.PAGE else None,
    }


@api.post(
    "/notifications/read",
    response={200: MarkedOut, 400: Error, 401: Error, 403: Error, 422: Invalid},
)
def mark_notifications_read(request: HttpRequest, data: MarkReadIn):
    """Mark some notifications (`ids`) or all of them read; your other tabs
    hear `notification.read`."""
    require_scope(request, "write")
    user_id: int = request.user.pk  # type: ignore[assignment]
    marked = notices.mark_read(user_id, ids=data.ids)
    return {"marked": marked, "unread": notices.unread_count(user_id)}


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _unavailable(request, exc: Exception):
    # The database is down, restarting or out of connections: an outage,
    # not a bug, and a retry in a few seconds is the right answer.
    logger.warning("api: the database failed: %r", exc)
    response = api.create_response(
        request,
        {
            "error": "Canteen cannot reach its database. Try again in a moment.",
            "code": "unavailable",
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_UNAVAILABLE_SECONDS)
    return response


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    # Every API answer is JSON, a bug's too; the traceback goes to the log.
    logger.error("api: %s %s failed", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        {"error": "Something went wrong on our side.", "code": "server_error"},
        status=500,
    )


api.add_router("/", "profiles.api.router")
api.add_router("/", "messaging.api.router")
api.add_router("/", "feeds.api.router")
api.add_router("/", "onboarding.api.router")
api.add_router("/", "feeds.announcements_api.router")
api.add_router("/", "frontend.api.router")
