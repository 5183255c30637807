"""{% when value %}: a date or time, one rule everywhere.

Renders `<time datetime="ISO" data-when title="full">text</time>`. The
browser rewrites the text and the title in the viewer's own language and
time zone (frontend/js/dates.js); the text here is what shows without
JavaScript, by the same rule, in the viewer's profile time zone: the time
for today ("14:05"), "Yesterday 14:05", otherwise the date ("6 Dec", with
the year when it is not this one). A date without a time (a start date)
is always a date.
"""

import datetime
import functools
import zoneinfo
from typing import NamedTuple

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


def _viewer_zone(user: object) -> datetime.tzinfo:
    name = getattr(user, "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


# Django's date formats "H:i", "j M", "j M Y" and "l j F Y, H:i T", spelled
# out: a page draws fifty of these, and the format parser took most of the
# time (tests/intranet/test_when.py holds them equal to Django's).


class _Names(NamedTuple):
    weekdays: list[str]
    months: list[str]
    short_months: list[str]


@functools.cache
def _names(language: str | None) -> _Names:
    """The day and month names in `language`, translated once."""
    return _Names(
        [str(WEEKDAYS[n]) for n in range(7)],
        ["", *(str(MONTHS[n]) for n in range(1, 13))],
        ["", *(str(MONTHS_3[n]).title() for n in range(1, 13))],
    )


def _clock(value: datetime.datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _day(value: datetime.date, *, year: bool) -> str:
    text = f"{value.day} {_names(get_language()).short_months[value.month]}"
    return f"{text} {value.year}" if year else text


def _full(value: datetime.datetime) -> str:
    names = _names(get_language())
    return (
        f"{names.weekdays[value.weekday()]} {value.day} {names.months[value.month]} "
        f"{value.year}, {_clock(value)} {value.tzname()}"
    )


def describe(value: datetime.datetime, now: datetime.datetime) -> str:
    """Return `value` by the rule, both in the same time zone."""
    day = value.date()
    clock = _clock(value)
    if day == now.date():
        return clock
    if day == now.date() - datetime.timedelta(days=1):
        return f"Yesterday {clock}"
    return _day(day, year=day.year != now.year)


@register.simple_tag(takes_context=True)
def when(context: template.Context, value: datetime.date | None) -> SafeString:
    return time_element(value, context.get("user"))


def time_element(value: datetime.date | None, viewer: object) -> SafeString:
    """The tag's <time>, for `viewer` (a user, or None: UTC); Jinja2
    partials call it as `when(value, user)`."""
    if value is None:
        return mark_safe("")
    if not isinstance(value, datetime.datetime):
        return format_html(
            '<time datetime="{}" data-when="date" title="{}">{}</time>',
            value.isoformat(),
            date_format(value, "l j F Y"),
            date_format(value, "j M Y"),
        )
    zone = _viewer_zone(viewer)
    local = value.astimezone(zone)
    # Not format_html: it took a third of the time. An ISO date needs no
    # escaping; the names are translations, escaped.
    title = escape(_full(local))
    text = escape(describe(local, timezone.now().astimezone(zone)))
    return mark_safe(  # noqa: S308
        f'<time datetime="{value.isoformat()}" data-when title="{title}">{text}</time>'
    )
