"""{% when %}: the server's fallback text follows the browser's rule
(frontend/js/dates.js), in the viewer's profile time zone."""

import datetime
import zoneinfo

from django.template import Context, Template

from intranet.templatetags.when import describe

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_today_yesterday_and_older_dates_follow_one_rule():
    now = datetime.datetime(2026, 12, 6, 9, 30, tzinfo=BERLIN)
    assert describe(now.replace(hour=8, minute=5), now) == "08:05"
    assert describe(now - datetime.timedelta(days=1), now) == "Yesterday 09:30"
    assert describe(now - datetime.timedelta(days=2), now) == "4 Dec"
    assert describe(now - datetime.timedelta(days=400), now) == "1 Nov 2025"


def test_the_tag_writes_a_time_element_in_the_viewers_zone():
    class Viewer:
        time_zone = "Europe/Berlin"

    template = Template("{% load when %}{% when value %}")
    at = datetime.datetime(2021, 3, 3, 23, 30, tzinfo=datetime.UTC)
    html = template.render(Context({"value": at, "user": Viewer()}))
    assert html == (
        '<time datetime="2021-03-03T23:30:00+00:00" data-when '
        'title="Thursday 4 March 2021, 00:30 CET">4 Mar 2021</time>'
    )
    day = template.render(Context({"value": datetime.date(2021, 3, 3)}))
    assert day == (
        '<time datetime="2021-03-03" data-when="date" '
        'title="Wednesday 3 March 2021">3 Mar 2021</time>'
    )
    assert template.render(Context({"value": None})) == ""


def test_the_spelled_out_formats_equal_djangos_every_month_weekday_and_hour():
    from django.utils.dateformat import format as date_format

    from intranet.templatetags.when import _clock, _day, _full

    start = datetime.datetime(2026, 1, 1, 0, 7, tzinfo=BERLIN)
    for hours in range(0, 24 * 400, 7):  # every month, weekday and hour
        value = start + datetime.timedelta(hours=hours)
        assert _clock(value) == date_format(value, "H:i")
        assert _day(value.date(), year=False) == date_format(value, "j M")
        assert _day(value.date(), year=True) == date_format(value, "j M Y")
        assert _full(value) == date_format(value, "l j F Y, H:i T")
