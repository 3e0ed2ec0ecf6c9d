"""WCAG 1.4.10 Reflow on the service's list pages: at 320 CSS pixels their tables scroll within their own regions and
the page itself never scrolls sideways; each page still passes axe."""

import pytest
from django.utils import timezone

from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Attendance, AttendanceCapacity, Listing, MeetingState
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 900}


def _page_width(page, base_url, path):
    page.goto(f"{base_url}{path}")
    assert_accessible(page)
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_coordinators_lists_fit_320_pixels(page, base_url, marac, coordinator, police_rep, administrator):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0001"))
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for an urgent response")
    Attendance.objects.create(
        meeting=meeting, agency=police_rep.agency, user=police_rep, capacity=AttendanceCapacity.REPRESENTATIVE
    )
    paths = ["/cases/", "/audit/", "/actions/", "/settings/", f"/meetings/{meeting.pk}/register/"]
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.set_viewport_size(NARROW)

    widths = {path: _page_width(page, base_url, path) for path in paths}

    assert widths == dict.fromkeys(paths, NARROW["width"])


def test_the_users_list_fits_320_pixels(page, base_url, administrator):
    sign_in(page, base_url, administrator.email, PASSWORD, TEST_TOTP_SECRET)
    page.set_viewport_size(NARROW)

    assert _page_width(page, base_url, "/you/users/") == NARROW["width"]
