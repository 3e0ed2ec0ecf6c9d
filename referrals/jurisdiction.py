"""Which MARAC a case belongs to once it has been sent on (BD Referrals to other MARACs, Jurisdiction; DOMAIN.md
rule 13): the MARAC where the victim now lives leads. A case sent away is not listed, heard or chased here again: the
receiving MARAC lists it and notifies its own children's services when it accepts its referral. If the victim comes
back, the case comes back the same way, as a referral that MARAC transfers here, which becomes a new case here once
accepted; the case sent away stays as this MARAC's record of what it did.

Rules first (no ORM), then the reads the services call."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseStatus
from referrals.calendar import format_day
from referrals.models import Transfer


@dataclass(frozen=True)
class SentTo:
    """Where a case was referred on, and when: the MARAC-to-MARAC referral made of it (a Transfer)."""

    marac_name: str
    on: date


# --- Rules ----------------------------------------------------------------------------------------------------------


# A case has gone elsewhere once a MARAC-to-MARAC referral has been made of it, or once a meeting recorded its outcome
# as "Transferred to another MARAC" (its status), whichever came first: a meeting's decision that the case goes is not
# undone by the referral still to be made.
def case_is_sent_away(*, status: str, sent_to: SentTo | None) -> bool:
    return sent_to is not None or status == CaseStatus.TRANSFERRED


def listing_refusal(*, status: str, sent_to: SentTo | None) -> str | None:
    """Why the case cannot be listed (or held over, or brought forward) at this MARAC, in words for the page; None
    when it can."""
    if sent_to is not None:
        return (
            f"This case was referred to {sent_to.marac_name} on {format_day(sent_to.on)}, which now leads it, so it "
            "cannot be listed at this MARAC again. If the victim comes back, that MARAC refers the case here, and it "
            "arrives as a new referral to decide."
        )
    if status == CaseStatus.TRANSFERRED:
        return (
            "A meeting recorded this case as transferred to another MARAC, so it cannot be listed at this MARAC "
            "again. Refer it to that MARAC from the case page."
        )
    return None


# --- Reads ----------------------------------------------------------------------------------------------------------


def sent_to_of(case: Case) -> SentTo | None:
    transfer = Transfer.objects.filter(from_referral__case_id=case.pk).select_related("to_marac").first()
    if transfer is None:
        return None
    return SentTo(transfer.to_marac_label, timezone.localtime(transfer.transferred_at).date())


def case_listing_refusal(case: Case) -> str | None:
    """listing_refusal for the case as saved: call it with the case's row locked, so a transfer or an outcome recorded
    at the same moment is seen (case_transfer takes the case's lock too)."""
    return listing_refusal(status=case.status, sent_to=sent_to_of(case))


def sent_away(through: str = "") -> Q:
    """case_is_sent_away as a filter; `through` is the path to the case ("case__")."""
    return Q(**{f"{through}status": CaseStatus.TRANSFERRED}) | Q(**{f"{through}referral__transfer_out__isnull": False})
