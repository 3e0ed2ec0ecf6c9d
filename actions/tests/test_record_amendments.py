"""The family's MARAC meeting record in Word says, under a meeting's minute, when the minute was amended after the
meeting closed, by whom (their role) and why; never the minute as it was."""

import datetime

import pytest
from django.utils import timezone

from meetings import live_services as live
from meetings import minutes_services as minutes
from meetings.models import Listing, Meeting, MeetingState
from referrals.calendar import format_day
from testing.documents import word_texts
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

FIRST_RISKS = "Threats made by text."
DECISIONS = "Review at the next meeting."


def _heard_and_closed(marac, case, by, *signers, days_ago):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() - datetime.timedelta(days=days_ago))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    for user in signers:
        live.confidentiality_sign(meeting=meeting, user=user)
    listing = Listing.objects.create(meeting=meeting, case=case)
    live.meeting_start(meeting=meeting, by=by, other_day_confirmed=True)
    live.listing_open(listing=listing, by=by)
    live.minute_save(
        listing=listing,
        risks_minute=FIRST_RISKS,
        decisions_minute=DECISIONS,
        based_on_version=Listing.objects.get(pk=listing.pk).version,
        by=by,
    )
    live.outcome_record(listing=listing, outcome="review", by=by)
    live.meeting_close(meeting=meeting, by=by)
    return Listing.objects.get(pk=listing.pk)


def _amend(listing, by, *, risks, reason):
    current = Listing.objects.get(pk=listing.pk)
    minutes.minute_amend(
        listing=current,
        risks_minute=risks,
        decisions_minute=current.decisions_minute,
        reason=reason,
        based_on_version=current.version,
        based_on_minute="",
        by=by,
    )


def _record(client, case):
    response = client.get(f"/actions/cases/{case.pk}/record.docx")
    assert response.status_code == 200
    return word_texts(response.content)


def test_each_amendment_is_noted_under_its_meetings_minute(client_for, marac, chair, coordinator, police_rep):
    case = CaseFactory(marac=marac, reference="NB-2026-0950")
    earlier = _heard_and_closed(marac, case, chair, chair, coordinator, days_ago=28)
    later = _heard_and_closed(marac, case, chair, chair, coordinator, days_ago=1)
    _amend(later, chair, risks="Threats made by text and in person.", reason="Police attended the address too.")
    _amend(later, coordinator, risks="Threats made in person.", reason="The texts were from someone else.")
    today = format_day(timezone.localdate())

    for reader in (coordinator, police_rep):  # those who may export a family's record
        texts = _record(client_for(reader), case)

        by_chair = f"Amended on {today} by the MARAC chair: Police attended the address too."
        by_coordinator = f"Amended on {today} by the MARAC coordinator: The texts were from someone else."
        assert texts.count(by_chair) == 1 and texts.count(by_coordinator) == 1
        # Under the later meeting's minute, in the order they were made, before its links to other processes.
        decisions = [index for index, text in enumerate(texts) if text == DECISIONS]
        links = [index for index, text in enumerate(texts) if text == "Links to other processes"]
        assert len(decisions) == 2 and len(links) == 2
        assert texts[decisions[1] + 1 : links[1]] == [by_chair, by_coordinator]
        # The earlier meeting's minute was never amended: nothing under it.
        assert texts[decisions[0] + 1] == "Links to other processes"
        # The amended minute, not what it replaced.
        assert "Threats made in person." in texts
        assert "Threats made by text and in person." not in texts
        assert texts.count(FIRST_RISKS) == 1  # the earlier meeting's own minute
    assert earlier.risks_minute == FIRST_RISKS


def test_a_record_with_no_amendments_says_nothing_of_them(client_for, marac, chair, coordinator):
    case = CaseFactory(marac=marac, reference="NB-2026-0951")
    _heard_and_closed(marac, case, chair, chair, coordinator, days_ago=1)
    texts = _record(client_for(coordinator), case)
    assert FIRST_RISKS in texts and not any(text.startswith("Amended on") for text in texts)
