"""A case heard at a meeting becomes "Heard" (with the day it was heard) when its hearing ends, or at the latest when
the meeting closes: the rule's worked examples and properties, then the real live pages, the case page and the API."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from meetings import live_rules
from meetings.live_services import confidentiality_sign, meeting_cases_heard
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Outcome
from meetings.tests.test_live_close_and_dates import _later_meeting
from referrals.models import Referral, ReferralStatus, Transfer
from referrals.tests.test_decision_matching import hold, submitted_referral
from testing.factories import CaseFactory

MEETING_DAY = datetime.date(2026, 12, 8)


# --- The rule: worked examples --------------------------------------------------------------------------------------


def _changes(status, heard_on=None, *, outcome="", listed_later=False):
    return live_rules.case_changes_after_hearing(
        status=status, heard_on=heard_on, meeting_day=MEETING_DAY, outcome=outcome, listed_later=listed_later
    )


def test_a_listed_case_heard_becomes_heard_on_the_meeting_day():
    assert _changes(CaseStatus.LISTED) == {
        "status": {"from": "listed", "to": "heard"},
        "heard_on": {"from": "", "to": "2026-12-08"},
    }


def test_a_case_closed_or_transferred_at_its_hearing_becomes_closed_or_transferred():
    assert _changes(CaseStatus.LISTED, outcome=Outcome.CLOSED)["status"] == {"from": "listed", "to": "closed"}
    assert _changes(CaseStatus.LISTED, outcome=Outcome.TRANSFERRED)["status"] == {"from": "listed", "to": "transferred"}
    assert _changes(CaseStatus.LISTED, outcome=Outcome.REVIEW)["status"] == {"from": "listed", "to": "heard"}
    # The chair changes their mind about the outcome before the meeting closes: the case follows.
    assert _changes(CaseStatus.CLOSED, MEETING_DAY, outcome=Outcome.REVIEW) == {
        "status": {"from": "closed", "to": "heard"}
    }


def test_a_case_listed_again_at_a_later_meeting_stays_listed():
    assert "status" not in _changes(CaseStatus.LISTED, listed_later=True)
    assert "status" not in _changes(CaseStatus.LISTED, outcome=Outcome.CLOSED, listed_later=True)


def test_hearing_it_again_changes_nothing_and_an_earlier_day_heard_moves_forward():
    assert _changes(CaseStatus.HEARD, MEETING_DAY) == {}
    assert _changes(CaseStatus.HEARD, datetime.date(2026, 6, 2)) == {
        "heard_on": {"from": "2026-06-02", "to": "2026-12-08"}
    }
    # A later hearing already recorded decides the case, whatever this older one's outcome.
    assert _changes(CaseStatus.HEARD, datetime.date(2027, 1, 5), outcome=Outcome.CLOSED) == {}


def test_a_case_referred_to_another_marac_stays_transferred_whatever_an_older_listing_records():
    # A MARAC-to-MARAC referral was made of it: that MARAC leads it now (referrals.jurisdiction).
    changes = live_rules.case_changes_after_hearing(
        status=CaseStatus.TRANSFERRED, heard_on=None, meeting_day=MEETING_DAY, outcome=Outcome.REVIEW,
        referred_elsewhere=True,
    )  # fmt: skip
    assert "status" not in changes and changes["heard_on"]["to"] == "2026-12-08"
    # Without the referral made, the meeting's own outcome decides, as before (a chair correcting "transferred").
    assert _changes(CaseStatus.TRANSFERRED, MEETING_DAY, outcome=Outcome.REVIEW)["status"]["to"] == "heard"


def test_a_listing_is_heard_once_opened_unless_it_was_then_held_over():
    now = timezone.now()
    assert live_rules.listing_was_heard(started_at=now, outcome="")
    assert live_rules.listing_was_heard(started_at=now, outcome=Outcome.TRANSFERRED)
    assert not live_rules.listing_was_heard(started_at=None, outcome="")
    assert not live_rules.listing_was_heard(started_at=now, outcome=Outcome.HELD_OVER)


# --- The rule: properties -------------------------------------------------------------------------------------------

days = st.none() | st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))
outcomes = st.sampled_from(["", Outcome.REVIEW, Outcome.CLOSED, Outcome.TRANSFERRED])


@given(status=st.sampled_from(CaseStatus), heard_on=days, outcome=outcomes, listed_later=st.booleans())
def test_the_latest_hearing_decides_and_applying_the_changes_twice_changes_nothing(
    status, heard_on, outcome, listed_later
):
    changes = _changes(status, heard_on, outcome=outcome, listed_later=listed_later)
    if heard_on is not None and heard_on > MEETING_DAY:
        assert changes == {}
        return
    after_status = changes.get("status", {}).get("to", status)
    stays_listed = listed_later and status == CaseStatus.LISTED
    assert after_status == (status if stays_listed else live_rules.status_after_hearing(outcome))
    after_day = datetime.date.fromisoformat(changes["heard_on"]["to"]) if "heard_on" in changes else heard_on
    assert after_day == MEETING_DAY
    assert _changes(after_status, after_day, outcome=outcome, listed_later=listed_later) == {}


# --- Through the pages ----------------------------------------------------------------------------------------------

pages = pytest.mark.django_db


@pytest.fixture
def meeting(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _listed(meeting, reference, **case_fields):
    case_fields.setdefault("status", CaseStatus.LISTED)
    case = CaseFactory(marac=meeting.marac, reference=reference, **case_fields)
    return Listing.objects.create(meeting=meeting, case=case)


def _live(meeting, step=""):
    return f"/meetings/{meeting.pk}/live/{step}"


def _started(client, meeting, user):
    confidentiality_sign(meeting=meeting, user=user)
    assert client.post(_live(meeting, "start/")).status_code == 302


def _open(client, listing):
    assert client.post(_live(listing.meeting, f"{listing.pk}/open/")).status_code == 302


def _next(client, listing):
    # "confirmed": the plans here have no perpetrator action, which only asks first.
    assert client.post(_live(listing.meeting, f"{listing.pk}/next/"), {"confirmed": "yes"}).status_code == 302


def _case(listing):
    return Case.objects.get(pk=listing.case_id)


@pages
@pytest.mark.parametrize("runner", ["chair", "coordinator"])
def test_a_case_is_heard_when_the_meeting_moves_on_from_it_and_the_case_page_and_api_say_so(
    client_for, meeting, runner, request
):
    user = request.getfixturevalue(runner)
    first, second = _listed(meeting, "NB-2026-0701"), _listed(meeting, "NB-2026-0702")
    client = client_for(user)
    _started(client, meeting, user)
    _open(client, first)
    assert _case(first).status == CaseStatus.LISTED  # being heard, not heard yet

    _next(client, first)

    case = _case(first)
    assert case.status == CaseStatus.HEARD
    assert case.heard_on == timezone.localtime(meeting.starts_at).date()
    assert _case(second).status == CaseStatus.LISTED  # opened by moving on, still being heard
    entry = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk), summary__contains="heard at")
    assert entry.changes["status"] == {"from": "listed", "to": "heard"}
    assert entry.actor == user
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Heard" in page and "Listed" not in page
    assert client.get(f"/api/v1/cases/{case.pk}").json()["status"] == "heard"


@pages
def test_the_case_still_open_at_the_close_is_heard_and_one_held_over_stays_listed(client_for, chair, meeting):
    _later_meeting(meeting)
    heard, held = _listed(meeting, "NB-2026-0701"), _listed(meeting, "NB-2026-0702")
    client = client_for(chair)
    _started(client, meeting, chair)
    _open(client, heard)

    data = {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "The meeting ran out of time"}
    data[f"outcome_{heard.pk}"] = Outcome.REVIEW  # heard with no outcome: the close asks for it
    assert client.post(_live(meeting, "close/"), data).status_code == 302

    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.CLOSED
    assert _case(heard).status == CaseStatus.HEARD
    assert _case(held).status == CaseStatus.LISTED
    assert _case(held).heard_on is None
    assert client.get(f"/api/v1/cases/{held.case_id}").json()["status"] == "listed"
    # Closing again, or anything else, does not write a second entry for the case heard.
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(heard.case_id)).count() == 1


@pages
def test_a_meeting_started_ahead_of_its_day_hears_its_cases_today_not_on_that_day(client_for, chair, marac):
    ahead = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=14))
    MeetingState.objects.create(meeting=ahead, case_list_released_at=timezone.now())
    listing = _listed(ahead, "NB-2026-0703")
    client = client_for(chair)
    confidentiality_sign(meeting=ahead, user=chair)
    assert client.post(_live(ahead, "start/"), {"confirmed": "yes"}).status_code == 302
    _open(client, listing)
    _next(client, listing)

    assert _case(listing).heard_on == timezone.localdate()


def _outcome(client, listing, outcome):
    assert client.post(_live(listing.meeting, f"{listing.pk}/outcome/"), {"outcome": outcome}).status_code == 302


@pages
def test_a_case_closed_or_transferred_at_its_hearing_says_so_and_follows_a_change_of_mind(client_for, chair, meeting):
    closed = _listed(meeting, "NB-2026-0701")
    transferred = _listed(meeting, "NB-2026-0702")
    client = client_for(chair)
    _started(client, meeting, chair)
    _open(client, closed)
    _outcome(client, closed, Outcome.CLOSED)
    _next(client, closed)
    _outcome(client, transferred, Outcome.TRANSFERRED)
    _next(client, transferred)

    assert _case(closed).status == CaseStatus.CLOSED
    assert client.get(f"/api/v1/cases/{transferred.case_id}").json()["status"] == "transferred"
    assert _case(closed).heard_on == timezone.localtime(meeting.starts_at).date()
    # The chair goes back to the first case before the meeting closes: kept open for review after all.
    _outcome(client, closed, Outcome.REVIEW)
    assert _case(closed).status == CaseStatus.HEARD


@pages
def test_a_case_already_listed_at_a_later_meeting_stays_listed_when_heard(client_for, chair, meeting):
    listing = _listed(meeting, "NB-2026-0701")
    later = _later_meeting(meeting)
    Listing.objects.create(meeting=later, case=listing.case)
    client = client_for(chair)
    _started(client, meeting, chair)
    _open(client, listing)
    _next(client, listing)

    assert _case(listing).status == CaseStatus.LISTED
    assert _case(listing).heard_on == timezone.localtime(meeting.starts_at).date()


@pages
def test_a_victim_heard_live_makes_the_next_referral_a_repeat_listed_as_a_new_case(
    client_for, chair, coordinator, referrer, marac, meeting
):
    victim = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    perpetrator = hold(marac, "Madeup", "Villainson", datetime.date(1980, 2, 2), gender="male")
    listing = _listed(meeting, "NB-2026-0701", victim=victim)
    CaseParty.objects.create(case=listing.case, person=perpetrator, role=PartyRole.PERPETRATOR)
    client = client_for(chair)
    _started(client, meeting, chair)
    _open(client, listing)
    _outcome(client, listing, Outcome.REVIEW)
    assert client.post(_live(meeting, "close/"), {"confirmed": "yes"}).status_code == 302

    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    for party, person in (("victim", victim), ("perpetrators.0", perpetrator)):
        desk.post(
            f"/referrals/{referral.pk}/decision/match/", {"party": party, "person": person.pk, "decision": "confirmed"}
        )
    desk.post(f"/referrals/{referral.pk}/decision/accept/")

    referral = Referral.objects.select_related("case").get(pk=referral.pk)
    assert referral.case.is_repeat
    assert referral.case.status == (CaseStatus.LISTED if referral.meeting_id else CaseStatus.REFERRED)
    assert _case(listing).status == CaseStatus.HEARD


@pages
def test_a_meeting_closed_before_cases_were_marked_heard_is_put_right_once(meeting):
    """As a meeting closed before this existed was left: heard, closed, and its case still "Listed"."""
    heard, held = _listed(meeting, "NB-2026-0701"), _listed(meeting, "NB-2026-0702")
    now = timezone.now()
    Listing.objects.filter(pk=heard.pk).update(started_at=now, ended_at=now)
    Listing.objects.filter(pk=held.pk).update(outcome=Outcome.HELD_OVER)
    MeetingState.objects.filter(meeting=meeting).update(status=MeetingStatus.CLOSED)

    out = io.StringIO()
    call_command("mark_cases_heard", stdout=out)
    assert out.getvalue().strip() == "Cases changed: 1"
    assert meeting_cases_heard(meeting=meeting, by=None) == 0

    assert _case(heard).status == CaseStatus.HEARD
    assert _case(held).status == CaseStatus.LISTED
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(heard.case_id)).count() == 1


@pages
def test_an_older_listing_heard_late_does_not_undo_a_referral_to_another_marac(
    client_for, meeting, chair, coordinator, other_marac
):
    listing = _listed(meeting, "NB-2026-0901", status=CaseStatus.TRANSFERRED)
    sent = Referral.objects.create(
        marac=meeting.marac, referrer=coordinator, referring_agency=listing.case.referring_agency,
        status=ReferralStatus.ACCEPTED, case=listing.case,
    )  # fmt: skip
    Transfer.objects.create(
        from_referral=sent, to_marac=other_marac, reason="Moved for good", transferred_by=coordinator
    )
    client = client_for(chair)
    _started(client, meeting, chair)
    _open(client, listing)
    _next(client, listing)
    assert _case(listing).status == CaseStatus.TRANSFERRED
