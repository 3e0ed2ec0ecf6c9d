"""Forms for the register and the live meeting. They parse; the rules and the locking are in live_services."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import CASE_ROLES
from actions.models import ForWhom
from actions.services import RESTRICTED_CASE_OWNERS, agency_not_named_on_case
from marac.models import Agency
from meetings import live_rules
from meetings.agenda_services import working_calendar
from meetings.live_services import register_refusal
from meetings.minutes_forms import minute_initial
from meetings.models import AttendanceCapacity, Listing, Meeting, Outcome, ProcessLinkKind
from web.forms import DateInput
from web.text import LONG_TEXT_MAX


def _marac_agencies(marac_id: int, *, also: int | None = None) -> Any:
    return Agency.objects.filter(Q(memberships__marac_id=marac_id) | Q(pk=also)).distinct().order_by("name")


class AttendanceForm(forms.Form):
    """A line of the register. `meeting`: the meeting it is for. A person attends for their own agency, once a
    meeting (live_rules.register_refusal; live_services.attendance_record refuses again, under the meeting's lock)."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        label="Agency",
        error_messages={
            "required": "Select the agency",
            "invalid_choice": "Select one of this MARAC's agencies",
        },
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose who is attending",
        label="Who",
        help_text="Leave empty for a written submission sent by an agency with no one here.",
        error_messages={"invalid_choice": "Select someone with a role at this MARAC"},
    )
    capacity = forms.ChoiceField(
        choices=[
            (AttendanceCapacity.REPRESENTATIVE, "Named representative"),
            (AttendanceCapacity.DEPUTY, "Deputy"),
            (AttendanceCapacity.WRITTEN_SUBMISSION, "Written submission only"),
        ],
        widget=forms.RadioSelect,
        label="Attending as",
        error_messages={
            "required": "Select how they are attending",
            "invalid_choice": "Select how they are attending",
        },
    )
    present = forms.TypedChoiceField(
        choices=[("yes", "Present"), ("no", "Apologies")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Present or apologies",
        initial="yes",
        error_messages={
            "required": "Select whether they are present or sent apologies",
            "invalid_choice": "Select whether they are present or sent apologies",
        },
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
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
        user, agency = cleaned.get("user"), cleaned.get("agency")
        if not written and user is None and "user" not in self.errors:
            self.add_error("user", "Select who is attending, or select written submission only")
        refusal = register_refusal(self.meeting, user=user, agency=agency) if user and agency else None
        if refusal:
            self.add_error("user", refusal)
        return cleaned


class ObserverForm(forms.Form):
    observer_name = forms.CharField(max_length=150, label="Observer's name")
    observer_organisation = forms.CharField(max_length=150, label="Their organisation")


class MinuteForm(forms.Form):
    """The minute of one case. `version` is the listing's version when the page was opened: the service refuses the
    save if anyone has saved since (a plain form, so the check happens once, under the row lock)."""

    risks_minute = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Risks", max_length=LONG_TEXT_MAX
    )
    decisions_minute = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Decisions", max_length=LONG_TEXT_MAX
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The minute as the page showed it, as a fingerprint: when the listing has changed since `version` but not its
    # minute (an outcome recorded, the case opened or closed), saving the minute is no conflict.
    minute_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Each part's fingerprint as the page showed it: after a conflict, the part they did not change is the saved one
    # (minutes_forms.form_after_conflict).
    risks_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    decisions_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @classmethod
    def for_listing(cls, listing: Listing, **initial: Any) -> "MinuteForm":
        return cls(initial=minute_initial(listing) | initial)


class ActionForm(forms.Form):
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        empty_label="Choose the agency",
        label="Agency volunteering the action",
        error_messages={
            "required": "Select the agency that owns the action",
            "invalid_choice": "Select one of this MARAC's agencies",
        },
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="What will they do",
        help_text="Specific.",
        error_messages={
            "required": "Enter what the action is",
            "max_length": "What the action is must be 2,000 characters or fewer",
        },
    )
    for_whom = forms.ChoiceField(
        choices=ForWhom.choices,
        widget=forms.RadioSelect,
        label="For whom",
        error_messages={
            "required": "Select who the action is for",
            "invalid_choice": "Select who the action is for",
        },
    )
    due_on = forms.DateField(
        widget=DateInput,
        label="Due by",
        error_messages={
            "required": "Enter the date the action is due by",
            "invalid": "The due date must be a real date, for example 2026-12-15",
        },
    )

    def __init__(self, *args: Any, listing: Listing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listing = listing
        self.fields["owner_agency"].queryset = _marac_agencies(  # type: ignore[attr-defined]
            listing.meeting.marac_id, also=listing.case.referring_agency_id
        )
        if listing.case.restricted:
            self.fields["owner_agency"].help_text = RESTRICTED_CASE_OWNERS

    def clean_owner_agency(self) -> Agency:
        agency: Agency = self.cleaned_data["owner_agency"]
        if refused := agency_not_named_on_case(case=self.listing.case, agency=agency):
            raise forms.ValidationError(refused)
        return agency

    def clean_due_on(self) -> date:
        due_on: date = self.cleaned_data["due_on"]
        meeting = self.listing.meeting
        error = live_rules.action_due_date_error(
            due_on=due_on,
            meeting_day=timezone.localtime(meeting.starts_at).date(),
            working=working_calendar(meeting.marac),
        )
        if error:
            raise forms.ValidationError(error)
        return due_on


class ProcessLinkForm(forms.Form):
    """A link to another process. No process is chosen for them: pressing the button without choosing is an error,
    not a MAPPA link."""

    kind = forms.ChoiceField(
        choices=[("", "Choose a process"), *ProcessLinkKind.choices],
        label="Other process",
        error_messages={
            "required": "Select the other process the case is linked to",
            "invalid_choice": "Select one of the processes in the list",
        },
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note",
        help_text="A date or reference, say.",
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )


CHOOSE_AN_OUTCOME = "Choose an outcome"


class OutcomeForm(forms.Form):
    """The outcome of one case. `version` is the listing's version and `based_on` the outcome shown when the page was
    opened ("" for none): a stale one is refused if the outcome has changed since (live_services.outcome_record)."""

    outcome = forms.ChoiceField(
        choices=[(outcome.value, outcome.label) for outcome in (Outcome.REVIEW, Outcome.CLOSED, Outcome.TRANSFERRED)],
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": CHOOSE_AN_OUTCOME, "invalid_choice": CHOOSE_AN_OUTCOME},
    )
    # Their own ids: the minute form on the same page has a `version` too.
    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"id": "outcome_version"}), required=False)
    based_on = forms.CharField(
        widget=forms.HiddenInput(attrs={"id": "outcome_based_on"}), required=False, max_length=20
    )

    @classmethod
    def for_listing(cls, listing: Listing) -> "OutcomeForm":
        return cls(initial={"outcome": listing.outcome, "version": listing.version, "based_on": listing.outcome})


class CloseForm(forms.Form):
    """What happens before the meeting closes. The cases it did not hear (`listings`, those the closer may see): one
    choice for all of them, or one for each, and the reason, recorded with each case. The cases heard with no outcome
    (`undecided`, those the closer may see): the outcome of each. A restricted case the closer is not named on is
    neither asked about nor counted (live_services.meeting_close settles it)."""

    ALL_CHOICES = [
        (live_rules.HOLD_OVER, "Hold them all over to the next meeting"),
        (live_rules.LEAVE_UNHEARD, "Leave them all unheard"),
        ("each", "Choose for each case"),
    ]
    EACH_CHOICES = [
        (live_rules.HOLD_OVER, "Hold over to the next meeting"),
        (live_rules.LEAVE_UNHEARD, "Leave unheard"),
    ]
    OUTCOME_CHOICES = [(outcome.value, outcome.label) for outcome in live_rules.OUTCOMES_AT_HEARING]

    confirmed = forms.CharField(widget=forms.HiddenInput, initial="yes")
    for_all = forms.ChoiceField(
        choices=ALL_CHOICES,
        widget=forms.RadioSelect,
        label="What should happen to the cases not heard?",
        error_messages={"required": "Select what should happen to the cases not heard"},
    )
    reason = forms.CharField(
        max_length=500,
        label="Why were they not heard?",
        help_text="Recorded with each case. For example: the meeting ran out of time.",
        error_messages={
            "required": "Enter why the cases were not heard",
            "max_length": "Why they were not heard must be 500 characters or fewer",
        },
    )

    def __init__(
        self,
        *args: Any,
        listings: Sequence[Listing],
        undecided: Sequence[Listing] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.listings = list(listings)
        self.undecided = list(undecided)
        # The outcomes first: the page asks about the cases heard before the cases not heard.
        for listing in self.undecided:
            reference = listing.case.reference
            self.fields[self.outcome_field_name(listing)] = forms.ChoiceField(
                choices=self.OUTCOME_CHOICES,
                widget=forms.RadioSelect,
                label=f"Outcome of case {reference}",
                error_messages={"required": f"Select the outcome of case {reference}"},
            )
        if not self.listings:
            del self.fields["for_all"], self.fields["reason"]
            return
        for listing in self.listings:
            self.fields[self.field_name(listing)] = forms.ChoiceField(
                choices=self.EACH_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                label=f"Case {listing.case.reference}",
                help_text="Only if you choose for each case.",
            )
        self.order_fields(["confirmed", *(self.outcome_field_name(listing) for listing in self.undecided)])

    @staticmethod
    def field_name(listing: Listing) -> str:
        return f"listing_{listing.pk}"

    @staticmethod
    def outcome_field_name(listing: Listing) -> str:
        return f"outcome_{listing.pk}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("for_all") == "each":
            for listing in self.listings:
                if not cleaned.get(self.field_name(listing)):
                    message = f"Select what should happen to case {listing.case.reference}"
                    self.add_error(self.field_name(listing), message)
        return cleaned

    def choices(self, unheard: Sequence[Listing]) -> dict[int, str]:
        """The choice for every unheard listing the closer sees, by listing id."""
        if not unheard:
            return {}
        for_all = self.cleaned_data["for_all"]
        if for_all != "each":
            return {listing.pk: for_all for listing in unheard}
        return {
            listing.pk: self.cleaned_data.get(self.field_name(listing)) or live_rules.HOLD_OVER for listing in unheard
        }

    def hidden_choice(self) -> str:
        """What happens to a case not heard that the closer may not see: the choice made for all the cases not
        heard; held over when they chose case by case, or were asked about none."""
        for_all = self.cleaned_data.get("for_all")
        return for_all if for_all in (live_rules.HOLD_OVER, live_rules.LEAVE_UNHEARD) else live_rules.HOLD_OVER

    def outcomes(self, undecided: Sequence[Listing]) -> dict[int, str]:
        """The outcome for every listing heard with none that the closer sees, by listing id."""
        return {
            listing.pk: self.cleaned_data.get(self.outcome_field_name(listing)) or Outcome.REVIEW.value
            for listing in undecided
        }

    def refuse_without_outcomes(self) -> None:
        """The chair asked to close and the meeting did not: each case heard with no outcome gets an error on its
        outcome, so the page opens with the GOV.UK error summary naming them. The form is not bound (nothing was
        chosen yet), so its errors start empty rather than from validating nothing."""
        self.cleaned_data = {}
        for listing in self.undecided:
            if self.initial.get(self.outcome_field_name(listing)):
                continue  # chosen already, before the page came back for a change meanwhile: nothing to put right
            self.add_error(
                self.outcome_field_name(listing),
                f"Case {listing.case.reference} was heard but has no outcome yet. "
                "Select its outcome, or record it on the case's page",
            )
