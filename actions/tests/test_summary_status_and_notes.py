"""The summary of actions, on its page and in its Word and PDF downloads, words each action's status as the open-actions
list does (overdue, chased, with the chair), and shows what an agency said it did when it marked an action done (BD
Completion of Actions: agencies "provide confirmation that actions have been completed to the MARAC Coordinator") to
the coordinator and the chair, as the form promises, and to that agency: never to another agency's representative,
though the summary shows them every agency's actions."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from actions import documents, tracking
from actions.tests.tracking_data import action_for, case_at, meeting_at
from actions.tracking_selectors import action_summary
from meetings.models import Listing, MeetingState
from testing.documents import word_texts

pytestmark = pytest.mark.django_db

FLAG = "Flag the address for urgent response"
FIREARMS = "Check the firearms licence"
SAFETY_PLAN = "Offer a safety plan review"
SCHOOL_NURSE = "Refer the children to the school nurse"
POLICE_NOTE = "Marker added to the control room system"
IDVA_NOTE = "Referral accepted by the school nurse team"


@pytest.fixture
def meeting(marac, coordinator, police_rep, idva):
    """A held meeting, its case list released, with one case's actions: one open, one overdue and chased, one with
    the chair, and one done by each agency."""
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0950"))
    today = timezone.localdate()
    action_for(listing, police_rep.agency, coordinator, description=FLAG)
    firearms = action_for(listing, police_rep.agency, coordinator, description=FIREARMS, due_on=today - timedelta(3))
    tracking.actions_mark_chased(actions=[firearms], marac=marac, now=timezone.now() - timedelta(days=1))
    plan = action_for(listing, idva.agency, coordinator, description=SAFETY_PLAN, due_on=today - timedelta(days=10))
    tracking.actions_mark_escalated(actions=[plan], marac=marac, now=timezone.now())
    police_done = action_for(listing, police_rep.agency, coordinator, description="Visit the victim")
    tracking.action_complete(action=police_done, note=POLICE_NOTE, based_on_version=1, by=police_rep)
    nurse = action_for(listing, idva.agency, coordinator, description=SCHOOL_NURSE)
    tracking.action_complete(action=nurse, note=IDVA_NOTE, based_on_version=1, by=idva)
    return meeting


def _chased(format: str = "j M Y") -> str:
    return date_format(timezone.localdate() - timedelta(days=1), format)


def _page(client, meeting) -> str:
    response = client.get(reverse("actions:summary", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _pdf_text(content: bytes) -> str:
    # A table cell wraps its words onto several lines.
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def _downloads(client, meeting) -> dict[str, str]:
    """The text of the Word and the PDF downloads, as the user opening them reads it."""
    word = client.get(reverse("actions:summary_docx", args=[meeting.pk]))
    pdf = client.get(reverse("actions:summary_pdf", args=[meeting.pk]))
    assert (word.status_code, pdf.status_code) == (200, 200)
    return {"docx": "\n".join(word_texts(word.content)), "pdf": _pdf_text(pdf.content)}


def test_it_words_each_status_as_the_open_actions_list_does(client_for, police_rep, meeting):
    page = _page(client_for(police_rep), meeting)

    assert '<strong class="govuk-tag govuk-tag--orange">Overdue</strong>' in page
    assert f"Chased {_chased()}" in page
    assert '<strong class="govuk-tag govuk-tag--red">With the chair</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in page
    assert page.count('<strong class="govuk-tag govuk-tag--green">Done</strong>') == 2


def test_the_coordinator_and_the_chair_read_what_each_agency_said_it_did(client_for, coordinator, chair, meeting):
    for user in (coordinator, chair):
        page = _page(client_for(user), meeting)
        assert f"What was done:</strong> {POLICE_NOTE}" in page, user
        assert f"What was done:</strong> {IDVA_NOTE}" in page, user


def test_a_representative_reads_only_its_own_agency_s_note(client_for, police_rep, idva, outsider, meeting):
    police = _page(client_for(police_rep), meeting)
    advocate = _page(client_for(idva), meeting)

    assert POLICE_NOTE in police and IDVA_NOTE not in police
    assert SCHOOL_NURSE in police  # the IDVA service's action itself is on everyone's summary, its note is not
    assert IDVA_NOTE in advocate and POLICE_NOTE not in advocate
    assert client_for(outsider).get(reverse("actions:summary", args=[meeting.pk])).status_code == 404


def test_the_downloads_word_each_status_as_the_page_does(client_for, police_rep, meeting):
    for kind, text in _downloads(client_for(police_rep), meeting).items():
        assert f"Overdue, chased {_chased('j F Y')}" in text, kind
        assert "With the chair" in text and "Open" in text and "Done" in text, kind


def test_no_download_carries_another_agency_s_note(client_for, police_rep, idva, meeting):
    for kind, text in _downloads(client_for(police_rep), meeting).items():
        assert IDVA_NOTE not in text, kind
    for kind, text in _downloads(client_for(idva), meeting).items():
        assert POLICE_NOTE not in text, kind


def test_the_coordinator_s_downloads_carry_what_each_agency_said_it_did(client_for, coordinator, meeting):
    for kind, text in _downloads(client_for(coordinator), meeting).items():
        assert f"What was done: {POLICE_NOTE}" in text, kind
        assert f"What was done: {IDVA_NOTE}" in text, kind


def test_the_documents_carry_the_notes_their_reader_may_see(coordinator, police_rep, meeting):
    for user, seen, unseen in ((coordinator, [POLICE_NOTE, IDVA_NOTE], []), (police_rep, [POLICE_NOTE], [IDVA_NOTE])):
        cases = action_summary(meeting=meeting, viewer=user)
        word = "\n".join(word_texts(documents.action_summary_docx(meeting=meeting, cases=cases, viewer=user)))
        pdf = _pdf_text(documents.action_summary_pdf(meeting=meeting, cases=cases, viewer=user))
        for text in (word, pdf):
            assert all(f"What was done: {note}" in text for note in seen), user
            assert not any(note in text for note in unseen), user


def test_the_summary_page_reads_the_case_once_for_all_its_notes(
    client_for, coordinator, meeting, django_assert_max_num_queries
):
    client = client_for(coordinator)
    _page(client, meeting)  # the session and the roles read once
    with django_assert_max_num_queries(30) as queries:
        _page(client, meeting)
    assert not [query for query in queries.captured_queries if 'FROM "cases_case"' in query["sql"]][1:]
