"""Shared by the pages' writes, plain forms: where to go back to, and the
fields read from the form."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from intranet.errors import ServiceError
from intranet.validation import is_text
from profiles.types import AuthedRequest


def back(request: AuthedRequest, fallback: str) -> HttpResponseRedirect:
    """Go back where the form said (a page of ours), else to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def text_field(request: AuthedRequest, name: str) -> str:
    value = request.POST.get(name, "")
    if not is_text(value):
        raise ServiceError("invalid", "Text must not contain NUL characters.")
    return value


def emoji_field(request: AuthedRequest) -> str:
    """A quick emoji's button, or the one typed in the "other" box."""
    emoji = text_field(request, "emoji").strip() or text_field(request, "other")
    if not emoji.strip():
        raise ServiceError("invalid", "Choose or type an emoji.")
    return emoji
