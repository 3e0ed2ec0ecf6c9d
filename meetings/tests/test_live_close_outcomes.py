"""Closing a meeting with a case heard and no outcome recorded: the close stops and names the case (by reference
only), with a link to record its outcome, or the chair chooses it in the close form; moving on from such a case
warns, and does not block. The rule, the service, then the real pages."""

import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import Case, CaseRestriction, CaseStatus
from meetings import live_rules
from meetings import live_services as live
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Outcome
from meetings.tests.test_live_close_and_dates import _later_meeting
from testing.factories import CaseFactory

# --- The rule -------------------------------------------------------------------------------------------------------


def test_a_case_opened_with_no_outcome_needs_one_and_a_case_not_opened_does_not():
    now = timezone.now()
    assert live_rules.listing_needs_outcome(started_at=now, outcome="")
    assert not live_rules.listing_needs_outcome(started_at=now, outcome=Outcome.REVIEW)
    assert not live_rules.listing_needs_outcome(started_at=None, outcome="")  # unheard: asked about separately


@given(opened=st.booleans(), outcome=st.sampled_from(["", *Outcome.values]))
def test_every_listing_is_settled_one_way_only_before_the_close(opened, outcome):
    started_at = timezone.now() if opened else None
    asked = [
        live_rules.listing_needs_outcome(started_at=started_at, outcome=outcome),
        live_rules.listing_is_unheard(started_at=started_at, outcome=outcome),
    ]
    assert sum(asked) <= 1  # never asked both what its outcome is and whether to hold it over
    assert any(asked) == (outcome == "")  # and asked something exactly when it has no outcome


# --- The service ----------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _listed(meeting, reference, **case_fields):
    case = CaseFactory(marac=meeting.marac, reference=reference, status=CaseStatus.LISTED, **case_fields)
    return Listing.objects.create(meeting=meeting, case=case)


def _running(meeting, *users):
    for user in users:
        live.confidentiality_sign(meeting=meeting, user=user)
    live.meeting_start(meeting=meeting, by=users[0])


def _heard(listing, by, outcome=""):
    live.listing_open(listing=listing, by=by)
    if outcome:
        live.outcome_record(listing=listing, outcome=outcome, by=by)
    live.listing_move_on(listing=listing, by=by)
    return Listing.objects.get(pk=listing.pk)


def _status(meeting):
    return MeetingState.objects.get(meeting=meeting).status


def test_the_service_refuses_to_close_with_a_case_heard_and_no_outcome_and_changes_nothing(meeting, chair):
    decided, undecided = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(decided, chair, Outcome.CLOSED)
    _heard(undecided, chair)
    events = AuditEvent.objects.count()

    with pytest.raises(live.CasesWithoutOutcome) as refused:
        live.meeting_close(meeting=meeting, by=chair)

    assert [listing.pk for listing in refused.value.listings] == [undecided.pk]
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert Listing.objects.get(pk=undecided.pk).outcome == ""
    assert AuditEvent.objects.count() == events


def test_the_case_still_being_heard_at_the_close_needs_its_outcome_too(meeting, chair):
    listing = _listed(meeting, "NB-2026-0901")
    _running(meeting, chair)
    live.listing_open(listing=listing, by=chair)

    with pytest.raises(live.CasesWithoutOutcome):
        live.meeting_close(meeting=meeting, by=chair)
    assert Listing.objects.get(pk=listing.pk).ended_at is None


def test_outcomes_chosen_at_the_close_are_recorded_audited_and_the_cases_follow_them(meeting, chair):
    closed, review = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(closed, chair)
    _heard(review, chair)

    live.meeting_close(meeting=meeting, by=chair, outcomes={closed.pk: Outcome.CLOSED, review.pk: Outcome.REVIEW})

    assert _status(meeting) == MeetingStatus.CLOSED
    assert Listing.objects.get(pk=closed.pk).outcome == Outcome.CLOSED
    assert Case.objects.get(pk=closed.case_id).status == CaseStatus.CLOSED
    assert Listing.objects.get(pk=review.pk).outcome == Outcome.REVIEW
    assert Case.objects.get(pk=review.case_id).status == CaseStatus.HEARD
    entry = AuditEvent.objects.get(object_id=str(closed.pk), summary__startswith="Recorded the outcome")
    assert entry.changes == {"outcome": {"from": "", "to": "closed"}}
    assert entry.actor == chair


def test_outcomes_for_other_cases_than_those_undecided_now_are_refused(meeting, chair):
    first, second = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(first, chair)
    _heard(second, chair)

    # The close page was shown when only the first had been heard: the second is asked about again.
    with pytest.raises(live.CasesWithoutOutcome) as refused:
        live.meeting_close(meeting=meeting, by=chair, outcomes={first.pk: Outcome.REVIEW})
    assert {listing.pk for listing in refused.value.listings} == {first.pk, second.pk}
    assert Listing.objects.get(pk=first.pk).outcome == ""


def test_an_outcome_that_is_not_one_a_hearing_records_undoes_the_whole_close(meeting, chair):
    listing = _listed(meeting, "NB-2026-0901")
    _running(meeting, chair)
    _heard(listing, chair)

    with pytest.raises(live.LiveRefused, match="Choose the outcome of case NB-2026-0901"):
        live.meeting_close(meeting=meeting, by=chair, outcomes={listing.pk: Outcome.HELD_OVER})
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert Listing.objects.get(pk=listing.pk).outcome == ""


def test_unheard_cases_and_cases_without_outcome_are_settled_together(meeting, chair):
    _later_meeting(meeting)
    heard, unheard = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    live.listing_open(listing=heard, by=chair)  # still being heard: moving on would open the other

    with pytest.raises(live.UnheardCases):
        live.meeting_close(meeting=meeting, by=chair, outcomes={heard.pk: Outcome.REVIEW})
    with pytest.raises(live.CasesWithoutOutcome):
        live.meeting_close(meeting=meeting, by=chair, choices={unheard.pk: live_rules.HOLD_OVER}, reason="Time")
    live.meeting_close(
        meeting=meeting,
        by=chair,
        choices={unheard.pk: live_rules.HOLD_OVER},
        reason="Out of time",
        outcomes={heard.pk: Outcome.TRANSFERRED},
    )

    assert _status(meeting) == MeetingStatus.CLOSED
    assert Listing.objects.get(pk=unheard.pk).outcome == Outcome.HELD_OVER
    assert Case.objects.get(pk=heard.case_id).status == CaseStatus.TRANSFERRED


# --- The pages ------------------------------------------------------------------------------------------------------


def _close(client, meeting, data=None):
    return client.post(f"/meetings/{meeting.pk}/live/close/", data or {})


@pytest.mark.parametrize("runner", ["chair", "coordinator"])
def test_closing_stops_and_names_each_case_with_no_outcome_in_an_error_summary(client_for, meeting, runner, request):
    user = request.getfixturevalue(runner)
    decided = _listed(meeting, "NB-2026-0901")
    undecided = _listed(meeting, "NB-2026-0902", victim__given_name="Fictiona")
    _running(meeting, user)
    _heard(decided, user, Outcome.REVIEW)
    _heard(undecided, user)

    response = _close(client_for(user), meeting)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Before you close the meeting" in page
    assert "govuk-error-summary" in page
    message = (
        "Case NB-2026-0902 was heard but has no outcome yet. Select its outcome, or record it on the case&#x27;s page"
    )
    assert f'<a href="#id_outcome_{undecided.pk}_0">{message}</a>' in page
    assert "1 case heard at this meeting has no outcome recorded" in page
    assert (
        f'href="/meetings/{meeting.pk}/live/{undecided.pk}/#outcome">Record the outcome of case NB-2026-0902</a>'
        in page
    )
    listed = page.split('data-testid="cases-without-outcome">', 1)[1].split("</ul>", 1)[0]
    assert listed.count("NB-2026-0902") == 1  # a screen reader hears the reference once, not again in hidden text
    assert "NB-2026-0901" not in page  # its outcome is recorded: nothing to ask
    assert "Fictiona" not in page  # references only, never names
    assert "Cases not heard" not in page and "Why were they not heard?" not in page
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


def test_the_chair_chooses_the_outcome_in_the_close_form_and_the_meeting_closes(client_for, chair, meeting):
    listing = _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(listing, chair)
    client = client_for(chair)

    response = _close(client, meeting, {"confirmed": "yes", f"outcome_{listing.pk}": Outcome.CLOSED})

    assert response.status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED
    assert Case.objects.get(pk=listing.case_id).status == CaseStatus.CLOSED
    assert "No outcome yet" not in client.get(f"/meetings/{meeting.pk}/live/").content.decode()


def test_closing_without_choosing_the_outcome_says_which_case_needs_one(client_for, chair, meeting):
    listing = _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(listing, chair)

    response = _close(client_for(chair), meeting, {"confirmed": "yes"})

    page = response.content.decode()
    assert "<title>Error: Before you close the meeting" in page
    assert "Select the outcome of case NB-2026-0902" in page
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert Listing.objects.get(pk=listing.pk).outcome == ""


def test_the_close_page_asks_about_outcomes_and_cases_not_heard_together(client_for, chair, meeting):
    _later_meeting(meeting)
    heard, unheard = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    live.listing_open(listing=heard, by=chair)
    client = client_for(chair)

    page = _close(client, meeting).content.decode()
    assert "Cases heard with no outcome" in page and "Cases not heard" in page
    assert page.index(f"outcome_{heard.pk}") < page.index('name="for_all"')  # the heard cases first

    half = _close(client, meeting, {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "Out of time"})
    assert "Select the outcome of case NB-2026-0901" in half.content.decode()
    assert _status(meeting) == MeetingStatus.IN_PROGRESS

    data = {
        "confirmed": "yes",
        "for_all": live_rules.HOLD_OVER,
        "reason": "Out of time",
        f"outcome_{heard.pk}": Outcome.REVIEW,
    }
    assert _close(client, meeting, data).status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED
    assert Listing.objects.get(pk=heard.pk).outcome == Outcome.REVIEW
    assert Listing.objects.get(pk=unheard.pk).outcome == Outcome.HELD_OVER


def test_an_outcome_recorded_on_the_case_page_while_the_close_page_was_open_is_not_asked_again(
    client_for, chair, meeting
):
    listing = _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    _heard(listing, chair)
    client = client_for(chair)
    _close(client, meeting)
    client.post(f"/meetings/{meeting.pk}/live/{listing.pk}/outcome/", {"outcome": Outcome.TRANSFERRED})

    response = _close(
        client,
        meeting,
        {"confirmed": "yes", f"outcome_{listing.pk}": Outcome.REVIEW},
    )

    assert response.status_code == 200
    assert "The cases heard with no outcome changed while this page was open" in response.content.decode()
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302  # nothing left to ask
    assert Listing.objects.get(pk=listing.pk).outcome == Outcome.TRANSFERRED


def test_a_restricted_case_is_not_named_to_a_chair_not_named_on_it_and_is_kept_open_for_review(
    client_for, chair, coordinator, meeting
):
    secret = _listed(meeting, "NB-2026-0999", restricted=True)
    CaseRestriction.objects.create(case=secret.case, user=coordinator, added_by=coordinator)
    _running(meeting, coordinator, chair)
    _heard(secret, coordinator)
    client = client_for(chair)

    page = _close(client, meeting).content.decode()
    assert "NB-2026-0999" not in page
    assert "Cases heard with no outcome" not in page

    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302
    assert Listing.objects.get(pk=secret.pk).outcome == Outcome.REVIEW


def test_others_cannot_close_the_meeting_or_see_which_cases_lack_an_outcome(
    client_for, police_rep, outsider, chair, meeting
):
    listing = _listed(meeting, "NB-2026-0902")
    _running(meeting, chair, police_rep)
    _heard(listing, chair)
    data = {"confirmed": "yes", f"outcome_{listing.pk}": Outcome.CLOSED}
    for user in (outsider, police_rep):
        response = _close(client_for(user), meeting, data)
        assert response.status_code in (403, 404)
        assert b"NB-2026-0902" not in response.content
    assert _status(meeting) == MeetingStatus.IN_PROGRESS


def test_moving_on_from_a_case_with_no_outcome_warns_on_the_next_page_and_does_not_block(client_for, chair, meeting):
    first, second = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    client = client_for(chair)
    client.post(f"/meetings/{meeting.pk}/live/{first.pk}/open/")

    response = client.post(f"/meetings/{meeting.pk}/live/{first.pk}/next/", {"confirmed": "yes"}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/live/{second.pk}/"
    assert "Case NB-2026-0901 was heard with no outcome recorded." in page
    assert "the meeting cannot close until it has one" in page
    link = f'href="/meetings/{meeting.pk}/live/{first.pk}/#outcome">Record the outcome of case NB-2026-0901</a>'
    assert link in page
    assert Listing.objects.get(pk=second.pk).started_at is not None  # moved on all the same
    rows = client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    assert "No outcome yet" in rows


def test_moving_on_from_a_case_with_its_outcome_gives_no_warning(client_for, chair, meeting):
    first, _ = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair)
    client = client_for(chair)
    client.post(f"/meetings/{meeting.pk}/live/{first.pk}/open/")
    client.post(f"/meetings/{meeting.pk}/live/{first.pk}/outcome/", {"outcome": Outcome.REVIEW})

    response = client.post(f"/meetings/{meeting.pk}/live/{first.pk}/next/", {"confirmed": "yes"}, follow=True)

    assert "no outcome recorded" not in response.content.decode()


def test_when_an_outcome_is_recorded_meanwhile_the_close_page_keeps_the_reason_and_the_choice_typed(
    client_for, chair, coordinator, meeting
):
    _later_meeting(meeting)
    heard, unheard = _listed(meeting, "NB-2026-0901"), _listed(meeting, "NB-2026-0902")
    _running(meeting, chair, coordinator)
    live.listing_open(listing=heard, by=chair)
    client = client_for(chair)
    assert "Why were they not heard?" in _close(client, meeting).content.decode()  # the chair opens the close page
    # Meanwhile the coordinator records the outcome on the case's page.
    client_for(coordinator).post(f"/meetings/{meeting.pk}/live/{heard.pk}/outcome/", {"outcome": Outcome.TRANSFERRED})

    data = {
        "confirmed": "yes",
        "for_all": live_rules.HOLD_OVER,
        "reason": "The meeting ran out of time",
        f"outcome_{heard.pk}": Outcome.REVIEW,
    }
    page = _close(client, meeting, data).content.decode()

    assert "The cases heard with no outcome changed while this page was open" in page
    assert ">The meeting ran out of time</textarea>" in page or 'value="The meeting ran out of time"' in page
    assert re.search(rf'name="for_all" value="{live_rules.HOLD_OVER}" id="[^"]+" checked>', page)
    assert f"outcome_{heard.pk}" not in page  # its outcome is recorded now: nothing to ask
    assert _status(meeting) == MeetingStatus.IN_PROGRESS
    assert Listing.objects.get(pk=heard.pk).outcome == Outcome.TRANSFERRED
    assert Listing.objects.get(pk=unheard.pk).outcome == ""
