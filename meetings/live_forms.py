"""Forms for the register and the live meeting. They parse; the rules and the locking are in live_services."""

from typing import Any

from django import forms
from django.db.models import Q

from accounts.models import User
from accounts.permissions import CASE_ROLES
from actions.models import ForWhom
from marac.models import Agency
from meetings.models import AttendanceCapacity, Listing, Meeting, Outcome, ProcessLinkKind
from web.forms import DateInput


def _marac_agencies(marac_id: int, *, also: int | None = None) -> Any:
    return Agency.objects.filter(Q(memberships__marac_id=marac_id) | Q(pk=also)).distinct().order_by("name")


class AttendanceForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label="Choose an agency")
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who",
        help_text="Leave empty for a written submission sent by an agency with no one here.",
    )
    capacity = forms.ChoiceField(
        choices=[
            (AttendanceCapacity.REPRESENTATIVE, "Named representative"),
            (AttendanceCapacity.DEPUTY, "Deputy"),
            (AttendanceCapacity.WRITTEN_SUBMISSION, "Written submission only"),
        ],
        widget=forms.RadioSelect,
        label="Attending as",
    )
    present = forms.TypedChoiceField(
        choices=[("yes", "Present"), ("no", "Apologies")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Present or apologies",
        initial="yes",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _marac_agencies(meeting.marac_id)  # type: ignore[attr-defined]
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(role_grants__marac_id=meeting.marac_id, role_grants__role__in=CASE_ROLES)
            .filter(is_active=True)
            .distinct()
            .order_by("full_name")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        written = cleaned.get("capacity") == AttendanceCapacity.WRITTEN_SUBMISSION
        if not written and cleaned.get("user") is None:
            self.add_error("user", "Choose who is attending, or choose written submission only")
        return cleaned


class ObserverForm(forms.Form):
    observer_name = forms.CharField(max_length=150, label="Observer's name")
    observer_organisation = forms.CharField(max_length=150, label="Their organisation")


class MinuteForm(forms.Form):
    """The minute of one case. `version` is the listing's version when the page was opened: the service refuses the
    save if anyone has saved since (a plain form, so the check happens once, under the row lock)."""

    risks_minute = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Risks")
    decisions_minute = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Decisions")
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_listing(cls, listing: Listing) -> "MinuteForm":
        return cls(
            initial={
                "risks_minute": listing.risks_minute,
                "decisions_minute": listing.decisions_minute,
                "version": listing.version,
            }
        )


class ActionForm(forms.Form):
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), empty_label="Choose the agency", label="Agency volunteering the action"
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="What will they do", help_text="Specific."
    )
    for_whom = forms.ChoiceField(choices=ForWhom.choices, widget=forms.RadioSelect, label="For whom")
    due_on = forms.DateField(widget=DateInput, label="Due by")

    def __init__(self, *args: Any, listing: Listing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = _marac_agencies(  # type: ignore[attr-defined]
            listing.meeting.marac_id, also=listing.case.referring_agency_id
        )


class ProcessLinkForm(forms.Form):
    kind = forms.ChoiceField(choices=ProcessLinkKind.choices, label="Other process")
    note = forms.CharField(max_length=500, required=False, label="Note", help_text="A date or reference, say.")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(outcome.value, outcome.label) for outcome in (Outcome.REVIEW, Outcome.CLOSED, Outcome.TRANSFERRED)],
        widget=forms.RadioSelect,
        label="Outcome",
    )
