"""Errors services raise for bad requests; each path turns them into its own
shape: a 4xx JSON body for REST and pages, an `error` event on the socket.
Access failures are Http404 (never 403), so private things stay invisible.
"""


class ServiceError(Exception):
    """A request a service refuses, with a code and a sentence for people."""

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


class RateLimited(ServiceError):
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after
