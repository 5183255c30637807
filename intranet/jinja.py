"""Jinja2, for the partials a page draws dozens of times (feed cards).

Pages are Django templates. A feed page draws 20 post cards with their
comments, and Django's engine spent most of the page's time on them (21 ms
of CPU for 20 cards); Jinja2 compiles a template to Python and draws the
same cards in a fraction of it. Pages call a Jinja2 partial with
`{% jinja "feeds/cards.html" … %}` (intranet/templatetags/jinja.py).

The environment gives the Django idioms the partials use: the `date` and
`filesizeformat` filters (Django's own, in the current time zone),
`link(name, *ids)` for URLs by ids, `when(value, user)` for a date by the
one rule ({% when %}), and what apps offer with `@jinja_global`
(intranet.plugins: a presence dot, a badge count).
"""

from datetime import datetime
from typing import Any

from django.template.defaultfilters import date as django_date
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from jinja2 import Environment

from intranet import plugins
from intranet.links import link
from intranet.templatetags.when import time_element


def date(value: datetime | None, format_string: str) -> str:
    """Django's `date` filter, in the current time zone as in a template."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return django_date(value, format_string)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.filters.update(date=date, filesizeformat=filesizeformat)
    env.globals.update(link=link, when=time_element, **plugins.jinja_globals())
    return env
