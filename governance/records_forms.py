"""Forms for the governance registers. Edits carry the record's version (VersionedForm) so a stale save is refused."""

from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case
from governance import disclosure_rules, records_rules
from governance.models import AgreementSignature, Breach, Complaint, DisclosureRequest, InductionRecord, ProtocolReview
from governance.records_selectors import case_at_marac_for_user
from governance.records_services import CASE_NOT_FOUND, REFERRAL_KEPT, RESPONSE_PROMISED, response_promised_error
from marac.models import Agency
from web.choices import without_blank_choice
from web.forms import DateInput, VersionedForm
from web.text import LONG_TEXT_MAX

_TEXTAREA = forms.Textarea(attrs={"rows": 4})
NO_PERSONAL_DETAILS = "Do not name the victim, the perpetrator or anyone in a case."


class LongTexts:
    """The registers' text areas kept to a long text's limit (web.text.LONG_TEXT_MAX), as minutes and research are:
    the model's TextFields have none, and a page or a board report holding 200,000 characters is unusable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in cast(forms.BaseForm, self).fields.values():
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                field.max_length = LONG_TEXT_MAX
                field.validators.append(MaxLengthValidator(LONG_TEXT_MAX))
                field.widget.attrs.update(field.widget_attrs(field.widget))  # maxlength, as the other long texts have


class AlreadySaved(LongTexts):
    """For a VersionedForm whose record has moved on since the page was shown. When what is saved is what was sent
    (the same form sent again: back, then send), that is not someone else's change: `already_saved` is set, for the
    view to say so plainly, instead of VersionedForm's "Someone else changed this record"."""

    already_saved = False

    def clean(self) -> dict[str, Any]:
        form = cast(forms.ModelForm, self)  # type: ignore[type-arg]
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # VersionedForm raises only for a stale version; the form's own fields are cleaned by now.
            self.already_saved = bool(form.instance.pk) and self._saved_as_sent(form)
            raise

    @staticmethod
    def _saved_as_sent(form: forms.ModelForm) -> bool:  # type: ignore[type-arg]
        names = [name for name in form._meta.fields or [] if name in form.fields]
        return bool(names) and all(
            name in form.cleaned_data and form.cleaned_data[name] == getattr(form.instance, name) for name in names
        )


def date_errors(what: str) -> dict[str, str]:
    """Django's generic date messages, replaced by ones naming the date (GOV.UK pattern)."""
    return {"required": f"Enter the date {what}", "invalid": f"The date {what} must be a real date"}


class HappenedDates:
    """For forms whose dates record something that has happened: each must be today or in the past, and must not
    come before the dates it follows. The rule is records_rules.record_date_errors, the one the services enforce
    too; the form shows its errors beside the fields.

    `happened` maps a field to the words completing "The date ..." (its "required" and "invalid" messages say them
    too: date_errors); `record_dates` gives the form's dates, and the dates they follow, from the records_rules
    function for the register, the earlier date from another field of the form or from the saved record."""

    happened: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(forms.BaseForm, self).fields
        for field, what in self.happened.items():
            fields[field].error_messages.update(date_errors(what))

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return ()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        form = cast(forms.BaseForm, self)
        errors = records_rules.record_date_errors(self.record_dates(cleaned), today=timezone.localdate())
        for field, error in errors.items():
            if field not in form.errors:
                form.add_error(field, error)
        return cleaned


# --- Complaints -----------------------------------------------------------------------------------------------------

RECEIVED = records_rules.COMPLAINT_RECEIVED
ACKNOWLEDGED = records_rules.COMPLAINT_ACKNOWLEDGED


class ComplaintForm(LongTexts, HappenedDates, forms.ModelForm):  # type: ignore[type-arg]
    happened = {"received_on": RECEIVED}

    class Meta:
        model = Complaint
        fields = ["received_on", "from_whom", "summary"]
        labels = {"received_on": "Date received", "from_whom": "Who complained", "summary": "What the complaint is"}
        help_texts = {
            "received_on": "The 5 working days to acknowledge it run from this date.",
            "summary": NO_PERSONAL_DETAILS,
        }
        widgets = {"received_on": DateInput(), "summary": _TEXTAREA}
        error_messages = {
            "from_whom": {"required": "Enter who complained"},
            "summary": {"required": "Enter what the complaint is"},
        }

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_received_dates(received_on=cleaned.get("received_on"))


class ComplaintAcknowledgeForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"acknowledged_on": ACKNOWLEDGED}

    class Meta:
        model = Complaint
        fields = ["acknowledged_on", "response_promised_by"]
        labels = {
            "acknowledged_on": "Date acknowledged",
            "response_promised_by": "Date you told the complainant to expect your response by",
        }
        help_texts = {
            "response_promised_by": "The protocol asks you to give the complainant a time frame for your response "
            "when you acknowledge the complaint."
        }
        widgets = {"acknowledged_on": DateInput(), "response_promised_by": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acknowledged_on"].required = self.fields["response_promised_by"].required = True
        self.fields["response_promised_by"].error_messages.update(date_errors(RESPONSE_PROMISED))

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_acknowledged_dates(
            acknowledged_on=cleaned.get("acknowledged_on"), received_on=self.instance.received_on
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        error = response_promised_error(
            cleaned.get("response_promised_by"),
            acknowledged_on=cleaned.get("acknowledged_on"),
            today=timezone.localdate(),
        )
        if error and "response_promised_by" not in self.errors:
            self.add_error("response_promised_by", error)
        return cleaned


class ComplaintInvestigateForm(AlreadySaved, VersionedForm):
    class Meta:
        model = Complaint
        fields = ["investigation_notes"]
        labels = {"investigation_notes": "Investigation notes"}
        help_texts = {"investigation_notes": NO_PERSONAL_DETAILS}
        widgets = {"investigation_notes": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"investigation_notes": {"required": "Enter the investigation notes"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigation_notes"].required = True


class ComplaintResolveForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"resolved_on": records_rules.COMPLAINT_RESOLVED}

    class Meta:
        model = Complaint
        fields = ["resolved_on"]
        labels = {"resolved_on": "Date the chair's response was sent"}
        widgets = {"resolved_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].required = True

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_resolved_dates(
            resolved_on=cleaned.get("resolved_on"),
            received_on=self.instance.received_on,
            acknowledged_on=self.instance.acknowledged_on,
        )


class ComplaintEscalateForm(AlreadySaved, HappenedDates, VersionedForm):
    """Escalation follows the chair's response: when the complainant asked, and why they are not satisfied."""

    happened = {"escalated_on": records_rules.COMPLAINT_ESCALATED}

    class Meta:
        model = Complaint
        fields = ["escalated_on", "escalation_reason"]
        labels = {
            "escalated_on": "Date the complainant asked for the complaint to be escalated",
            "escalation_reason": "Why the complainant is not satisfied with your response",
        }
        help_texts = {"escalation_reason": NO_PERSONAL_DETAILS}
        widgets = {"escalated_on": DateInput(), "escalation_reason": _TEXTAREA}
        error_messages = {
            "escalation_reason": {"required": "Enter why the complainant is not satisfied with your response"}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["escalated_on"].required = self.fields["escalation_reason"].required = True

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_escalated_dates(
            escalated_on=cleaned.get("escalated_on"), resolved_on=self.instance.resolved_on
        )


class ComplaintVawgAcknowledgeForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"vawg_acknowledged_on": records_rules.COMPLAINT_VAWG_ACKNOWLEDGED}

    class Meta:
        model = Complaint
        fields = ["vawg_acknowledged_on"]
        labels = {"vawg_acknowledged_on": "Date the VAWG chair acknowledged the complaint"}
        help_texts = {"vawg_acknowledged_on": "The date on their acknowledgement to the complainant."}
        widgets = {"vawg_acknowledged_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vawg_acknowledged_on"].required = True

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_vawg_acknowledged_dates(
            vawg_acknowledged_on=cleaned.get("vawg_acknowledged_on"), escalated_on=self.instance.escalated_on
        )


class ComplaintVawgOutcomeForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"vawg_responded_on": records_rules.COMPLAINT_VAWG_RESPONDED}

    class Meta:
        model = Complaint
        fields = ["vawg_responded_on", "vawg_outcome"]
        labels = {
            "vawg_responded_on": "Date the VAWG chair responded to the complainant",
            "vawg_outcome": "The VAWG chair's outcome",
        }
        help_texts = {"vawg_outcome": NO_PERSONAL_DETAILS}
        widgets = {"vawg_responded_on": DateInput(), "vawg_outcome": _TEXTAREA}
        error_messages = {"vawg_outcome": {"required": "Enter the VAWG chair's outcome"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vawg_responded_on"].required = self.fields["vawg_outcome"].required = True

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.complaint_vawg_outcome_dates(
            vawg_responded_on=cleaned.get("vawg_responded_on"),
            escalated_on=self.instance.escalated_on,
            vawg_acknowledged_on=self.instance.vawg_acknowledged_on,
        )


# --- Breaches -------------------------------------------------------------------------------------------------------

OCCURRED = records_rules.BREACH_OCCURRED
REPORTED = records_rules.BREACH_REPORTED


class BreachForm(LongTexts, HappenedDates, forms.ModelForm):  # type: ignore[type-arg]
    happened = {"occurred_on": OCCURRED, "reported_on": REPORTED}

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
        error_messages = {
            "of_what": {"required": "Choose what was breached"},
            "description": {"required": "Enter what happened"},
        }

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(memberships__marac_id=marac_id)  # type: ignore[attr-defined]
        without_blank_choice(self.fields["of_what"])

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.breach_dates(
            occurred_on=cleaned.get("occurred_on"), reported_on=cleaned.get("reported_on")
        )


class BreachUpdateForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"referred_to_vawg_on": records_rules.BREACH_REFERRED}

    class Meta:
        model = Breach
        fields = ["referred_to_vawg_on", "outcome"]
        labels = {"referred_to_vawg_on": "Date referred to the VAWG sub group", "outcome": "Outcome"}
        widgets = {"referred_to_vawg_on": DateInput(), "outcome": _TEXTAREA}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.referred_to_vawg_on is not None:
            # BD Breaches: the referral has happened; the register keeps it (a wrong date can be corrected).
            field = self.fields["referred_to_vawg_on"]
            field.required = True
            field.error_messages["required"] = REFERRAL_KEPT

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.breach_referred_dates(
            referred_to_vawg_on=cleaned.get("referred_to_vawg_on"), reported_on=self.instance.reported_on
        )


# --- Disclosure requests --------------------------------------------------------------------------------------------

REQUEST_RECEIVED = records_rules.REQUEST_RECEIVED


CASE_NEEDED = (
    "Enter the MARAC case reference: in these circumstances the review is about a client of the MARAC, and the "
    "minutes and action plans of their case must be released"
)


class DisclosureRequestForm(HappenedDates, forms.ModelForm):  # type: ignore[type-arg]
    """The request, and the case it is about by its reference: typed, and found only among the cases the user may
    see at this MARAC. Linking the case keeps it in the disclosure register, so retention anonymises it rather than
    deleting it (governance.retention), and tells the chair and coordinator whose minutes are to go out."""

    happened = {"received_on": REQUEST_RECEIVED}
    case = forms.CharField(
        label="MARAC case reference (optional)",
        required=False,
        max_length=Case._meta.get_field("reference").max_length,
        help_text="The case the request is about, for example NB-2026-0042.",
    )

    class Meta:
        model = DisclosureRequest
        fields = ["requested_by", "reference", "received_on"]
        labels = {
            "requested_by": "Who is asking",
            "reference": "Their reference (optional)",
            "received_on": "Date the written request was received",
        }
        widgets = {"received_on": DateInput()}
        error_messages = {
            "requested_by": {"required": "Enter who is asking"},
        }

    def __init__(self, *args: Any, user: User, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.marac_id = user, marac_id

    def clean_case(self) -> Case | None:
        reference = self.cleaned_data.get("case", "").strip()
        if not reference:
            return None
        case = case_at_marac_for_user(user=self.user, marac_id=self.marac_id, reference=reference)
        if case is None:
            raise forms.ValidationError(CASE_NOT_FOUND)
        return case

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.request_received_dates(received_on=cleaned.get("received_on"))


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
        error_messages = {
            **DisclosureRequestForm.Meta.error_messages,
            "requested_by": {"required": "Enter who is asking (the review panel's chair)"},
        }

    def __init__(self, *args: Any, user: User, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, user=user, marac_id=marac_id, **kwargs)
        self.order_fields([*self.Meta.fields, "circumstance", "case"])
        self.fields["case"].label = "MARAC case reference"
        self.fields["case"].help_text = (
            "The case of the MARAC client the review is about, for example NB-2026-0042. Needed where a client of "
            "the MARAC is the victim or the perpetrator; otherwise leave it empty if the request names no case here."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        needed = cleaned.get("circumstance") in disclosure_rules.RELEASE_REQUIRED_CIRCUMSTANCES
        if needed and cleaned.get("case") is None and "case" not in self.errors:
            self.add_error("case", CASE_NEEDED)
        return cleaned


class DisclosureDecisionForm(AlreadySaved, VersionedForm):
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


class DisclosureReleaseForm(AlreadySaved, HappenedDates, VersionedForm):
    happened = {"released_on": records_rules.REQUEST_RELEASED}

    class Meta:
        model = DisclosureRequest
        fields = ["released_on", "redaction_notes"]
        labels = {"released_on": "Date released", "redaction_notes": "What was redacted, and why"}
        help_texts = {"redaction_notes": "Third parties' details and information from agencies that asked for it."}
        widgets = {"released_on": DateInput(), "redaction_notes": _TEXTAREA}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["released_on"].required = True

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.request_released_dates(
            released_on=cleaned.get("released_on"), received_on=self.instance.received_on
        )


# --- Agreements, induction, protocol review -------------------------------------------------------------------------


class SignatureForm(HappenedDates, forms.ModelForm):  # type: ignore[type-arg]
    happened = {"signed_on": records_rules.AGREEMENT_SIGNED}

    class Meta:
        model = AgreementSignature
        fields = ["agency", "document", "signed_on", "signed_by"]
        labels = {"signed_on": "Date signed", "signed_by": "Signed for the agency by"}
        widgets = {"document": forms.RadioSelect, "signed_on": DateInput()}
        error_messages = {
            "agency": {"required": "Choose the agency that signed"},
            "document": {"required": "Choose which agreement was signed"},
            "signed_by": {"required": "Enter who signed for the agency"},
        }

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(memberships__marac_id=marac_id)  # type: ignore[attr-defined]
        without_blank_choice(self.fields["document"])

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.agreement_signed_dates(signed_on=cleaned.get("signed_on"))


class InductionStartForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Representative",
        queryset=User.objects.none(),
        error_messages={
            "required": "Choose the representative",
            "invalid_choice": "Choose a representative from the list, who has not started an induction yet",
        },
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


class ProtocolReviewForm(LongTexts, HappenedDates, forms.ModelForm):  # type: ignore[type-arg]
    happened = {"reviewed_on": records_rules.PROTOCOL_REVIEWED}

    class Meta:
        model = ProtocolReview
        fields = ["reviewed_on", "notes"]
        labels = {"reviewed_on": "Date the VAWG sub group reviewed the protocol", "notes": "Notes (optional)"}
        widgets = {"reviewed_on": DateInput(), "notes": _TEXTAREA}

    def record_dates(self, cleaned: dict[str, Any]) -> Iterable[records_rules.RecordDate]:
        return records_rules.protocol_reviewed_dates(reviewed_on=cleaned.get("reviewed_on"))
