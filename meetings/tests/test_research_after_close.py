"""Once a meeting has closed, the research and the victim's voice recorded for it are the record of what was known at
the meeting: the pages show them read only with a line saying the meeting has closed, a save sent to them (a page
opened before the close) is refused with the reason, the API answers 409, and nothing is saved by any route."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Research, VictimVoice
from meetings.research_services import MEETING_CLOSED_MESSAGE, MeetingClosed, research_save, victim_voice_save
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

CLOSED_LINE = "The meeting has closed. What was recorded for it is shown read only"


@pytest.fixture
def meeting(marac):
    starts = (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now() - timedelta(days=6))
    return meeting


@pytest.fixture
def listing(marac, meeting, police_rep, idva):
    """A case researched and with the victim's voice before the meeting, which has since closed."""
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference="NB-2026-0901"))
    Research.objects.create(
        listing=listing, agency=police_rep.agency, author=police_rep, known_to_agency=True, about_victim="As known"
    )
    VictimVoice.objects.create(listing=listing, victim_views="Wants to stay at home", recorded_by=idva)
    MeetingState.objects.filter(meeting=meeting).update(status=MeetingStatus.CLOSED)
    return listing


def _unchanged(listing) -> None:
    research = Research.objects.get(listing=listing)
    assert (research.about_victim, research.version) == ("As known", 1)
    voice = VictimVoice.objects.get(listing=listing)
    assert (voice.victim_views, voice.version) == ("Wants to stay at home", 1)


def test_the_research_page_of_a_closed_meeting_is_read_only(client_for, police_rep, listing):
    page = client_for(police_rep).get(reverse("meetings_research:research", args=[listing.pk])).content.decode()

    assert CLOSED_LINE in page
    assert "As known" in page  # what was recorded, shown
    assert "Save research" not in page and 'name="about_victim"' not in page


def test_research_sent_after_the_close_is_refused_and_nothing_is_saved(client_for, police_rep, listing):
    response = client_for(police_rep).post(
        reverse("meetings_research:research", args=[listing.pk]),
        {"known_to_agency": "yes", "about_victim": "Changed after the meeting", "version": 1},
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert MEETING_CLOSED_MESSAGE.replace("'", "&#x27;") in page
    assert "Research saved" not in page
    _unchanged(listing)


def test_the_victim_s_voice_page_of_a_closed_meeting_is_read_only(client_for, idva, listing):
    url = reverse("meetings_research:victim_voice", args=[listing.pk])
    client = client_for(idva)

    page = client.get(url).content.decode()
    refused = client.post(url, {"victim_views": "Changed after the meeting", "child_voice": "", "version": 1})

    assert CLOSED_LINE in page and "Wants to stay at home" in page
    assert 'name="victim_views"' not in page
    assert refused.status_code == 200
    assert MEETING_CLOSED_MESSAGE.replace("'", "&#x27;") in refused.content.decode()
    _unchanged(listing)


def test_the_services_refuse_a_closed_meeting(listing, police_rep, idva):
    with pytest.raises(MeetingClosed, match="Nothing was saved"):
        research_save(
            listing=listing,
            agency=police_rep.agency,
            data={"known_to_agency": True, "about_victim": "Changed"},
            based_on_version=1,
            by=police_rep,
        )
    with pytest.raises(MeetingClosed):
        victim_voice_save(listing=listing, data={"victim_views": "Changed"}, based_on_version=1, by=idva)
    _unchanged(listing)


def test_an_open_meeting_still_takes_research(listing, police_rep):
    MeetingState.objects.filter(meeting=listing.meeting).update(status=MeetingStatus.IN_PROGRESS)

    saved = research_save(
        listing=listing,
        agency=police_rep.agency,
        data={"known_to_agency": True, "about_victim": "Added on the day"},
        based_on_version=1,
        by=police_rep,
    )

    assert saved.version == 2


def test_the_api_answers_409_for_a_closed_meeting(marac, police_rep, idva, listing, bearer, issue_token):  # noqa: F811
    police = bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))
    idva_service = bearer(issue_token(marac, Role.IDVA, agency=idva.agency))
    base = f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}"

    research = police.put(
        f"{base}/research", {"version": 1, "known_to_agency": True, "about_victim": "Changed"}, "application/json"
    )
    voice = idva_service.put(f"{base}/victim-voice", {"version": 1, "victim_views": "Changed"}, "application/json")
    invalid = police.put(f"{base}/research", {"version": 1, "known_to_agency": True}, "application/json")

    for response in (research, voice, invalid):
        assert response.status_code == 409
        assert response.json()["error"] == MEETING_CLOSED_MESSAGE
    assert police.get(f"{base}/research").status_code == 200  # still readable
    _unchanged(listing)
