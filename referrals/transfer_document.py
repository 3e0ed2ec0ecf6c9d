"""A referral as a Word document, for the coordinator to send to a MARAC that does not use OpenMARAC here (BD Referrals
to other MARACs): the referral's own answers, section by section, marked OFFICIAL-SENSITIVE. Plain data in, bytes
out: the view decides who may have it and records the download."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from referrals.calendar import format_meeting_time
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


def _on(moment: datetime | None) -> str:
    return f" on {format_meeting_time(moment)}" if moment is not None else ""


def referral_document(copy: ReferralCopy) -> bytes:
    document = marked_document(f"Referral {copy.number} to {copy.marac_name}")
    submitted = format_meeting_time(copy.submitted_at) if copy.submitted_at else "not submitted"
    document.add_paragraph(docx_text(f"Submitted on {submitted}, by {copy.referred_by}."))
    if copy.transferred_from:
        document.add_paragraph(docx_text(f"Transferred from {copy.transferred_from}{_on(copy.transferred_from_at)}."))
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
    return docx_bytes(document)
