"""A case held over to a later meeting (BD Deadlines: "held over to the next MARAC meeting") is heard there: the
referral pages name that meeting, and an emergency MARAC can still be called for it. The listing it was held over
from is settled and stays as the record of the hold-over; only the live listing at the later meeting moves, and only
where nothing has been said or written of it there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Listing, Meeting, Outcome, Research
from referrals.calendar import LONDON, format_meeting_time
from referrals.models import Referral
from referrals.selectors import referral_current_meeting
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _when(meeting: Meeting) -> str:
    return timezone.localtime(meeting.starts_at, LONDON).strftime("%A %-d %B %Y at %H:%M")


@pytest.fixture
def held_over(client_for, referrer, coordinator):
    """A referral accepted (listed at the next ordinary meeting), then held over on that meeting's agenda."""
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    first = Listing.objects.get(case=referral.case)
    response = desk.post(
        f"/meetings/{first.meeting_id}/listings/{first.pk}/hold-over/", {"reason": "Police research not complete"}
    )
    assert response.status_code == 302
    later = Listing.objects.get(case=referral.case, held_over_from=first.meeting)
    return referral, first, later, desk


def _emergency_time(listing: Listing) -> dict[str, str]:
    """The day before the first meeting, at 14:00: not a time the ordinary MARAC meets."""
    at = timezone.localtime(listing.meeting.starts_at, LONDON) - timedelta(days=1)
    return {"day": at.date().isoformat(), "at": "14:00"}


def test_the_referrer_sees_the_meeting_the_case_was_held_over_to(held_over, client_for, referrer):
    referral, first, later, _ = held_over
    client = client_for(referrer)

    status = client.get(f"/referrals/{referral.pk}/").content.decode()
    listed = client.get("/referrals/").content.decode()

    assert f"{_when(later.meeting)}" in status
    assert _when(first.meeting) not in status
    later_day = timezone.localtime(later.meeting.starts_at, LONDON)
    assert f"{later_day.day} {later_day:%b %Y}" in listed
    first_day = timezone.localtime(first.meeting.starts_at, LONDON)
    assert f"{first_day.day} {first_day:%b %Y}" not in listed


def test_the_coordinator_sees_the_meeting_the_case_was_held_over_to(held_over):
    referral, first, later, desk = held_over

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert f"Listed for {_when(later.meeting)}" in page
    assert _when(first.meeting) not in page


def test_a_held_over_case_can_be_listed_at_an_emergency_marac(held_over):
    referral, first, later, desk = held_over

    response = desk.post(f"/referrals/{referral.pk}/decision/emergency/", _emergency_time(first))

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.meeting.is_emergency
    assert Listing.objects.filter(case=referral.case, meeting=referral.meeting).exists()
    assert not Listing.objects.filter(pk=later.pk).exists()  # the live listing moved
    assert Listing.objects.get(pk=first.pk).outcome == Outcome.HELD_OVER  # the record of the hold-over stays
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert f"Listed for an emergency MARAC on {_when(referral.meeting)}" in page


def test_research_at_the_meeting_held_over_to_blocks_the_move_and_the_refusal_names_that_meeting(
    held_over, marac, police_rep
):
    referral, first, later, desk = held_over
    Research.objects.create(
        listing=later, agency=AgencyFactory(), author=police_rep, known_to_agency=True, about_victim="Known."
    )

    response = desk.post(f"/referrals/{referral.pk}/decision/emergency/", _emergency_time(first))

    text = response.content.decode()
    assert response.status_code == 200
    assert f"This case is also listed at the MARAC on {format_meeting_time(later.meeting.starts_at)}" in text
    assert format_meeting_time(first.meeting.starts_at) not in text
    referral.refresh_from_db()
    assert not referral.meeting.is_emergency
    assert Listing.objects.filter(pk=later.pk).exists()
    assert not Meeting.objects.filter(marac=marac, is_emergency=True, listings__isnull=False).exists()


def test_the_decision_page_offers_an_emergency_marac_only_when_the_case_is_not_already_at_one(held_over):
    referral, first, _, desk = held_over
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "List at an emergency MARAC</a> if the case cannot wait for that meeting" in page

    desk.post(f"/referrals/{referral.pk}/decision/emergency/", _emergency_time(first))

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "List at an emergency MARAC" not in page


def test_the_current_meeting_is_read_in_one_query(held_over, django_assert_num_queries):
    referral, _, later, _ = held_over
    fresh = Referral.objects.get(pk=referral.pk)
    with django_assert_num_queries(1):
        meeting = referral_current_meeting(fresh)
    assert meeting == later.meeting
