"""The victim's voice over the length limit says only that: it is not also "Write the victim's views and wishes"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Listing, Meeting, MeetingState, VictimVoice
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "The victim's views and wishes must be 20,000 characters or fewer"


@pytest.fixture
def url(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(days=3))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    return reverse("meetings_research:victim_voice", args=[listing.pk])


def _page(response):
    return response.content.decode().replace("&#x27;", "'")


def test_views_over_20000_characters_get_only_the_length_error(client_for, idva, url):
    response = client_for(idva).post(url, {"victim_views": "x" * 20_001, "child_voice": "", "version": 0})
    page = _page(response)
    assert response.status_code == 200
    assert TOO_LONG in page
    assert "Write the victim's views and wishes" not in page
    assert not VictimVoice.objects.exists()


def test_a_child_voice_over_the_limit_with_no_views_gets_only_its_length_error(client_for, idva, url):
    response = client_for(idva).post(url, {"victim_views": "", "child_voice": "x" * 20_001, "version": 0})
    page = _page(response)
    assert "The child's voice, where sought must be 20,000 characters or fewer" in page
    assert "Write the victim's views and wishes" not in page
    assert not VictimVoice.objects.exists()


def test_nothing_written_still_asks_for_the_views(client_for, idva, url):
    response = client_for(idva).post(url, {"victim_views": "  ", "child_voice": "", "version": 0})
    page = _page(response)
    assert response.status_code == 200 and "Write the victim's views and wishes" in page
