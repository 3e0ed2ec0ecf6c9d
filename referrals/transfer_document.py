"""A referral as a Word document, for the coordinator to send to a MARAC that does not use OpenMARAC here (BD Referrals
to other MARACs): the referral's own answers, section by section, marked OFFICIAL-SENSITIVE; for a case received from
another MARAC here, also what that MARAC did with it. Plain data in, bytes out: the view decides who may have it and
records the download."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docx.document import Document as DocxDocument

from referrals.calendar import format_meeting_time
from referrals.case_transfers import SentAction, WhatTheSenderDid
from web.documents import docx_bytes, marked_document, word_table
from web.text import docx_text

type Section = tuple[str, Sequence[Sequence[tuple[str, str]]]]  # (title, items of (label, words) rows)


@dataclass(frozen=True)
class ReferralCopy:
    number: int
    marac_name: str
    submitted_at: datetime | None
    referred_by: str  # the referrer's name, agency and email: the receiving MARAC's way back to them
    criteria_summary: str
    sections: Sequence[Section]
    transferred_to: str = ""  # the receiving MARAC's name, once transferred
    transferred_to_at: datetime | None = None
    # For a referral this MARAC received by transfer: the sending MARAC's name and when it was transferred. Its
    # `submitted_at` is then the referrer's own submission, at the first MARAC, never the time of the transfer.
    transferred_from: str = ""
    transferred_from_at: datetime | None = None
    transferred_from_by: str = ""  # the sending coordinator, "Name (work email)"
    what_was_done: WhatTheSenderDid | None = None  # a case sent on after it was heard there


def _on(moment: datetime | None) -> str:
    return f" on {format_meeting_time(moment)}" if moment is not None else ""


def referral_document(copy: ReferralCopy) -> bytes:
    document = marked_document(f"Referral {copy.number} to {copy.marac_name}")
    submitted = format_meeting_time(copy.submitted_at) if copy.submitted_at else "not submitted"
    document.add_paragraph(docx_text(f"Submitted on {submitted}, by {copy.referred_by}."))
    if copy.transferred_from:
        document.add_paragraph(docx_text(f"Transferred from {copy.transferred_from}{_on(copy.transferred_from_at)}."))
    if copy.transferred_from_by:
        document.add_paragraph(docx_text(f"Sent by {copy.transferred_from_by}, its coordinator."))
    if copy.transferred_to:
        document.add_paragraph(docx_text(f"Transferred to {copy.transferred_to}{_on(copy.transferred_to_at)}."))
    if copy.criteria_summary:
        document.add_heading("Criteria", level=1)
        document.add_paragraph(docx_text(copy.criteria_summary))
    for title, items in copy.sections:
        document.add_heading(docx_text(title), level=1)
        for number, rows in enumerate(items, start=1):
            if len(items) > 1:
                document.add_heading(docx_text(f"{title}: {number}"), level=2)
            word_table(document, ("Question", "Answer"), rows)
    if copy.what_was_done is not None:
        _what_was_done(document, copy.what_was_done)
    return docx_bytes(document)


def _what_was_done(document: DocxDocument, done: WhatTheSenderDid) -> None:
    """The section "What <sending MARAC> did", as the decision page shows it."""
    document.add_heading(docx_text(f"What {done.marac} did"), level=1)
    document.add_paragraph(
        docx_text(f"As its case {done.case_reference} stood when it was sent. Its coordinator: {done.coordinator}.")
    )
    if done.restricted:
        document.add_paragraph(docx_text(done.restricted_words))
        return
    _hearings(document, done)
    _actions(document, done)
    document.add_heading("IDVA", level=2)
    document.add_paragraph(docx_text(done.idva or "No IDVA allocation was held there."))
    document.add_heading("Risk checklist scores", level=2)
    scores = [(score.case_reference, score.referred_on, score.score) for score in done.scores]
    _table_or(document, ("Case", "Referred on", "Score"), scores, "None held there.")


def _hearings(document: DocxDocument, done: WhatTheSenderDid) -> None:
    document.add_heading("Hearings", level=2)
    if not done.hearings:
        document.add_paragraph("Not heard there.")
    for hearing in done.hearings:
        document.add_heading(docx_text(f"{hearing.meeting}: {hearing.outcome}"), level=3)
        rows = [
            ("Listed for", hearing.kind),
            ("Risks", hearing.risks or "Not minuted"),
            ("Decisions", hearing.decisions or "Not minuted"),
        ]
        word_table(document, ("Minute", "As minuted"), rows)


def _actions(document: DocxDocument, done: WhatTheSenderDid) -> None:
    document.add_heading("Actions", level=2)
    header = ("Agreed at", "Agency", "Action", "For", "Due", "Status")
    rows = [
        (action.agreed_at, action.agency, action.description, action.for_whom, action.due_on, _status(action))
        for action in done.actions
    ]
    _table_or(document, header, rows, "None agreed there.")


def _status(action: SentAction) -> str:
    return f"{action.status}: {action.note}" if action.note else action.status


def _table_or(document: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]], none: str) -> None:
    if rows:
        word_table(document, header, rows)
    else:
        document.add_paragraph(none)
