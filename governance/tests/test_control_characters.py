"""A subject access request must never fail: a control character in the person's data, whether saved through a page
(where Word's line break is now cleaned to a new line) or stored before that, still gives the Word document."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState, Research
from people.models import Person
from testing.documents import word_texts
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, police_rep, coordinator):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    confidentiality_sign(meeting=meeting, user=coordinator)
    meeting_start(meeting=meeting, by=coordinator, other_day_confirmed=True)
    victim = PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary")
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, victim=victim))


def _download(client, listing):
    return client.get(f"/governance/people/{listing.case.victim_id}/subject-access.docx")


def test_a_minute_saved_on_the_page_with_word_s_line_break_is_in_the_subject_access_export(
    client_for, coordinator, listing
):
    client = client_for(coordinator)
    saved = client.post(
        f"/meetings/{listing.meeting_id}/live/{listing.pk}/minutes/",
        {"risks_minute": "Alexa is in a refuge\x0bShe feels safer", "decisions_minute": "", "version": 1},
    )
    assert saved.status_code == 302
    response = _download(client, listing)
    assert response.status_code == 200
    assert "Alexa is in a refuge\nShe feels safer" in "\n".join(word_texts(response.content))


def test_old_data_with_control_characters_never_stops_the_export(client_for, coordinator, police_rep, listing):
    # As data stored before the forms and the API cleaned it would be: straight into the database.
    Listing.objects.filter(pk=listing.pk).update(risks_minute="Minute\x0bline two\x01", decisions_minute="\x0c\x1f")
    Person.objects.filter(pk=listing.case.victim_id).update(given_name="Alexa\x07")
    Research.objects.create(
        listing=listing, agency=police_rep.agency, author=police_rep, about_victim="Asked\x0bfor a move\x7f"
    )
    Action.objects.create(
        listing=listing,
        case=listing.case,
        owner_agency=police_rep.agency,
        description="Move\x0bher\x1b",
        for_whom=ForWhom.VICTIM,
        due_on=timezone.localdate(),
        created_by=police_rep,
    )
    response = _download(client_for(coordinator), listing)
    assert response.status_code == 200
    text = "\n".join(word_texts(response.content))
    for expected in ("Minute\nline two", "Asked\nfor a move", "Move\nher", "Alexa"):
        assert expected in text, expected
