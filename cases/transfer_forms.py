from typing import Any

from marac.models import Marac
from referrals.decision_forms import TransferForm


class CaseTransferForm(TransferForm):
    """Referring a case already accepted here to another MARAC: the same choice as transferring a referral (one of
    this installation's MARACs, by name only, or the name of one outside it), worded for a case."""

    def __init__(self, *args: Any, from_marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, from_marac=from_marac, **kwargs)
        reason = self.fields["reason"]
        reason.label = "Why the victim's new MARAC should lead"
        reason.help_text = (
            "A MARAC-to-MARAC referral is for a permanent or long-term move. Both MARACs' coordinators see this. "
            "Do not write the victim's new address or contact details here: for example, write 'moved permanently "
            "to the area', not where to."
        )
        reason.error_messages["required"] = "Say why the other MARAC should lead, for example a permanent move"
        if "to_marac" in self.fields:
            self.fields["to_marac"].label = "The MARAC where the victim now normally lives"
