"""When written submissions are due, and what is late, on the research pages (BD Attendance: "If there is no named
deputy or the named deputy is also unable to attend, then a written report can be submitted to the MARAC Coordinator no
later than 24 hours prior to the meeting")."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marac.models import MaracAgency
from meetings.models import Listing, Meeting, MeetingState
from referrals.calendar import LONDON
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Tuesday 29 December 2026 at 09:30: the day before is Monday 28 December, the substitute for Boxing Day.
AFTER_CHRISTMAS = datetime.datetime(2026, 12, 29, 9, 30, tzinfo=LONDON)


def _released(marac, starts_at):
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now() - timedelta(days=5))
    return meeting


def _research_url(listing):
    return reverse("meetings_research:research", args=[listing.pk])


def _grid_url(meeting):
    return reverse("meetings_research:grid", args=[meeting.pk])


def test_written_submissions_for_the_meeting_after_christmas_are_due_before_the_bank_holidays(
    client_for, marac, police_rep, coordinator
):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = _released(marac, AFTER_CHRISTMAS)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))

    page = client_for(police_rep).get(_research_url(listing)).content.decode()
    grid = client_for(coordinator).get(_grid_url(meeting)).content.decode()

    for shown in (page, grid):
        assert "by 09:30 on Thursday 24 December 2026" in shown
        assert "Monday 28 December 2026" not in shown


def test_research_from_an_agency_that_attends_is_never_late(client_for, marac, police_rep, coordinator):
    # BD Attendance: the 24-hour limit is for the written report of an agency that cannot attend. An agency that
    # attends brings its research to the meeting (BD Research: "brought or forwarded ... in advance").
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = _released(marac, timezone.now() + timedelta(hours=2))  # its written deadline has passed
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    client = client_for(police_rep)

    data = {"known_to_agency": "yes", "about_victim": "Two call-outs in March", "version": 0}
    saved = client.post(_research_url(listing), data, follow=True).content.decode()
    grid = client_for(coordinator).get(_grid_url(meeting)).content.decode()

    assert "Research saved" in saved
    assert "was late" not in saved
    assert "Late</strong>" not in saved
    assert 'data-status="researched"' in grid
    assert 'data-testid="late"' not in grid


def test_the_written_submission_box_gives_its_real_deadline(client_for, marac, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = _released(marac, AFTER_CHRISTMAS)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))

    page = client_for(police_rep).get(_research_url(listing)).content.decode()

    # "are due by" until then, "were due by" after: the time is the same whatever today is.
    assert "due by 09:30 on Thursday 24 December 2026." in page
    assert "24 hours before the meeting" not in page
