"""BD Emergency MARAC: "List at an emergency MARAC" at the time the ordinary MARAC meets is refused with a form error;
it never moves the case to that ordinary meeting (even a later one) and calls it an emergency MARAC. An emergency
MARAC already called for that time is used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Listing, Meeting
from meetings.series import meeting_days, meeting_start
from meetings.services import SERIES_ANCHOR
from referrals.calendar import LONDON, calendar_from_marac
from referrals.decisions import ORDINARY_MEETING_AT_THAT_TIME
from referrals.tests.test_decision_matching import submitted_referral

pytestmark = pytest.mark.django_db


def _accepted(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.meeting is not None and not referral.meeting.is_emergency
    return referral, desk


def _day_and_time(meeting: Meeting) -> dict[str, str]:
    local = timezone.localtime(meeting.starts_at, LONDON)
    return {"day": local.date().isoformat(), "at": local.strftime("%H:%M")}


def test_an_emergency_marac_at_the_time_of_a_later_ordinary_meeting_is_refused(client_for, referrer, coordinator):
    referral, desk = _accepted(client_for, referrer, coordinator)
    listed_at = referral.meeting
    later = (
        Meeting.objects.filter(marac=referral.marac, is_emergency=False, starts_at__gt=listed_at.starts_at)
        .order_by("starts_at")
        .first()
    )
    assert later is not None

    page = desk.post(f"/referrals/{referral.pk}/decision/emergency/", _day_and_time(later))

    assert page.status_code == 200
    text = page.content.decode()
    assert ORDINARY_MEETING_AT_THAT_TIME in text
    assert "govuk-error-summary" in text
    referral.refresh_from_db()
    assert referral.meeting_id == listed_at.pk
    assert "emergency" not in referral.listing_explanation
    assert Listing.objects.filter(case=referral.case, meeting=listed_at).exists()
    assert not Listing.objects.filter(case=referral.case, meeting=later).exists()
    later.refresh_from_db()
    assert not later.is_emergency


def test_the_ordinary_time_is_refused_even_before_the_series_is_in_the_diary(client_for, referrer, coordinator):
    """The diary holds the coming months of the series only; months ahead, the series still meets then."""
    referral, desk = _accepted(client_for, referrer, coordinator)
    marac = referral.marac
    far = timezone.localdate() + timedelta(days=200)
    days = meeting_days(
        frequency=marac.meeting_frequency, weekday=marac.meeting_weekday, anchor=SERIES_ANCHOR,
        start=far, end=far + timedelta(days=40), calendar=calendar_from_marac(marac),
    )  # fmt: skip
    ordinary = meeting_start(days[0], marac.meeting_start_time)
    assert not Meeting.objects.filter(marac=marac, starts_at=ordinary).exists()

    page = desk.post(
        f"/referrals/{referral.pk}/decision/emergency/",
        {"day": days[0].isoformat(), "at": ordinary.strftime("%H:%M"), "confirmed_day": days[0].isoformat()},
    )

    assert ORDINARY_MEETING_AT_THAT_TIME in page.content.decode()
    assert not Meeting.objects.filter(marac=marac, is_emergency=True).exists()
    referral.refresh_from_db()
    assert not referral.meeting.is_emergency

    # The same day at another time is an emergency MARAC.
    desk.post(
        f"/referrals/{referral.pk}/decision/emergency/",
        {"day": days[0].isoformat(), "at": "14:00", "confirmed_day": days[0].isoformat()},
    )
    referral.refresh_from_db()
    assert referral.meeting.is_emergency
    assert timezone.localtime(referral.meeting.starts_at, LONDON).date() == days[0]


def test_an_emergency_marac_already_called_for_that_time_is_used(client_for, referrer, coordinator):
    referral, desk = _accepted(client_for, referrer, coordinator)
    at = timezone.localtime(referral.meeting.starts_at, LONDON) - timedelta(days=1)
    at = at.replace(hour=14, minute=0)
    called = Meeting.objects.create(marac=referral.marac, starts_at=at, is_emergency=True)

    desk.post(f"/referrals/{referral.pk}/decision/emergency/", _day_and_time(called))

    referral.refresh_from_db()
    assert referral.meeting_id == called.pk
    assert Listing.objects.filter(case=referral.case, meeting=called).exists()
    assert Meeting.objects.filter(marac=referral.marac, starts_at=at).count() == 1
