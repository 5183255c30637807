"""Template helpers for showing people: {% load people %}."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from profiles.models import User
from profiles.selectors import photo_url

register = template.Library()


def _span(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.simple_tag
def time_apart(person: User, viewer: User) -> str:
    """Return how far `person`'s clock is from `viewer`'s, in words:
    "3 hours ahead of you", "5 hours 30 minutes behind you", "same time
    as you"."""
    theirs = person.local_time().utcoffset()
    mine = viewer.local_time().utcoffset()
    assert theirs is not None and mine is not None  # both are aware
    minutes = round((theirs - mine).total_seconds() / 60)
    if minutes == 0:
        return "same time as you"
    direction = "ahead of" if minutes > 0 else "behind"
    return f"{_span(abs(minutes))} {direction} you"


@register.simple_tag
def avatar(person: User, size: str = "") -> SafeString:
    """Return `person`'s photo, or their initials where they have none.

    Decorative either way (the name is always beside it): alt="" and
    aria-hidden. `size` is "" (the 2.25rem avatar), "small" or "large".
    """
    classes = f"avatar avatar-{size}" if size else "avatar"
    url = photo_url(person, "large" if size == "large" else "small")
    if url is None:
        return format_html(
            '<span class="{}" aria-hidden="true">{}</span>', classes, person.initials
        )
    return format_html(
        '<img class="{} avatar-photo" src="{}" alt="" aria-hidden="true">',
        classes,
        url,
    )


@register.simple_tag
def custom_status(person: User) -> SafeString:
    """Return `person`'s custom status while it lasts, else its empty,
    hidden place: frontend/js/custom-status.js fills either when
    `status.changed` comes, and draws it the same way."""
    status = person.status_now
    if status is None:
        return format_html(
            '<span class="custom-status" data-status-of="{}" hidden></span>',
            person.pk,
        )
    emoji, text = status
    return format_html(
        '<span class="custom-status" data-status-of="{}" title="{}">{}{}</span>',
        person.pk,
        text or emoji,
        format_html('<span aria-hidden="true">{}</span> ', emoji) if emoji else "",
        text or format_html('<span class="visually-hidden">status</span>'),
    )
