from django.http import HttpRequest

from profiles.models import User


class AuthedRequest(HttpRequest):
    """A request that got past sign-in (LoginRequiredMiddleware or API auth)."""

    user: User  # type: ignore[assignment]
