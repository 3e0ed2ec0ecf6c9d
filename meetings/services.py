from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from marac.models import Marac
from meetings.models import Meeting
from meetings.series import meeting_days, meeting_start
from referrals.calendar import calendar_from_marac

# A known first meeting for each series; a MARAC's own anchor becomes configurable with the meetings issue.
SERIES_ANCHOR = date(2026, 1, 6)


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
