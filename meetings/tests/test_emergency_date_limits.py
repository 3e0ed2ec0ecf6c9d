"""An emergency MARAC's date is held to the same plausible range by the services as by the forms: an emergency is not
a year away, so 2099 for 2026 is a typing slip. Calling one from the agenda, and listing a referral at one, are
refused by the service whoever calls (a script, the API, a page) and even with a non-working day confirmed; the pages
show the same message as before."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings import agenda_services
from meetings.emergency_rules import emergency_date_error
from meetings.models import Meeting
from referrals import decisions
from referrals.models import ReferralStatus
from referrals.tests.test_referral_pages import _complete
from referrals.tests.test_referral_pages import referral as referral  # the fixture: a referrer's draft
from web.dates import EMERGENCY_MEETING_YEARS_AHEAD, FIRST_MARAC, years_after

TODAY = datetime.date(2026, 11, 24)
URL = "/meetings/emergency/new/"

# --- The rule: worked examples and property ---------------------------------------------------------------------------


def test_the_rule_names_a_day_more_than_a_year_ahead_as_the_form_does():
    assert emergency_date_error(datetime.date(2099, 1, 2), today=TODAY) == (
        "The date of the emergency MARAC must be 24 November 2027 or earlier (no more than 1 year ahead)"
    )
    assert emergency_date_error(datetime.date(1800, 1, 2), today=TODAY) == (
        "The date of the emergency MARAC must be 1 January 2003 or later"
    )
    assert emergency_date_error(datetime.date(2027, 11, 24), today=TODAY) is None
    assert emergency_date_error(datetime.date(2026, 11, 25), today=TODAY) is None


@given(day=st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 12, 31)))
def test_an_emergency_day_is_refused_exactly_outside_the_plausible_range(day):
    plausible = FIRST_MARAC <= day <= years_after(TODAY, EMERGENCY_MEETING_YEARS_AHEAD)
    assert (emergency_date_error(day, today=TODAY) is None) == plausible


# --- The services -----------------------------------------------------------------------------------------------------

db = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(14, 0), tzinfo=timezone.get_current_timezone())


def _too_far() -> datetime.date:
    return years_after(timezone.localdate(), EMERGENCY_MEETING_YEARS_AHEAD) + datetime.timedelta(days=1)


def _message(day: datetime.date) -> str:
    return str(emergency_date_error(day, today=timezone.localdate()))


@db
@pytest.mark.parametrize("confirmed", [False, True])
def test_calling_one_too_far_ahead_is_refused_by_the_service(coordinator, marac, confirmed):
    day = _too_far()
    with pytest.raises(agenda_services.EmergencyDateRefused) as refused:
        agenda_services.meeting_call_emergency(
            marac=marac, starts_at=_at(day), by=coordinator, non_working_day_confirmed=confirmed
        )
    assert refused.value.reasons == [_message(day)]
    assert isinstance(refused.value, agenda_services.AgendaRefused)  # surfaced as every agenda refusal is
    assert not Meeting.objects.filter(is_emergency=True).exists()


@db
def test_one_within_the_year_is_still_called(coordinator, marac):
    day = years_after(timezone.localdate(), EMERGENCY_MEETING_YEARS_AHEAD)
    meeting = agenda_services.meeting_call_emergency(
        marac=marac, starts_at=_at(day), by=coordinator, non_working_day_confirmed=True
    )
    assert meeting.is_emergency


@pytest.fixture
def accepted(client_for, referrer, coordinator, referral):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    return referral


@db
def test_listing_a_referral_at_one_too_far_ahead_is_refused_by_the_service(coordinator, accepted):
    meeting_before = accepted.meeting_id
    day = _too_far()
    with pytest.raises(agenda_services.EmergencyDateRefused) as refused:
        decisions.referral_list_at_emergency_meeting(
            referral=accepted, starts_at=_at(day), by=coordinator, non_working_day_confirmed=True
        )
    assert refused.value.reasons == [_message(day)]
    accepted.refresh_from_db()
    assert accepted.meeting_id == meeting_before
    assert not Meeting.objects.filter(is_emergency=True).exists()


# --- The pages --------------------------------------------------------------------------------------------------------


@db
def test_the_agenda_page_shows_the_service_s_message(client_for, coordinator, marac):
    day = _too_far()
    response = client_for(coordinator).post(
        URL, {"day": day.isoformat(), "at": "14:00", "confirmed_day": day.isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert _message(day) in page
    assert "Error:" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()


@db
def test_the_referral_page_shows_the_service_s_message(client_for, coordinator, accepted):
    day = _too_far()
    response = client_for(coordinator).post(
        f"/referrals/{accepted.pk}/decision/emergency/",
        {"day": day.isoformat(), "at": "14:00", "confirmed_day": day.isoformat()},
    )
    assert response.status_code == 200
    assert _message(day) in response.content.decode()
    assert not Meeting.objects.filter(is_emergency=True).exists()


@db
def test_an_outsider_calls_no_emergency_marac_here(client_for, outsider, marac, other_marac):
    day = timezone.localdate() + datetime.timedelta(days=3)
    client_for(outsider).post(URL, {"day": day.isoformat(), "at": "14:00", "confirmed_day": day.isoformat()})
    assert not Meeting.objects.filter(marac=marac, is_emergency=True).exists()  # only ever at their own MARAC
