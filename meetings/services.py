from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from marac.models import Marac
from meetings.models import Meeting
from meetings.series import meeting_days, meeting_start
from referrals.calendar import calendar_from_marac

# A known first meeting for each series; a MARAC's own anchor becomes configurable with the meetings issue.
SERIES_ANCHOR = date(2026, 1, 6)


def is_ordinary_meeting_time(*, marac: Marac, starts_at: datetime) -> bool:
    """Whether the MARAC's ordinary series meets at `starts_at`, however far ahead and whether or not that meeting is
    in the diary yet. An emergency MARAC is never called at that time: only one meeting is held at a time
    (Meeting's one_meeting_at_a_time), and the series' meeting must not be lost to it."""
    day = timezone.localtime(starts_at).date()
    calendar = calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
    # From weeks before: a meeting moved off a bank holiday or closure days lands days after its own day.
    days = meeting_days(
        frequency=marac.meeting_frequency,
        weekday=marac.meeting_weekday,
        anchor=SERIES_ANCHOR,
        start=day - timedelta(days=40),
        end=day,
        calendar=calendar,
    )
    at = marac.meeting_start_time
    at = time.fromisoformat(at) if isinstance(at, str) else at  # a MARAC made in code, not yet read back
    return any(meeting_start(series_day, at) == starts_at for series_day in days)


def meetings_ensure_ahead(*, marac: Marac, start: date | None = None, days_ahead: int = 120) -> list[Meeting]:
    """Make sure the MARAC's ordinary meetings exist for the coming months; return its ordinary meetings from `start`
    on. Emergency meetings are left out: each is called for a case that cannot wait (BD Emergency MARAC), and only
    that route lists a case at one, so they are never candidates for an ordinary listing."""
    start = start or timezone.localdate()
    calendar = calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
    days = meeting_days(
        frequency=marac.meeting_frequency, weekday=marac.meeting_weekday, anchor=SERIES_ANCHOR,
        start=start, end=start + timedelta(days=days_ahead), calendar=calendar,
    )  # fmt: skip
    with transaction.atomic():
        for day in days:
            Meeting.objects.get_or_create(marac=marac, starts_at=meeting_start(day, marac.meeting_start_time))
    return list(Meeting.objects.filter(marac=marac, starts_at__date__gte=start, is_emergency=False))
