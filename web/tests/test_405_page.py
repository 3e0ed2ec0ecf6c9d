"""A GET of a URL that only takes a form's POST gets a short page in the service's layout, not an empty 405."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.live_services import confidentiality_sign
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_get_of_a_post_only_url_gets_a_page_that_says_to_use_the_form(client_for, chair, marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    case = CaseFactory(marac=marac)
    listing = Listing.objects.create(meeting=meeting, case=case)
    confidentiality_sign(meeting=meeting, user=chair)

    response = client_for(chair).get(f"/meetings/{meeting.pk}/live/{listing.pk}/minutes/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "This page only accepts a form sent from the service. Go back and use the form." in page
    assert "govuk-service-navigation" in page  # the service's layout
    assert "<script>" not in page and "style=" not in page  # nothing inline, as the CSP requires
    assert "'unsafe-inline'" not in response.get("Content-Security-Policy", "")
    assert f"/live/{listing.pk}/minutes/" not in page  # nothing of what was asked for
    assert response["Cache-Control"] == "no-store"
