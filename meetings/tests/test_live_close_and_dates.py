"""Starting a meeting on another day, closing one with cases not heard, and the due dates of actions agreed at it:
the rules' worked examples and properties, then the real pages and the API."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from actions.models import Action, ForWhom
from cases.models import CaseRestriction, CaseStatus
from marac.models import ClosureDay, Marac, MaracAgency
from meetings import live_rules
from meetings.live_services import confidentiality_sign, listing_open, meeting_start, outcome_record
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Outcome
from meetings.services import meetings_ensure_ahead
from referrals.calendar import WorkingCalendar, add_working_days, format_day, is_working_day
from testing.factories import CaseFactory

ENGLAND = WorkingCalendar()
MEETING_DAY = datetime.date(2026, 12, 8)  # a Tuesday


# --- The rules: worked examples -------------------------------------------------------------------------------------


def _due(day, *, meeting_day=MEETING_DAY, working=ENGLAND):
    return live_rules.action_due_date_error(due_on=day, meeting_day=meeting_day, working=working)


def test_an_action_may_be_due_on_the_meeting_day_or_a_working_day_after_it():
    assert _due(MEETING_DAY) is None
    assert _due(datetime.date(2026, 12, 22)) is None


def test_an_action_cannot_be_due_before_the_meeting():
    assert _due(datetime.date(2020, 1, 1)) == (
        "The due date must be on or after the date of the meeting, Tuesday 8 December 2026"
    )
    assert _due(datetime.date(2026, 12, 7)) is not None


def test_an_action_cannot_be_due_more_than_a_year_after_the_meeting():
    assert _due(datetime.date(2027, 12, 9)) is None  # 366 days on, a Thursday
    assert _due(datetime.date(2027, 12, 10)) == (
        "The due date must be within a year of the meeting, on or before Thursday 9 December 2027"
    )


def test_a_due_date_on_a_bank_holiday_is_refused_proposing_the_next_working_day():
    # 26 December 2026 is a Saturday, so Boxing Day's bank holiday moves to Monday 28 December.
    assert _due(datetime.date(2026, 12, 25)) == (
        "The due date must be a working day: Friday 25 December 2026 is Christmas Day, a bank holiday. "
        "Choose a working day, for example Tuesday 29 December 2026"
    )


def test_an_action_due_at_a_weekend_or_on_a_closure_day_is_refused():
    assert "Saturday 12 December 2026 is a weekend" in _due(datetime.date(2026, 12, 12))
    assert "for example Monday 14 December 2026" in _due(datetime.date(2026, 12, 13))
    closed = WorkingCalendar(closure_days=frozenset({datetime.date(2026, 12, 17)}))
    assert "Thursday 17 December 2026 is a local closure day" in _due(datetime.date(2026, 12, 17), working=closed)
    assert "for example Friday 18 December 2026" in _due(datetime.date(2026, 12, 17), working=closed)


def test_starting_on_the_meeting_day_needs_no_confirmation():
    assert live_rules.meeting_start_warning(scheduled_day=MEETING_DAY, today=MEETING_DAY) is None


def test_starting_on_another_day_names_the_day_it_is_scheduled_for():
    early = live_rules.meeting_start_warning(scheduled_day=MEETING_DAY, today=datetime.date(2026, 11, 24))
    late = live_rules.meeting_start_warning(scheduled_day=MEETING_DAY, today=datetime.date(2026, 12, 9))
    assert early == "This meeting is scheduled for Tuesday 8 December 2026, 14 days from today, not today."
    assert late == "This meeting is scheduled for Tuesday 8 December 2026, 1 day ago, not today."


def test_a_meeting_whose_case_list_was_never_released_cannot_start():
    assert live_rules.meeting_start_refusal(case_list_released=True) is None
    assert "has not been released" in live_rules.meeting_start_refusal(case_list_released=False)


def test_a_listing_is_unheard_until_it_is_opened_or_has_an_outcome():
    now = timezone.now()
    assert live_rules.listing_is_unheard(started_at=None, outcome="")
    assert not live_rules.listing_is_unheard(started_at=now, outcome="")
    assert not live_rules.listing_is_unheard(started_at=None, outcome=Outcome.HELD_OVER)


# --- The rules: properties ------------------------------------------------------------------------------------------

days = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(due_on=days, meeting_day=days, closure=st.frozensets(days, max_size=5))
def test_a_due_date_is_accepted_exactly_when_it_is_a_working_day_in_the_year_from_the_meeting(
    due_on, meeting_day, closure
):
    working = WorkingCalendar(closure_days=closure)
    in_range = meeting_day <= due_on <= meeting_day + datetime.timedelta(days=live_rules.MAX_DAYS_AFTER_MEETING)
    error = _due(due_on, meeting_day=meeting_day, working=working)
    assert (error is None) == (in_range and is_working_day(due_on, working))


@given(due_on=days, closure=st.frozensets(days, max_size=5))
def test_the_day_proposed_for_a_non_working_day_is_the_first_working_day_after_it(due_on, closure):
    working = WorkingCalendar(closure_days=closure)
    error = _due(due_on, meeting_day=due_on - datetime.timedelta(days=3), working=working)
    if is_working_day(due_on, working):
        assert error is None
        return
    proposed = add_working_days(due_on, 1, calendar=working)
    assert error is not None and error.endswith(f"for example {format_day(proposed)}")
    assert is_working_day(proposed, working)
    skipped = (due_on + datetime.timedelta(days=offset) for offset in range(1, (proposed - due_on).days))
    assert not any(is_working_day(day, working) for day in skipped)


@given(scheduled=days, today=days)
def test_only_a_start_on_the_meeting_day_goes_ahead_without_confirming(scheduled, today):
    warning = live_rules.meeting_start_warning(scheduled_day=scheduled, today=today)
    assert (warning is None) == (scheduled == today)
    if warning:
        assert format_day(scheduled) in warning


# --- Pages ----------------------------------------------------------------------------------------------------------

pages = pytest.mark.django_db


def _meeting(marac, *, days_ahead=0, released=True):
    starts_at = timezone.now() + datetime.timedelta(days=days_ahead)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now() if released else None)
    return meeting


def _listed(meeting, *references, **case_fields):
    return [
        Listing.objects.create(
            meeting=meeting,
            case=CaseFactory(marac=meeting.marac, reference=ref, status=CaseStatus.LISTED, **case_fields),
        )
        for ref in references
    ]


def _later_meeting(meeting):
    """The next ordinary meeting of the MARAC, where a case is held over to (the series makes it if need be)."""
    meetings_ensure_ahead(
        marac=Marac.objects.get(pk=meeting.marac_id), start=timezone.localtime(meeting.starts_at).date()
    )
    later = Meeting.objects.filter(marac=meeting.marac, starts_at__gt=meeting.starts_at, is_emergency=False)
    return later.order_by("starts_at").first()


def _status(meeting):
    return MeetingState.objects.get(meeting=meeting).status


def _running(meeting, *users):
    for user in users:
        confidentiality_sign(meeting=meeting, user=user)
    meeting_start(meeting=meeting, by=users[0], other_day_confirmed=True)


def _close(client, meeting, data=None):
    return client.post(f"/meetings/{meeting.pk}/live/close/", data or {})


@pages
def test_starting_a_meeting_weeks_early_asks_first_naming_its_day(client_for, chair, marac):
    meeting = _meeting(marac, days_ahead=14)
    confidentiality_sign(meeting=meeting, user=chair)
    client = client_for(chair)

    asked = client.post(f"/meetings/{meeting.pk}/live/start/")
    assert asked.status_code == 200
    day = format_day(timezone.localtime(meeting.starts_at).date())
    assert f"This meeting is scheduled for {day}, 14 days from today" in asked.content.decode()
    assert _status(meeting) == MeetingStatus.SCHEDULED

    started = client.post(f"/meetings/{meeting.pk}/live/start/", {"confirmed": "yes"})
    assert started.status_code == 302
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


@pages
def test_a_meeting_on_its_own_day_starts_straight_away(client_for, chair, marac):
    meeting = _meeting(marac)
    confidentiality_sign(meeting=meeting, user=chair)
    assert client_for(chair).post(f"/meetings/{meeting.pk}/live/start/").status_code == 302
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


@pages
def test_a_meeting_whose_case_list_was_not_released_does_not_start_even_when_confirmed(client_for, chair, marac):
    meeting = _meeting(marac, days_ahead=14, released=False)
    confidentiality_sign(meeting=meeting, user=chair)
    client = client_for(chair)
    assert "The meeting can start once its case list has been released" in (
        client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    )
    response = client.post(f"/meetings/{meeting.pk}/live/start/", {"confirmed": "yes"}, follow=True)
    assert "The case list for this meeting has not been released" in response.content.decode()
    assert _status(meeting) == MeetingStatus.SCHEDULED


@pages
def test_closing_with_every_case_heard_needs_no_questions_only_confirming(client_for, chair, marac):
    meeting = _meeting(marac)
    (only,) = _listed(meeting, "NB-2026-0601")
    _running(meeting, chair)
    listing_open(listing=only, by=chair)
    outcome_record(listing=only, outcome=Outcome.REVIEW, by=chair)  # a case heard with no outcome is asked about
    assert _close(client_for(chair), meeting).status_code == 200  # closing cannot be undone: it asks first
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert _close(client_for(chair), meeting, {"confirmed": "yes"}).status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED


@pages
def test_closing_with_cases_not_heard_lists_them_and_closes_nothing_yet(client_for, chair, marac):
    meeting = _meeting(marac)
    heard, _, _ = _listed(meeting, "NB-2026-0601", "NB-2026-0602", "NB-2026-0603")
    _running(meeting, chair)
    listing_open(listing=heard, by=chair)
    outcome_record(listing=heard, outcome=Outcome.REVIEW, by=chair)

    response = _close(client_for(chair), meeting)

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 cases listed at this meeting have not been heard" in page
    assert "Case NB-2026-0602" in page and "Case NB-2026-0603" in page
    assert "Case NB-2026-0601" not in page
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


@pages
def test_the_chair_holds_every_unheard_case_over_to_the_next_meeting(client_for, chair, coordinator, marac):
    meeting = _meeting(marac)
    later = _later_meeting(meeting)
    heard, first, second = _listed(meeting, "NB-2026-0601", "NB-2026-0602", "NB-2026-0603")
    _running(meeting, chair)
    listing_open(listing=heard, by=chair)
    outcome_record(listing=heard, outcome=Outcome.REVIEW, by=chair)

    data = {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "The meeting ran out of time"}
    assert _close(client_for(chair), meeting, data).status_code == 302

    assert _status(meeting) == MeetingStatus.CLOSED
    for listing in (first, second):
        listing.refresh_from_db()
        assert listing.outcome == Outcome.HELD_OVER
        held = Listing.objects.get(case=listing.case, held_over_from=meeting)
        assert held.meeting == later
        assert held.held_over_reason == "The meeting ran out of time"
    agenda = client_for(coordinator).get(f"/meetings/{later.pk}/").content.decode()
    assert "NB-2026-0602" in agenda and "Held over" in agenda


@pages
def test_the_chair_chooses_case_by_case_and_a_case_left_unheard_keeps_the_reason(client_for, chair, marac):
    meeting = _meeting(marac)
    _later_meeting(meeting)
    held, left = _listed(meeting, "NB-2026-0602", "NB-2026-0603")
    _running(meeting, chair)

    data = {
        "confirmed": "yes",
        "for_all": "each",
        f"listing_{held.pk}": live_rules.HOLD_OVER,
        f"listing_{left.pk}": live_rules.LEAVE_UNHEARD,
        "reason": "Agreed to discuss at the MASH instead",
    }
    client = client_for(chair)
    assert _close(client, meeting, data).status_code == 302

    held.refresh_from_db()
    left.refresh_from_db()
    assert held.outcome == Outcome.HELD_OVER
    assert left.outcome == ""
    assert left.decisions_minute == "Not heard at this meeting: Agreed to discuss at the MASH instead"
    assert left.case.status == CaseStatus.REFERRED  # no longer shown as listed at a closed meeting
    rows = client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    assert "Not heard" in rows and "Not yet" not in rows


@pages
def test_closing_without_saying_what_happens_shows_the_errors_and_closes_nothing(client_for, chair, marac):
    meeting = _meeting(marac)
    _later_meeting(meeting)
    first, _ = _listed(meeting, "NB-2026-0602", "NB-2026-0603")
    _running(meeting, chair)
    client = client_for(chair)

    empty = _close(client, meeting, {"confirmed": "yes"})
    half = _close(client, meeting, {"confirmed": "yes", "for_all": "each", f"listing_{first.pk}": "hold_over"})

    page = empty.content.decode()
    assert "<title>Error: Before you close the meeting" in page
    assert "govuk-error-summary" in page
    assert "Select what should happen to the cases not heard" in page
    assert "Enter why the cases were not heard" in page
    assert "Select what should happen to case NB-2026-0603" in half.content.decode()
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert not Listing.objects.filter(held_over_from=meeting).exists()


@pages
def test_a_case_that_cannot_be_held_over_undoes_the_whole_close(client_for, chair, marac):
    meeting = _meeting(marac)
    later = _later_meeting(meeting)
    first, second = _listed(meeting, "NB-2026-0602", "NB-2026-0603")
    Listing.objects.create(meeting=later, case=second.case)  # already listed at the next meeting
    _running(meeting, chair)

    data = {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "Out of time"}
    response = _close(client_for(chair), meeting, data)

    assert response.status_code == 200
    assert "Case NB-2026-0603 cannot be held over: This case is already listed at the next meeting." in (
        response.content.decode()
    )
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    first.refresh_from_db()
    assert first.outcome == ""
    assert not Listing.objects.filter(held_over_from=meeting).exists()


@pages
def test_a_restricted_case_is_not_named_to_a_chair_not_named_on_it_and_is_held_over(
    client_for, chair, coordinator, marac
):
    meeting = _meeting(marac)
    _later_meeting(meeting)
    (open_case,) = _listed(meeting, "NB-2026-0602")
    (secret,) = _listed(meeting, "NB-2026-0699", restricted=True)
    CaseRestriction.objects.create(case=secret.case, user=coordinator, added_by=coordinator)
    _running(meeting, chair)
    client = client_for(chair)

    page = _close(client, meeting).content.decode()
    assert "NB-2026-0699" not in page
    assert "1 case listed at this meeting has not been heard." in page

    data = {"confirmed": "yes", "for_all": "each", f"listing_{open_case.pk}": "not_heard", "reason": "Out of time"}
    assert _close(client, meeting, data).status_code == 302
    secret.refresh_from_db()
    assert secret.outcome == Outcome.HELD_OVER


@pages
def test_only_those_who_run_the_meeting_may_close_it(client_for, police_rep, outsider, marac):
    meeting = _meeting(marac)
    _listed(meeting, "NB-2026-0602")
    _running(meeting, police_rep)
    data = {"confirmed": "yes", "for_all": live_rules.LEAVE_UNHEARD, "reason": "Out of time"}
    assert _close(client_for(outsider), meeting, data).status_code in (403, 404)
    assert _close(client_for(police_rep), meeting, data).status_code in (403, 404)
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


@pages
def test_a_closed_meeting_never_offers_to_release_its_case_list(client_for, coordinator, chair, marac):
    meeting = _meeting(marac, days_ahead=14, released=False)
    client = client_for(coordinator)
    assert "Release the case list" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    MeetingState.objects.filter(meeting=meeting).update(status=MeetingStatus.CLOSED)

    assert "Release the case list" not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    refused = client.post(f"/meetings/{meeting.pk}/case-list/release/", follow=True)
    assert "This meeting has closed, so its case list can no longer be released." in refused.content.decode()
    assert MeetingState.objects.get(meeting=meeting).case_list_released_at is None
    assert mail.outbox == []


# --- Actions' due dates on the live page and in the API --------------------------------------------------------------


@pytest.fixture
def police_listing(marac, police_rep, chair):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = _meeting(marac)
    (listing,) = _listed(meeting, "NB-2026-0601")
    _running(meeting, chair)
    return listing


def _action(listing, police_rep, due_on):
    return {
        "owner_agency": police_rep.agency_id,
        "description": "Visit the victim with the neighbourhood officer.",
        "for_whom": ForWhom.VICTIM,
        "due_on": due_on,
    }


def _actions_url(listing):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/actions/"


@pages
def test_an_action_due_before_the_meeting_is_refused_on_the_gov_uk_error_pattern(
    client_for, chair, police_rep, police_listing
):
    response = client_for(chair).post(_actions_url(police_listing), _action(police_listing, police_rep, "2020-01-01"))

    page = response.content.decode()
    day = format_day(timezone.localtime(police_listing.meeting.starts_at).date())
    assert response.status_code == 200
    assert "<title>Error: Case NB-2026-0601" in page
    assert page.count("govuk-error-summary__list") == 1
    assert f"The due date must be on or after the date of the meeting, {day}" in page
    assert '<a href="#id_due_on">' in page
    assert not Action.objects.filter(listing=police_listing, is_standard=False).exists()


@pages
def test_an_empty_action_says_what_each_field_needs(client_for, chair, police_listing):
    page = client_for(chair).post(_actions_url(police_listing), {}).content.decode()
    for message in (
        "Select the agency that owns the action",
        "Enter what the action is",
        "Select who the action is for",
        "Enter the date the action is due by",
    ):
        assert message in page
    assert "This field is required." not in page


@pages
def test_an_action_due_on_a_bank_holiday_is_refused_with_the_next_working_day(
    client_for, chair, police_rep, police_listing
):
    today = timezone.localdate()
    holiday = next(
        day
        for day in (today + datetime.timedelta(days=offset) for offset in range(1, 366))
        if day.weekday() < 5 and not is_working_day(day, ENGLAND)
    )
    page = client_for(chair).post(_actions_url(police_listing), _action(police_listing, police_rep, holiday)).content
    proposed = format_day(add_working_days(holiday, 1, calendar=ENGLAND))
    assert f"Choose a working day, for example {proposed}" in page.decode()


@pages
def test_an_action_on_a_local_closure_day_is_refused(client_for, chair, police_rep, police_listing, marac):
    closed = add_working_days(timezone.localdate(), 3, calendar=ENGLAND)
    ClosureDay.objects.create(marac=marac, day=closed)
    page = client_for(chair).post(_actions_url(police_listing), _action(police_listing, police_rep, closed)).content
    assert f"{format_day(closed)} is a local closure day" in page.decode()


@pages
def test_an_action_due_on_a_working_day_after_the_meeting_is_recorded(client_for, chair, police_rep, police_listing):
    due = add_working_days(timezone.localdate(), 10, calendar=ENGLAND)
    response = client_for(chair).post(_actions_url(police_listing), _action(police_listing, police_rep, due))
    assert response.status_code == 302
    assert Action.objects.get(listing=police_listing, is_standard=False).due_on == due


@pages
def test_the_api_applies_the_same_due_date_rule(client_for, chair, police_rep, police_listing):
    url = f"/api/v1/meetings/{police_listing.meeting_id}/listings/{police_listing.pk}/actions"
    body = {
        "owner_agency_id": police_rep.agency_id,
        "description": "Visit the victim with the neighbourhood officer.",
        "for_whom": "victim",
    }
    client = client_for(chair)
    early = client.post(url, body | {"due_on": "2020-01-01"}, content_type="application/json")
    saturday = next(
        day for day in (timezone.localdate() + datetime.timedelta(days=n) for n in range(1, 8)) if day.weekday() == 5
    )
    weekend = client.post(url, body | {"due_on": saturday.isoformat()}, content_type="application/json")

    assert early.status_code == 422
    assert early.json()["errors"]["body.due_on"][0].startswith("The due date must be on or after the date of the")
    assert weekend.status_code == 422
    assert "is a weekend" in weekend.json()["errors"]["body.due_on"][0]
    assert not Action.objects.filter(listing=police_listing, is_standard=False).exists()
