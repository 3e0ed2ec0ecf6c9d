"""Long free text at the meeting (minutes, research, the victim's voice) is limited to 20,000 characters, through the
pages and the API alike, and text pasted from Word keeps its line breaks without its control characters."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marac.models import AgencyType, MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState, Research, VictimVoice
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 20_001
LONGEST = "x" * 20_000


@pytest.fixture
def listing(marac, police_rep, idva):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    idva.agency.agency_type = AgencyType.IDVA_SERVICE
    idva.agency.save()
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    MaracAgency.objects.create(marac=marac, agency=idva.agency, is_core=True, representative=idva)
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def _minutes_url(listing):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/minutes/"


def _running(listing, user):
    confidentiality_sign(meeting=listing.meeting, user=user)
    meeting_start(meeting=listing.meeting, by=user, other_day_confirmed=True)


def _api(listing, what):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/{what}"


def test_a_minute_pasted_from_word_keeps_its_line_breaks_and_loses_its_control_characters(
    client_for, coordinator, listing
):
    _running(listing, coordinator)
    response = client_for(coordinator).post(
        _minutes_url(listing),
        {
            "risks_minute": "Threats at the gate\x0bSeen twice\x01",
            "decisions_minute": "Refuge\x0csought\x00",
            "version": 1,
        },
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.risks_minute, listing.decisions_minute) == ("Threats at the gate\nSeen twice", "Refuge\nsought")


def test_a_minute_over_20000_characters_is_refused_with_its_name_and_nothing_is_saved(client_for, coordinator, listing):
    _running(listing, coordinator)
    client = client_for(coordinator)
    version = Listing.objects.get(pk=listing.pk).version
    response = client.post(
        _minutes_url(listing), {"risks_minute": TOO_LONG, "decisions_minute": "Agreed", "version": version}
    )
    assert "Risks must be 20,000 characters or fewer" in response.content.decode()
    listing.refresh_from_db()
    assert listing.risks_minute == "" and listing.decisions_minute == ""
    response = client.post(
        _minutes_url(listing), {"risks_minute": "", "decisions_minute": TOO_LONG, "version": version}
    )
    assert "Decisions must be 20,000 characters or fewer" in response.content.decode()
    saved = client.post(_minutes_url(listing), {"risks_minute": LONGEST, "decisions_minute": "", "version": version})
    assert saved.status_code == 302


def test_research_over_20000_characters_is_refused_on_the_page_and_through_the_api(client_for, police_rep, listing):
    client = client_for(police_rep)
    page = client.post(
        reverse("meetings_research:research", args=[listing.pk]),
        {"known_to_agency": "yes", "about_victim": TOO_LONG, "version": 0},
    )
    assert page.status_code == 200
    assert "must be 20,000 characters or fewer" in page.content.decode()
    api = client.put(
        _api(listing, "research"),
        {"version": 0, "known_to_agency": True, "about_perpetrator": "x" * 200_000},
        content_type="application/json",
    )
    assert api.status_code == 422
    [message] = api.json()["errors"]["body.about_perpetrator"]
    assert message.endswith("must be 20,000 characters or fewer")
    assert not Research.objects.exists()


def test_research_through_the_api_is_cleaned_of_control_characters(client_for, police_rep, listing):
    response = client_for(police_rep).put(
        _api(listing, "research"),
        {"version": 0, "known_to_agency": True, "about_victim": "Two call-outs\x0bin March\x1f\x7f"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert Research.objects.get().about_victim == "Two call-outs\nin March"


def test_the_victim_s_voice_over_20000_characters_is_refused_on_the_page_and_through_the_api(client_for, idva, listing):
    client = client_for(idva)
    page = client.post(
        reverse("meetings_research:victim_voice", args=[listing.pk]),
        {"victim_views": TOO_LONG, "child_voice": "", "version": 0},
    )
    assert "The victim&#x27;s views and wishes must be 20,000 characters or fewer" in page.content.decode()
    api = client.put(
        _api(listing, "victim-voice"),
        {"version": 0, "victim_views": "Wants to stay", "child_voice": "x" * 200_000},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["errors"]["body.child_voice"] == [
        "The child's voice, where sought must be 20,000 characters or fewer"
    ]
    assert not VictimVoice.objects.exists()


def test_the_victim_s_voice_through_the_api_keeps_word_s_line_break(client_for, idva, listing):
    response = client_for(idva).put(
        _api(listing, "victim-voice"),
        {"version": 0, "victim_views": "Wants to stay\x0bin her home", "child_voice": ""},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert VictimVoice.objects.get().victim_views == "Wants to stay\nin her home"
