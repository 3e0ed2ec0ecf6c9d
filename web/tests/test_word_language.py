"""Word files downloaded from their pages are marked British English (python-docx's own styles say US English), so
that Word checks the spelling and a screen reader reads them in the right voice; and every table's header row
repeats on each page it runs over, so that a row on page two still says which column is which."""

import io
from datetime import UTC, datetime, timedelta

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn

from actions.tests.tracking_data import action_for, case_at
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from referrals.tests.test_decision_matching import submitted_referral
from reports import quality_services
from reports.tests.helpers import QUARTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, police_rep, coordinator):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    confidentiality_sign(meeting=meeting, user=coordinator)
    meeting_start(meeting=meeting, by=coordinator, other_day_confirmed=True)
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-00001"))
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")
    return listing


def _downloaded(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def _assert_british_with_repeating_headers(document):
    languages = {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))}
    assert languages == {"en-GB"}
    themes = {lang.get(qn("w:val")) for lang in document.settings.element.iter(qn("w:themeFontLang"))}
    assert themes <= {"en-GB"}
    assert document.tables
    for table in document.tables:
        first, *others = (row._tr.trPr for row in table.rows)
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        assert all(properties is None or properties.find(qn("w:tblHeader")) is None for properties in others)


def test_the_summary_of_actions_is_british_english_with_repeating_headers(client_for, coordinator, listing):
    url = reverse("actions:summary_docx", args=[listing.meeting_id])
    _assert_british_with_repeating_headers(_downloaded(client_for(coordinator), url))


def test_the_family_record_is_british_english_with_repeating_headers(client_for, coordinator, listing):
    url = reverse("actions:family_record", args=[listing.case_id])
    _assert_british_with_repeating_headers(_downloaded(client_for(coordinator), url))


def test_a_referrals_word_copy_is_british_english_with_repeating_headers(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)
    url = f"/referrals/{referral.pk}/decision/referral.docx"
    _assert_british_with_repeating_headers(_downloaded(client_for(coordinator), url))


def test_the_board_report_is_british_english_with_repeating_headers(client_for, marac, coordinator):
    report = quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )
    url = f"/reports/quality/board-reports/{report.pk}/report.docx"
    _assert_british_with_repeating_headers(_downloaded(client_for(coordinator), url))


def test_the_case_list_is_british_english_with_a_repeating_header_row():
    """Built on its own (nine columns, landscape): the document most likely to run past one page."""
    from meetings.case_list_document import case_list_document

    content = case_list_document(
        marac_name="Northbrook MARAC", meeting_starts_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC), rows=[]
    )
    _assert_british_with_repeating_headers(docx.Document(io.BytesIO(content)))


def test_a_subject_access_draft_is_british_english(client_for, coordinator, listing):
    document = _downloaded(client_for(coordinator), f"/governance/people/{listing.case.victim_id}/subject-access.docx")
    _assert_british_with_repeating_headers(document)
