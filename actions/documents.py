"""The documents that leave OpenMARAC after a meeting: the summary of actions (Word and PDF) circulated to the
representatives (BD Completion of Actions), and one family's MARAC meeting record for an agency's own file, laid out
like Camden's social care MARAC meeting record (CAM 5.3 and its template). Builders take data and return bytes;
who may have them, and the audit of the export, is the views' business."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from docx.document import Document as DocxDocument
from fpdf import FPDF

from actions.models import Action
from actions.status_labels import action_status_label, completion_note_for
from actions.tracking_selectors import FamilyMeeting, SummaryCase
from cases.models import Case, PartyRole
from meetings.minutes_services import amendment_history
from meetings.models import AttendanceCapacity, Meeting
from people.models import Person
from referrals.calendar import LONDON
from web.documents import (
    MarkedPdf,
    docx_bytes,
    latin1,
    marked_document,
    pdf_text,
    word_table,
)
from web.text import docx_text

_ACTION_COLUMNS = ("Owner agency", "Action", "For whom", "Due")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _meeting_day(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(LONDON)
    kind = "emergency meeting" if meeting.is_emergency else "meeting"
    return f"{kind} on {_day(local.date())} at {local:%H:%M}"


def _action_row(action: Action) -> tuple[str, str, str, str]:
    return (action.owner_agency.name, action.description, action.get_for_whom_display(), _day(action.due_on))


def _outcome(summary_case: SummaryCase | FamilyMeeting) -> str:
    return summary_case.listing.get_outcome_display() or "Not recorded"


# --- The summary of actions -----------------------------------------------------------------------------------------

_SUMMARY_COLUMNS = (*_ACTION_COLUMNS, "Status")


@dataclass(frozen=True)
class SummaryRows:
    """How each action of the summary reads in a document on `today`, for `viewer`: its status as on the open-actions
    lists, and what its agency said was done where the viewer may see that (status_labels.completion_note_for). With
    no viewer, no agency's note is shown."""

    today: date
    viewer: Any = None

    def row(self, summary_case: SummaryCase, action: Action) -> tuple[str, str, str, str, str]:
        agency, description, for_whom, due = _action_row(action)
        note = self._note(summary_case, action)
        if note:
            description = f"{description}\nWhat was done: {note}"
        return agency, description, for_whom, due, action_status_label(action, today=self.today).text

    def _note(self, summary_case: SummaryCase, action: Action) -> str:
        if self.viewer is None:
            return ""
        action.case = summary_case.listing.case  # read with the listing: not again for each action
        return completion_note_for(self.viewer, action)


def _summary_rows(viewer: Any, today: date | None) -> SummaryRows:
    return SummaryRows(today=today or timezone.localdate(), viewer=viewer)


# --- Word -----------------------------------------------------------------------------------------------------------


def _labelled(document: DocxDocument, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(docx_text(f"{label}: ")).bold = True
    paragraph.add_run(docx_text(value or "Not recorded"))


def action_summary_docx(
    *, meeting: Meeting, cases: list[SummaryCase], viewer: Any = None, today: date | None = None
) -> bytes:
    """The summary as `viewer` may read it (SummaryRows); each action's status as on `today`, by default today."""
    rows = _summary_rows(viewer, today)
    document = marked_document("Summary of actions")
    document.add_paragraph(docx_text(f"{meeting.marac.name}, {_meeting_day(meeting)}"))
    for summary_case in cases:
        document.add_heading(docx_text(f"Case {summary_case.listing.case.reference}"), level=1)
        _labelled(document, "Outcome", _outcome(summary_case))
        if summary_case.actions:
            word_table(document, _SUMMARY_COLUMNS, (rows.row(summary_case, action) for action in summary_case.actions))
        else:
            document.add_paragraph("No actions were agreed.")
    if not cases:
        document.add_paragraph("No cases were listed for this meeting.")
    return docx_bytes(document)


# --- PDF ------------------------------------------------------------------------------------------------------------


def _pdf_actions(pdf: FPDF, summary_case: SummaryCase, rows: SummaryRows) -> None:
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=(30, 70, 25, 25, 30), text_align="LEFT") as table:
        table.row(_SUMMARY_COLUMNS)
        for action in summary_case.actions:
            table.row([latin1(text) for text in rows.row(summary_case, action)])


def action_summary_pdf(
    *, meeting: Meeting, cases: list[SummaryCase], viewer: Any = None, today: date | None = None
) -> bytes:
    """As action_summary_docx, in a PDF."""
    rows = _summary_rows(viewer, today)
    pdf = MarkedPdf(format="A4")
    pdf.set_title("Summary of actions")
    pdf.add_page()
    pdf_text(pdf, "Summary of actions", size=18, style="B")
    pdf_text(pdf, f"{meeting.marac.name}, {_meeting_day(meeting)}")
    for summary_case in cases:
        pdf.ln(4)
        pdf_text(pdf, f"Case {summary_case.listing.case.reference}", size=13, style="B")
        pdf_text(pdf, f"Outcome: {_outcome(summary_case)}")
        if summary_case.actions:
            _pdf_actions(pdf, summary_case, rows)
        else:
            pdf_text(pdf, "No actions were agreed.")
    if not cases:
        pdf_text(pdf, "No cases were listed for this meeting.")
    return bytes(pdf.output())


# --- One family's MARAC meeting record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedBy:
    name: str
    agency: str
    at: datetime


def _born(person: Person) -> str:
    return _day(person.date_of_birth) if person.date_of_birth else "Not known"


def _people(case: Case, role: str) -> list[Person]:
    return [party.person for party in case.parties.filter(role=role).select_related("person").order_by("person_id")]


def _family_details(document: DocxDocument, case: Case) -> None:
    document.add_heading("Victim's details", level=1)
    word_table(
        document,
        ("Name", "Date of birth", "Home address", "MARAC no"),
        [(str(case.victim), _born(case.victim), "Kept confidential: not included", case.reference)],
    )
    document.add_heading("Children's details", level=1)
    children = _people(case, PartyRole.CHILD)
    if children:
        word_table(document, ("Name", "Date of birth"), [(str(child), _born(child)) for child in children])
    else:
        document.add_paragraph("No children recorded.")
    document.add_heading("Alleged or actual perpetrator's details", level=1)
    perpetrators = _people(case, PartyRole.PERPETRATOR)
    if perpetrators:
        word_table(document, ("Name", "Date of birth"), [(str(person), _born(person)) for person in perpetrators])
    else:
        document.add_paragraph("No perpetrator recorded.")
    document.add_heading("Referral to MARAC", level=1)
    _labelled(document, "Date of referral", _day(case.referred_on))
    _labelled(document, "Referring agency", case.referring_agency.name)


def _attendance_rows(meeting: FamilyMeeting) -> list[tuple[str, str, str]]:
    rows = []
    for attendance in meeting.attendance:
        written = attendance.capacity == AttendanceCapacity.WRITTEN_SUBMISSION
        if attendance.user is not None:
            name = str(attendance.user)
            agency = str(attendance.agency or attendance.user.agency or "")
        elif written:  # an agency that sent a written submission, no one in person
            name, agency = "", str(attendance.agency or "")
        else:
            name, agency = attendance.observer_name, attendance.observer_organisation
        # A written submission is what the agency sent instead of attending: not apologies on top of it.
        apologies = not attendance.present and not written
        capacity = attendance.get_capacity_display() + (" (apologies)" if apologies else "")
        rows.append((name, agency, capacity))
    return rows


def _family_meeting(document: DocxDocument, meeting: FamilyMeeting) -> None:
    listing = meeting.listing
    document.add_heading(docx_text(f"MARAC meeting: {_meeting_day(listing.meeting)}"), level=1)
    _labelled(document, "Listed as", listing.get_kind_display())
    document.add_heading("Attendees", level=2)
    rows = _attendance_rows(meeting)
    if rows:
        word_table(document, ("Name", "Agency or organisation", "Capacity"), rows)
    else:
        document.add_paragraph("No register recorded.")
    document.add_heading("Information shared and risks identified", level=2)
    document.add_paragraph(docx_text(listing.risks_minute or "Not recorded"))
    document.add_heading("Decisions", level=2)
    document.add_paragraph(docx_text(listing.decisions_minute or "Not recorded"))
    # A minute amended after its meeting closed says so, under it: the day, the role and the reason, not the minute
    # as it was (the case's page shows that to those who may see it).
    for line in amendment_history(listing):
        document.add_paragraph(docx_text(line.note))
    document.add_heading("Links to other processes", level=2)
    for link in meeting.process_links:
        text = link.get_kind_display() + (f": {link.note}" if link.note else "")
        document.add_paragraph(docx_text(text), style="List Bullet")
    if not meeting.process_links:
        document.add_paragraph("None recorded.")
    document.add_heading("Recommendations and outcome of MARAC meeting", level=2)
    _labelled(document, "Outcome", _outcome(meeting))
    if meeting.actions:
        word_table(
            document,
            (*_ACTION_COLUMNS, "Status"),
            [(*_action_row(action), action.get_status_display()) for action in meeting.actions],
        )
    else:
        document.add_paragraph("No actions were agreed.")


def family_record_docx(*, case: Case, meetings: list[FamilyMeeting], exported_by: ExportedBy) -> bytes:
    """CAM's MARAC meeting record for one family: the family, the referral, then each meeting at which the case was
    heard. Another family's details never appear: links to other families are left to the agency's own records."""
    document = marked_document("MARAC meeting record")
    document.add_paragraph(docx_text(f"{case.marac.name}, case {case.reference}"))
    _family_details(document, case)
    for meeting in meetings:
        _family_meeting(document, meeting)
    if not meetings:
        document.add_paragraph("This case has not been listed for a meeting.")
    document.add_heading("Completed by", level=1)
    local = exported_by.at.astimezone(LONDON)
    document.add_paragraph(
        docx_text(f"{exported_by.name}, {exported_by.agency}, {_day(local.date())} at {local:%H:%M}")
    )
    return docx_bytes(document)
