"""A case sent to another MARAC (BD Referrals to other MARACs, Jurisdiction) is that MARAC's to hear: this MARAC does
not list it again, whether at an emergency MARAC, by holding it over to the next meeting or by bringing it forward,
and says why on the page, with nothing saved. A case the meeting recorded as transferred, with the referral still to
make, is refused alike. If the victim comes back, the other MARAC refers the case here: it becomes a new case, which
is listed as any other."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import Case, CaseStatus
from cases.tests.test_case_transfer import _accepted_case, _heard, _refer
from meetings import live_rules
from meetings import live_services as live
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Outcome
from referrals import jurisdiction
from referrals.calendar import LONDON, WorkingCalendar, format_day, is_working_day
from referrals.models import Referral, ReferralStatus, Transfer
from referrals.tests.test_accept_known_person import confirm_victim_held

pytestmark = pytest.mark.django_db

REFUSED = "which now leads it, so it cannot be listed at this MARAC again"
MEETING_SAID = (
    "A meeting recorded this case as transferred to another MARAC, so it cannot be listed at this MARAC again"
)


def _emergency_day(marac):
    ahead = [timezone.localdate() + datetime.timedelta(days=offset) for offset in range(3, 30)]
    return next(
        day for day in ahead if is_working_day(day, WorkingCalendar()) and day.weekday() != marac.meeting_weekday
    )


def _list_at_emergency(client, referral, day):
    return client.post(
        f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"}, follow=True
    ).content.decode()


@pytest.fixture
def sent_case(client_for, referrer, coordinator, other_marac, django_capture_on_commit_callbacks):
    """Heard here, then referred through the case page to Southmere MARAC, in this installation."""
    case = _heard(_accepted_case(client_for, referrer, coordinator))
    _refer(client_for(coordinator), case, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED
    return case


def _nothing_listed_since(case, listings, meetings):
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED
    assert set(Listing.objects.filter(case=case).values_list("pk", "outcome")) == listings
    assert Meeting.objects.count() == meetings  # no emergency MARAC called for it either


def test_a_case_sent_to_another_marac_is_not_listed_at_an_emergency_marac_here(
    client_for, coordinator, sent_case, marac
):
    client = client_for(coordinator)
    referral = sent_case.referral
    listings, meetings = (
        set(Listing.objects.filter(case=sent_case).values_list("pk", "outcome")),
        Meeting.objects.count(),
    )
    explanation = referral.listing_explanation

    decision = client.get(f"/referrals/{referral.pk}/decision/").content.decode()
    asked = client.get(f"/referrals/{referral.pk}/decision/emergency/", follow=True).content.decode()
    posted = _list_at_emergency(client, referral, _emergency_day(marac))

    why = f"This case was referred to Southmere MARAC on {format_day(timezone.localdate())}, {REFUSED}"
    assert why in decision and "List at an emergency MARAC</a>" not in decision
    assert why in asked and 'name="day"' not in asked
    assert why in posted and "Listed at the emergency MARAC" not in posted
    _nothing_listed_since(sent_case, listings, meetings)
    referral.refresh_from_db()
    assert referral.listing_explanation == explanation
    assert not AuditEvent.objects.filter(summary__startswith="Listed at emergency meeting").exists()


def test_a_case_the_meeting_said_was_transferred_is_not_listed_here_before_the_referral_is_made(
    client_for, referrer, coordinator, marac
):
    case = _heard(_accepted_case(client_for, referrer, coordinator), Outcome.TRANSFERRED)
    meetings = Meeting.objects.count()

    posted = _list_at_emergency(client_for(coordinator), case.referral, _emergency_day(marac))

    assert MEETING_SAID in posted and "Refer it to that MARAC from the case page" in posted
    _nothing_listed_since(case, {(listing.pk, Outcome.TRANSFERRED) for listing in case.listings.all()}, meetings)


@pytest.fixture
def sent_with_a_listing_left_open(client_for, referrer, coordinator, other_marac, django_capture_on_commit_callbacks):
    """Listed at a meeting that is past and was never run in OpenMARAC (its listing has no outcome, and does not hold
    the case here), then referred to Southmere MARAC."""
    case = _accepted_case(client_for, referrer, coordinator)
    listing = Listing.objects.get(case=case)
    Meeting.objects.filter(pk=listing.meeting_id).update(starts_at=datetime.datetime(2026, 10, 7, 11, 0, tzinfo=LONDON))
    _refer(client_for(coordinator), case, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)
    assert Transfer.objects.filter(from_referral__case=case).exists()
    listing.refresh_from_db()
    return listing


def test_a_case_sent_away_is_not_held_over_to_the_next_meeting(client_for, coordinator, sent_with_a_listing_left_open):
    listing = sent_with_a_listing_left_open
    url = f"/meetings/{listing.meeting_id}/listings/{listing.pk}/hold-over/"

    page = client_for(coordinator).post(url, {"reason": "Police research not complete"}, follow=True).content.decode()

    assert f"This case was referred to Southmere MARAC on {format_day(timezone.localdate())}, {REFUSED}" in page
    _nothing_listed_since(listing.case, {(listing.pk, "")}, Meeting.objects.count())
    assert not AuditEvent.objects.filter(summary__startswith="Held over").exists()


def test_a_case_sent_away_is_not_brought_forward(client_for, coordinator, sent_with_a_listing_left_open):
    listing = sent_with_a_listing_left_open
    url = f"/meetings/{listing.meeting_id}/listings/{listing.pk}/bring-forward/"

    page = client_for(coordinator).post(url, follow=True).content.decode()

    assert f"This case was referred to Southmere MARAC on {format_day(timezone.localdate())}, {REFUSED}" in page
    listing.refresh_from_db()
    assert not listing.brought_forward and listing.position is None


def test_closing_a_meeting_it_was_left_listed_at_does_not_hold_it_over_and_saves_nothing_until_it_is_left_unheard(
    client_for, chair, sent_with_a_listing_left_open
):
    listing = sent_with_a_listing_left_open
    meeting = listing.meeting
    live.confidentiality_sign(meeting=meeting, user=chair)
    MeetingState.objects.update_or_create(
        meeting=meeting, defaults={"status": MeetingStatus.IN_PROGRESS, "case_list_released_at": timezone.now()}
    )
    client = client_for(chair)
    url = f"/meetings/{meeting.pk}/live/close/"

    held = client.post(url, {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "Out of time"})

    assert f"Case {listing.case.reference} cannot be held over: This case was referred to Southmere MARAC" in (
        held.content.decode()
    )
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.IN_PROGRESS
    _nothing_listed_since(listing.case, {(listing.pk, "")}, Meeting.objects.count())
    left = client.post(url, {"confirmed": "yes", "for_all": live_rules.LEAVE_UNHEARD, "reason": "Out of time"})
    assert left.status_code == 302
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.CLOSED
    _nothing_listed_since(listing.case, {(listing.pk, "")}, Meeting.objects.count())


def test_a_case_that_comes_back_by_transfer_is_a_new_case_listed_here_and_the_old_one_stays_sent(
    client_for, coordinator, outsider, sent_case, marac, other_marac, django_capture_on_commit_callbacks
):
    """Southmere accepts it, hears it, and refers it back when the victim returns (outsider: Southmere's
    coordinator)."""
    there = Transfer.objects.get(from_referral__case=sent_case).to_referral
    client_for(outsider).post(f"/referrals/{there.pk}/decision/accept/")
    there.refresh_from_db()
    assert there.status == ReferralStatus.ACCEPTED
    _heard(there.case)
    _refer(client_for(outsider), there.case, {"to_marac": marac.pk}, django_capture_on_commit_callbacks)
    back = Transfer.objects.get(from_referral=there).to_referral
    client = client_for(coordinator)

    confirm_victim_held(client, back)  # she is the victim of the case sent away
    client.post(f"/referrals/{back.pk}/decision/accept/")
    back.refresh_from_db()
    day = _emergency_day(marac)
    listed = _list_at_emergency(client, back, day)
    refused = _list_at_emergency(client, sent_case.referral, day)

    assert back.status == ReferralStatus.ACCEPTED and back.case != sent_case and back.case.marac == marac
    assert "Listed at the emergency MARAC" in listed
    back.case.refresh_from_db()
    assert back.case.status == CaseStatus.LISTED
    assert Listing.objects.filter(case=back.case, meeting__is_emergency=True, meeting__marac=marac).exists()
    assert REFUSED in refused
    assert not Listing.objects.filter(case=sent_case, meeting__is_emergency=True).exists()
    assert Case.objects.get(pk=sent_case.pk).status == CaseStatus.TRANSFERRED
    assert Referral.objects.get(pk=sent_case.referral.pk).status == ReferralStatus.ACCEPTED


def test_the_outsider_cannot_reach_the_emergency_listing_of_a_case_sent_to_their_marac(
    client_for, outsider, sent_case, marac
):
    url = f"/referrals/{sent_case.referral.pk}/decision/emergency/"
    assert client_for(outsider).get(url).status_code == 404
    day = _emergency_day(marac)
    assert client_for(outsider).post(url, {"day": day.isoformat(), "at": "14:00"}).status_code == 404


# The rule: a case is refused exactly when it has been sent (a transfer made) or a meeting said it goes; the words
# name the receiving MARAC and the day whenever a transfer was made.
statuses = st.sampled_from(list(CaseStatus))
sent = st.none() | st.builds(
    jurisdiction.SentTo, st.sampled_from(["Southmere MARAC", "Eastvale MARAC"]), st.dates(datetime.date(2020, 1, 1))
)


@given(status=statuses, sent_to=sent)
def test_a_case_is_refused_exactly_when_it_went_elsewhere_and_the_refusal_says_where(status, sent_to):
    refusal = jurisdiction.listing_refusal(status=status, sent_to=sent_to)

    gone = jurisdiction.case_is_sent_away(status=status, sent_to=sent_to)
    assert gone == (sent_to is not None or status == CaseStatus.TRANSFERRED)
    assert (refusal is not None) == gone
    if sent_to is not None:
        assert refusal is not None and f"{sent_to.marac_name} on {format_day(sent_to.on)}" in refusal
