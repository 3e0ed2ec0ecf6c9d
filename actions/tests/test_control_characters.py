"""A control character in free text never stops a Word download: what the forms and the API take is cleaned (Word's
line break, U+000B, kept as a new line), and text stored before that (old data) is cleaned as the document is made."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actions.models import Action
from actions.tests.tracking_data import action_for, case_at
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from referrals.calendar import WorkingCalendar, add_working_days
from testing.documents import word_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, police_rep, coordinator):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    confidentiality_sign(meeting=meeting, user=coordinator)
    meeting_start(meeting=meeting, by=coordinator, other_day_confirmed=True)
    return Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-00001"))


def _record(client, listing):
    return client.get(reverse("actions:family_record", args=[listing.case_id]))


def _summary(client, listing, kind="docx"):
    return client.get(reverse(f"actions:summary_{kind}", args=[listing.meeting_id]))


def test_a_minute_saved_on_the_page_with_word_s_line_break_downloads_in_the_family_record(
    client_for, coordinator, listing
):
    client = client_for(coordinator)
    saved = client.post(
        f"/meetings/{listing.meeting_id}/live/{listing.pk}/minutes/",
        {"risks_minute": "Threats at the school gate\x0bSeen twice since", "decisions_minute": "", "version": 1},
    )
    assert saved.status_code == 302
    response = _record(client, listing)
    assert response.status_code == 200
    assert "Threats at the school gate\nSeen twice since" in word_texts(response.content)


def test_an_action_recorded_through_the_api_with_word_s_line_break_downloads_in_the_summary(
    client_for, coordinator, police_rep, listing
):
    client = client_for(coordinator)
    created = client.post(
        f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/actions",
        {
            "owner_agency_id": police_rep.agency_id,
            "description": "Flag the address\x0bfor urgent response\x00",
            "for_whom": "victim",
            "due_on": str(add_working_days(timezone.localdate(), 10, calendar=WorkingCalendar())),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert Action.objects.get().description == "Flag the address\nfor urgent response"
    response = _summary(client, listing)
    assert response.status_code == 200
    assert "Flag the address\nfor urgent response" in word_texts(response.content)


def test_old_data_with_control_characters_still_downloads(client_for, coordinator, police_rep, listing):
    # As text saved before the forms and the API cleaned it would be: straight into the database.
    Listing.objects.filter(pk=listing.pk).update(
        risks_minute="Old minute\x0bsecond line\x01\x08\x1f\x7f", decisions_minute="Page\x0cbreak"
    )
    action = action_for(listing, police_rep.agency, coordinator, description="Old\x0baction\x02")
    Action.objects.filter(pk=action.pk).update(completion_note="Done\x0b\x0e")
    client = client_for(coordinator)

    record = _record(client, listing)
    assert record.status_code == 200
    texts = word_texts(record.content)
    assert "Old minute\nsecond line" in texts and "Page\nbreak" in texts and "Old\naction" in texts

    summary = _summary(client, listing)
    assert summary.status_code == 200
    assert "Old\naction" in word_texts(summary.content)

    pdf = _summary(client, listing, "pdf")
    assert pdf.status_code == 200
    assert "Old" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)


def test_a_completion_note_over_20000_characters_is_refused_on_the_page_and_through_the_api(
    client_for, coordinator, police_rep, listing
):
    action = action_for(listing, police_rep.agency, coordinator)
    client = client_for(police_rep)
    page = client.post(reverse("actions:done", args=[action.pk]), {"completion_note": "x" * 20_001, "version": 1})
    assert page.status_code == 200
    assert "What was done must be 20,000 characters or fewer" in page.content.decode()
    api = client.post(
        f"/api/v1/actions/{action.pk}/done", {"note": "x" * 200_000, "version": 1}, content_type="application/json"
    )
    assert api.status_code == 422
    assert api.json()["errors"] == {"body.note": ["What was done must be 20,000 characters or fewer"]}
    action.refresh_from_db()
    assert action.completion_note == ""
