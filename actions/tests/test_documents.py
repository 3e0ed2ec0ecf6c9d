import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from actions import documents
from actions.tests.tracking_data import action_for, case_at, meeting_at
from actions.tracking_selectors import action_summary, family_record
from cases.models import CaseParty, PartyRole
from meetings.models import Attendance, AttendanceCapacity, Listing, Outcome, ProcessLink, ProcessLinkKind
from testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(marac):
    return meeting_at(marac)


@pytest.fixture
def family(marac, meeting, police_rep, coordinator):
    """A family heard at the meeting, with a child, a perpetrator, minutes, a process link and an action."""
    case = case_at(marac, given_name="Amberly", reference="NB-1111")
    CaseParty.objects.create(case=case, person=PersonFactory(marac=marac, given_name="Kitlet"), role=PartyRole.CHILD)
    CaseParty.objects.create(
        case=case, person=PersonFactory(marac=marac, given_name="Brutus"), role=PartyRole.PERPETRATOR
    )
    listing = Listing.objects.create(
        meeting=meeting,
        case=case,
        outcome=Outcome.REVIEW,
        risks_minute="Threats made at the school gate",
        decisions_minute="Review in three months",
    )
    ProcessLink.objects.create(listing=listing, kind=ProcessLinkKind.MAPPA, note="Level 2 MAPPA")
    Attendance.objects.create(
        meeting=meeting, user=police_rep, agency=police_rep.agency, capacity=AttendanceCapacity.REPRESENTATIVE
    )
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")
    return case


@pytest.fixture
def other_family(marac, meeting, idva, coordinator):
    case = case_at(marac, given_name="Zephyrine", reference="NB-2222")
    listing = Listing.objects.create(
        meeting=meeting, case=case, outcome=Outcome.CLOSED, risks_minute="Other family's risks"
    )
    action_for(listing, idva.agency, coordinator, description="Offer a place at the refuge")
    return case


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    section = document.sections[0]
    parts += [paragraph.text for paragraph in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def test_the_word_summary_has_each_case_and_its_actions(meeting, family, other_family):
    text = _docx_text(documents.action_summary_docx(meeting=meeting, cases=action_summary(meeting=meeting)))
    expected = ("NB-1111", "NB-2222", "Flag the address for urgent response", "Offer a place at the refuge",
                "Review at a later meeting", "Northbrook Constabulary", "Victim", "OFFICIAL-SENSITIVE")  # fmt: skip
    for words in expected:
        assert words in text
    # The summary goes to every representative: it carries references, not names.
    assert "Amberly" not in text


def test_the_pdf_summary_has_each_case_and_its_actions(meeting, family, other_family):
    content = documents.action_summary_pdf(meeting=meeting, cases=action_summary(meeting=meeting))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for expected in ("NB-1111", "NB-2222", "Flag the address for urgent response", "OFFICIAL-SENSITIVE"):
        assert expected in text


def test_the_pdf_copes_with_typographic_punctuation(meeting, family, coordinator, police_rep):
    listing = Listing.objects.get(case=family)
    action_for(
        listing,
        police_rep.agency,
        coordinator,
        description="Check the victim\u2019s \u201csafe word\u201d \u2013 urgently \u2713",
    )
    content = documents.action_summary_pdf(meeting=meeting, cases=action_summary(meeting=meeting))
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert 'victim\'s "safe word" - urgently' in text


def test_the_family_record_holds_only_that_family(family, other_family, coordinator):
    exported_by = documents.ExportedBy(name="Cora Ordinator", agency="Northbrook MARAC Team", at=timezone.now())
    content = documents.family_record_docx(case=family, meetings=family_record(case=family), exported_by=exported_by)
    text = _docx_text(content)
    for expected in ("MARAC meeting record", "Victim's details", "Amberly", "Kitlet", "Brutus", "NB-1111",
                     "Threats made at the school gate", "Review in three months", "MAPPA: Level 2 MAPPA",
                     "Pat Police-Rep", "Flag the address for urgent response", "Recommendations and outcome",
                     "Completed by", "Cora Ordinator"):  # fmt: skip
        assert expected in text, expected
    for absent in ("Zephyrine", "NB-2222", "Other family's risks", "Offer a place at the refuge"):
        assert absent not in text, absent


def test_the_family_record_is_marked_official_sensitive(family):
    exported_by = documents.ExportedBy(name="Cora Ordinator", agency="", at=timezone.now())
    document = Document(io.BytesIO(documents.family_record_docx(case=family, meetings=[], exported_by=exported_by)))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert section.footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"


def test_the_downloaded_family_record_is_that_family_only(client_for, coordinator, family, other_family):
    response = client_for(coordinator).get(reverse("actions:family_record", args=[family.pk]))
    text = _docx_text(response.content)
    assert "NB-1111" in text and "NB-2222" not in text
