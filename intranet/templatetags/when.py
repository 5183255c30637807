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
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _viewer_zone(user: object) -> datetime.tzinfo:
    name = getattr(user, "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def describe(value: datetime.datetime, now: datetime.datetime) -> str:
    """Return `value` by the rule, both in the same time zone."""
    day = value.date()
    clock = date_format(value, "H:i")
    if day == now.date():
        return clock
    if day == now.date() - datetime.timedelta(days=1):
        return f"Yesterday {clock}"
    return date_format(value, "j M" if day.year == now.year else "j M Y")


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
    return format_html(
        '<time datetime="{}" data-when title="{}">{}</time>',
        value.isoformat(),
        date_format(local, "l j F Y, H:i T"),
        describe(local, timezone.now().astimezone(zone)),
    )
