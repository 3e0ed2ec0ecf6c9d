"""Forms for the governance registers. Edits carry the record's version (VersionedForm) so a stale save is refused."""

from typing import Any

from django import forms

from accounts.models import Role, User
from governance import disclosure_rules, records_rules
from governance.models import AgreementSignature, Breach, Complaint, DisclosureRequest, InductionRecord, ProtocolReview
from marac.models import Agency
from web.forms import DateInput, VersionedForm

_TEXTAREA = forms.Textarea(attrs={"rows": 4})
NO_PERSONAL_DETAILS = "Do not name the victim, the perpetrator or anyone in a case."


# --- Complaints -----------------------------------------------------------------------------------------------------


class ComplaintForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Complaint
        fields = ["received_on", "from_whom", "summary"]
        labels = {"received_on": "Date received", "from_whom": "Who complained", "summary": "What the complaint is"}
        help_texts = {
            "received_on": "The 5 working days to acknowledge it run from this date.",
            "summary": NO_PERSONAL_DETAILS,
        }
        widgets = {"received_on": DateInput(), "summary": _TEXTAREA}


class ComplaintAcknowledgeForm(VersionedForm):
    class Meta:
        model = Complaint
        fields = ["acknowledged_on"]
        labels = {"acknowledged_on": "Date acknowledged"}
        help_texts = {"acknowledged_on": "Tell the complainant when they can expect a response."}
        widgets = {"acknowledged_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acknowledged_on"].required = True


class ComplaintInvestigateForm(VersionedForm):
    class Meta:
        model = Complaint
        fields = ["investigation_notes"]
        labels = {"investigation_notes": "Investigation notes"}
        help_texts = {"investigation_notes": NO_PERSONAL_DETAILS}
        widgets = {"investigation_notes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigation_notes"].required = True


class ComplaintResolveForm(VersionedForm):
    class Meta:
        model = Complaint
        fields = ["resolved_on"]
        labels = {"resolved_on": "Date the chair's response was sent"}
        widgets = {"resolved_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].required = True


class ComplaintEscalateForm(VersionedForm):
    """Only the version: escalation is a button, dated today."""

    class Meta:
        model = Complaint
        fields: list[str] = []


# --- Breaches -------------------------------------------------------------------------------------------------------


class BreachForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Breach
        fields = ["occurred_on", "reported_on", "agency", "of_what", "description"]
        labels = {
            "occurred_on": "Date of the breach",
            "reported_on": "Date reported",
            "agency": "Agency responsible (if known)",
            "of_what": "What was breached",
            "description": "What happened",
        }
        help_texts = {"description": NO_PERSONAL_DETAILS}
        widgets = {
            "occurred_on": DateInput(),
            "reported_on": DateInput(),
            "of_what": forms.RadioSelect,
            "description": _TEXTAREA,
        }

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(memberships__marac_id=marac_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        occurred, reported = cleaned.get("occurred_on"), cleaned.get("reported_on")
        if occurred and reported and reported < occurred:
            self.add_error("reported_on", "The date reported cannot be before the date of the breach")
        return cleaned


class BreachUpdateForm(VersionedForm):
    class Meta:
        model = Breach
        fields = ["referred_to_vawg_on", "outcome"]
        labels = {"referred_to_vawg_on": "Date referred to the VAWG sub group", "outcome": "Outcome"}
        widgets = {"referred_to_vawg_on": DateInput(), "outcome": _TEXTAREA}


# --- Disclosure requests --------------------------------------------------------------------------------------------


class DisclosureRequestForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DisclosureRequest
        fields = ["requested_by", "reference", "received_on"]
        labels = {
            "requested_by": "Who is asking",
            "reference": "Their reference (optional)",
            "received_on": "Date the written request was received",
        }
        widgets = {"received_on": DateInput()}


class DhrRequestForm(DisclosureRequestForm):
    circumstance = forms.ChoiceField(
        label="Circumstances of the review",
        choices=disclosure_rules.DhrCircumstance.choices,
        widget=forms.RadioSelect,
        help_text="In the first two, minutes and action plans must be released within 10 working days.",
        error_messages={"required": "Choose the circumstances of the review"},
    )

    class Meta(DisclosureRequestForm.Meta):
        labels = {**DisclosureRequestForm.Meta.labels, "requested_by": "Who is asking (the review panel's chair)"}


class DisclosureDecisionForm(VersionedForm):
    class Meta:
        model = DisclosureRequest
        fields = ["chair_decision", "decision_reason"]
        labels = {"chair_decision": "Your decision", "decision_reason": "Reasons"}
        widgets = {"chair_decision": forms.RadioSelect, "decision_reason": _TEXTAREA}
        error_messages = {
            "chair_decision": {"required": "Choose whether to release"},
            "decision_reason": {"required": "Give the reasons for the decision"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair_decision"].choices = disclosure_rules.ChairDecision.choices  # type: ignore[attr-defined]
        self.fields["chair_decision"].required = self.fields["decision_reason"].required = True


class DisclosureReleaseForm(VersionedForm):
    class Meta:
        model = DisclosureRequest
        fields = ["released_on", "redaction_notes"]
        labels = {"released_on": "Date released", "redaction_notes": "What was redacted, and why"}
        help_texts = {"redaction_notes": "Third parties' details and information from agencies that asked for it."}
        widgets = {"released_on": DateInput(), "redaction_notes": _TEXTAREA}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["released_on"].required = True


# --- Agreements, induction, protocol review -------------------------------------------------------------------------


class SignatureForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AgreementSignature
        fields = ["agency", "document", "signed_on", "signed_by"]
        labels = {"signed_on": "Date signed", "signed_by": "Signed for the agency by"}
        widgets = {"document": forms.RadioSelect, "signed_on": DateInput()}

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(memberships__marac_id=marac_id)  # type: ignore[attr-defined]


class InductionStartForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Representative", queryset=User.objects.none(), error_messages={"required": "Choose the representative"}
    )

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role_grants__marac_id=marac_id,
                role_grants__role__in=[Role.AGENCY_REPRESENTATIVE, Role.IDVA, Role.CHAIR, Role.COORDINATOR],
            )
            .exclude(pk__in=InductionRecord.objects.filter(marac_id=marac_id).values("user_id"))
            .distinct()
        )


class InductionForm(VersionedForm):
    items = forms.MultipleChoiceField(
        label="Done so far",
        choices=records_rules.INDUCTION_ITEMS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = InductionRecord
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["items"] = list(self.instance.completed_items)


class ProtocolReviewForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ProtocolReview
        fields = ["reviewed_on", "notes"]
        labels = {"reviewed_on": "Date the VAWG sub group reviewed the protocol", "notes": "Notes (optional)"}
        widgets = {"reviewed_on": DateInput(), "notes": _TEXTAREA}
