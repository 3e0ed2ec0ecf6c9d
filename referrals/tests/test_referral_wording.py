"""How a referral's progress and answers read: meetings by their day and time (never the record's own name), the
emergency MARAC's day before its time, and dates as GOV.UK writes them ("27 March 1990")."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from referrals.calendar import LONDON, WorkingCalendar, format_day, format_meeting_time, is_working_day
from referrals.sections import SECTIONS_BY_SLUG, readable
from referrals.tests.test_decision_matching import submitted_referral

pytestmark = pytest.mark.django_db


def test_the_referrer_reads_the_meeting_by_its_day_and_time(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)  # today: a fixed day would miss meetings that have started
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    meeting = referral.meeting.starts_at.astimezone(LONDON)

    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()

    # The MARAC meets on Tuesdays at 09:30: "Tuesday 5 January 2027 at 09:30".
    assert f"Tuesday {meeting.day} {meeting:%B %Y} at 09:30" in page
    iso = meeting.date().isoformat()
    assert f"Meeting {iso}" not in page and f"{iso} 09:30" not in page


def test_an_emergency_listing_reads_day_first_on_both_pages(client_for, referrer, coordinator, marac):
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    ahead = [timezone.localdate() + timedelta(days=offset) for offset in range(1, 15)]
    day = next(day for day in ahead if is_working_day(day, WorkingCalendar()))

    desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"})

    status = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()
    decision = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    when = f"{format_day(day)} at 14:00"
    assert f"An emergency MARAC on {when}" in status
    assert f"Listed at an emergency MARAC on {when}." in status
    assert f"Listed for an emergency MARAC on {when}" in decision
    assert "on 14:00 on" not in status + decision
    assert "Emergency meeting 20" not in status


def test_the_decision_page_writes_dates_as_gov_uk_does(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)  # the victim was born on 1991-04-03

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "3 April 1991" in page
    assert "1991-04-03" not in page


def test_a_date_typed_with_slashes_reads_the_same_and_a_wrong_one_reads_as_typed():
    victim = SECTIONS_BY_SLUG["victim"]

    typed = dict(readable(victim, {"date_of_birth": "27/3/1990"}, questions=[]))
    wrong = dict(readable(victim, {"date_of_birth": "31/2/1990"}, questions=[]))

    assert typed == {"Date of birth": "27 March 1990"}
    assert wrong == {"Date of birth": "31/2/1990"}


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)))
def test_any_stored_date_reads_as_day_month_and_year(day):
    rows = dict(readable(SECTIONS_BY_SLUG["victim"], {"date_of_birth": day.isoformat()}, questions=[]))

    assert rows["Date of birth"] == f"{day.day} {day:%B} {day.year}"


# Hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(LONDON))  # noqa: DTZ001


@given(moment=moments)
def test_a_meeting_time_is_its_london_day_then_its_time(moment):
    local = moment.astimezone(LONDON)

    words = format_meeting_time(moment)

    assert words == f"{format_day(local.date())} at {local.time().replace(second=0, microsecond=0):%H:%M}"
    assert words.startswith(format_day(local.date())) and not words.startswith(f"{local:%H}")
    assert time.fromisoformat(words.rsplit(" at ", 1)[1]) == local.time().replace(second=0, microsecond=0)
