"""The case list as a Word document: generated, then opened again with python-docx and read back."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from docx import Document

from cases.models import CaseParty, PartyRole
from meetings.case_list_document import COLUMNS, CaseListRow, case_list_document
from meetings.models import Listing, ListingKind, Meeting
from testing.factories import AgencyFactory, CaseFactory, PersonFactory
from web.documents import HANDLING, MARKING

LONDON = ZoneInfo("Europe/London")


def _read(content):
    document = Document(io.BytesIO(content))
    table = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    return document, rows


def test_it_lays_out_the_list_like_the_circulated_ones():
    row = CaseListRow(
        number=1,
        reference="NM-2026-0001",
        victim_name="Fictiona Testworth",
        victim_date_of_birth=datetime.date(1991, 4, 3),
        perpetrators=["Madeup Villainson", "Other Villainson"],
        children=[("Tiny Testworth", 7), ("Baby Testworth", None)],
        referring_agency="Northbrook Constabulary",
        repeat=True,
        information_only=False,
        slot_starts_at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=LONDON),
    )
    content = case_list_document(
        marac_name="Northbrook MARAC",
        meeting_starts_at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=LONDON),
        rows=[row],
    )
    document, rows = _read(content)
    assert rows[0] == list(COLUMNS)
    assert rows[1] == [
        "1",
        "NM-2026-0001",
        "Fictiona Testworth, 03/04/1991",
        "Madeup Villainson\nOther Villainson",
        "Tiny Testworth (7)\nBaby Testworth (age not known)",
        "Northbrook Constabulary",
        "Y",
        "Full",
        "09:30",
    ]
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Northbrook MARAC: case list" in paragraphs
    assert "Meeting on Tuesday 3 November 2026 at 09:30" in paragraphs
    section = document.sections[0]
    assert section.header.paragraphs[0].text == MARKING == "OFFICIAL-SENSITIVE"
    assert section.footer.paragraphs[0].text == MARKING
    assert section.footer.paragraphs[1].text == HANDLING
    assert document.core_properties.title == "Northbrook MARAC: case list"


def test_an_emergency_marac_is_called_one():
    content = case_list_document(
        marac_name="Northbrook MARAC",
        meeting_starts_at=datetime.datetime(2026, 11, 26, 14, 0, tzinfo=LONDON),
        rows=[],
        is_emergency=True,
    )
    paragraphs = [paragraph.text for paragraph in Document(io.BytesIO(content)).paragraphs]
    assert "Emergency MARAC on Thursday 26 November 2026 at 14:00" in paragraphs
    assert "No cases are listed for this meeting." in paragraphs


@pytest.mark.django_db
def test_the_download_carries_the_agenda_in_order(client_for, coordinator, marac):
    day = timezone.localdate() + datetime.timedelta(days=1)
    starts_at = datetime.datetime.combine(day, datetime.time(9, 45), tzinfo=LONDON)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    agency = AgencyFactory(name="Northbrook Housing")
    plain = CaseFactory(marac=marac, reference="NM-2026-0201", referring_agency=agency, is_repeat=True)
    with_children = CaseFactory(marac=marac, reference="NM-2026-0202", referring_agency=agency)
    perpetrator = PersonFactory(marac=marac, given_name="Madeup", family_name="Villainson")
    CaseParty.objects.create(case=with_children, person=perpetrator, role=PartyRole.PERPETRATOR)
    child = PersonFactory(
        marac=marac, given_name="Tiny", family_name="Testworth", date_of_birth=datetime.date(2019, 6, 1)
    )
    CaseParty.objects.create(case=with_children, person=child, role=PartyRole.CHILD)
    information = CaseFactory(marac=marac, reference="NM-2026-0203", referring_agency=agency)
    Listing.objects.create(meeting=meeting, case=information, kind=ListingKind.INFORMATION_ONLY)
    Listing.objects.create(meeting=meeting, case=plain)
    Listing.objects.create(meeting=meeting, case=with_children)

    response = client_for(coordinator).get(f"/meetings/{meeting.pk}/case-list.docx")
    assert response.status_code == 200
    _, rows = _read(response.content)
    assert [row[1] for row in rows[1:]] == ["NM-2026-0202", "NM-2026-0201", "NM-2026-0203"]
    age = day.year - 2019 - ((day.month, day.day) < (6, 1))
    assert rows[1][3] == "Madeup Villainson"
    assert rows[1][4] == f"Tiny Testworth ({age})"
    assert [row[6] for row in rows[1:]] == ["N", "Y", "N"]
    assert [row[7] for row in rows[1:]] == ["Full", "Full", "Information only"]
    assert [row[8] for row in rows[1:]] == ["09:45", "10:00", "10:15"]
    assert rows[2][2] == f"{plain.victim}, 17/05/1990"
