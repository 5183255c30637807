"""Template helpers for showing people: {% load people %}."""

from django import template

from profiles.models import User

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
