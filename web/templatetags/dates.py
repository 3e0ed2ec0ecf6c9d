"""Dates and times as OpenMARAC writes them, in Europe/London time (see referrals/calendar.py). A builtin library
(config/settings/base.py), so templates use the filters without {% load %}. None gives "", so `|default:` works.

- `|deadline`: "17:00 on Friday 13 November 2026", after "by".
- `|meeting_time`: "Wednesday 25 November 2026 at 14:00", for a meeting or wherever the weekday helps.
- `|when`: "24 November 2026 at 14:00", for any other moment in prose or a summary list.

Table cells keep `|date:"j M Y H:i"` ("24 Nov 2026 14:00"), where width matters.
"""

from collections.abc import Callable
from datetime import datetime

from django import template

from referrals.calendar import format_meeting_time, format_moment, format_when

register = template.Library()


def _or_blank(writer: Callable[[datetime], str], moment: datetime | None) -> str:
    # A missing variable reaches a filter as "" (Django's string_if_invalid), so any blank gives "" like `|date`.
    return writer(moment) if moment else ""


@register.filter
def deadline(moment: datetime | None) -> str:
    return _or_blank(format_moment, moment)


@register.filter
def meeting_time(moment: datetime | None) -> str:
    return _or_blank(format_meeting_time, moment)


@register.filter
def when(moment: datetime | None) -> str:
    return _or_blank(format_when, moment)
