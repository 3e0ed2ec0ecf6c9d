"""A whole meeting in a real browser: sign the agreement, run three cases including an information-only one,
capture actions, hit the missing-perpetrator-action warning, close, and circulate the summary of actions."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from actions.models import Action
from cases.models import CaseParty, PartyRole
from marac.models import AgencyType, MaracAgency
from meetings.models import Listing, ListingKind, Meeting, MeetingState, MeetingStatus
from referrals.calendar import WorkingCalendar, add_working_days
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET, AgencyFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting(marac, coordinator, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    idva_service = AgencyFactory(name="Northbrook IDVA Service", agency_type=AgencyType.IDVA_SERVICE)
    MaracAgency.objects.create(marac=marac, agency=idva_service, is_core=True)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() - datetime.timedelta(minutes=5))
    # The case list went out before the meeting: a meeting whose list was never released cannot start.
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now() - datetime.timedelta(days=7))
    with_children = CaseFactory(marac=marac, reference="NB-2026-0101")
    CaseParty.objects.create(
        case=with_children, person=PersonFactory(marac=marac, given_name="Tiny"), role=PartyRole.CHILD
    )
    plain = CaseFactory(marac=marac, reference="NB-2026-0102")
    information = CaseFactory(marac=marac, reference="NB-2026-0103", information_only=True)
    for case in (with_children, plain):
        Listing.objects.create(meeting=meeting, case=case)
    Listing.objects.create(meeting=meeting, case=information, kind=ListingKind.INFORMATION_ONLY)
    return meeting


def _record_action(page, *, agency, what, for_whom):
    page.get_by_label("Agency volunteering the action").select_option(label=agency)
    page.get_by_label("What will they do").fill(what)
    page.locator(f"input[name=for_whom][value={for_whom}]").check()
    # A working day: an action cannot fall due on a weekend or bank holiday (meetings/live_rules.py).
    page.get_by_label("Due by").fill(add_working_days(timezone.localdate(), 10, calendar=WorkingCalendar()).isoformat())
    page.get_by_role("button", name="Record the action").click()


def test_a_whole_meeting_from_the_agreement_to_the_summary_of_actions(page, base_url, coordinator, police_rep, meeting):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/meetings/{meeting.pk}/live/")
    assert page.locator("h1").inner_text() == "Confidentiality agreement for this meeting"
    assert "NB-2026-0101" not in page.content()  # no case detail before signing
    assert_accessible(page)
    page.get_by_role("button", name="I agree").click()
    page.get_by_role("button", name="Start the meeting").click()
    rows = page.get_by_test_id("live-cases").locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["NB-2026-0101", "NB-2026-0102", "NB-2026-0103"]
    assert_accessible(page)

    page.get_by_role("link", name="NB-2026-0101").click()
    page.get_by_role("button", name="Open this case").click()
    page.get_by_label("Risks").fill("Fictional risk: threats to kill last week.")
    page.get_by_role("button", name="Save the minute").click()
    police = police_rep.agency.name
    _record_action(page, agency=police, what="Visit the school with the safeguarding lead", for_whom="children")
    assert_accessible(page)
    page.get_by_role("button", name="Next case").click()
    assert page.locator("h1").inner_text() == "Before you move on"
    assert "perpetrator" in page.locator("main").inner_text()
    page.get_by_role("button", name="Move on anyway").click()

    assert "NB-2026-0102" in page.locator("h1").inner_text()
    assert "Case NB-2026-0101 was heard with no outcome recorded" in page.locator("main").inner_text()
    _record_action(page, agency=police, what="Arrest enquiry into breach of bail", for_whom="perpetrator")
    page.get_by_role("button", name="Next case").click()

    assert "NB-2026-0103" in page.locator("h1").inner_text()
    page.goto(f"{base_url}/meetings/{meeting.pk}/live/")
    page.get_by_role("button", name="Close the meeting").click()
    # No outcome was recorded for the cases heard: the close stops and asks for each, by reference.
    assert page.locator("h1").inner_text() == "Before you close the meeting"
    assert "NB-2026-0101 was heard but has no outcome yet" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    for listing in Listing.objects.filter(meeting=meeting):
        page.locator(f"input[name=outcome_{listing.pk}][value=review]").check()
    page.get_by_role("button", name="Close the meeting").click()
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.CLOSED

    page.goto(f"{base_url}/actions/meetings/{meeting.pk}/summary/")
    assert_accessible(page)
    page.get_by_role("button", name="Circulate the action summary").click()
    assert MeetingState.objects.get(meeting=meeting).action_summary_sent_at is not None
    assert Action.objects.filter(listing__meeting=meeting, is_standard=False).count() == 2
    assert Action.objects.filter(listing__meeting=meeting, is_standard=True).exists()
    assert any(police_rep.email in message.to for message in mail.outbox)
    assert not any("Fictional" in message.body for message in mail.outbox)
