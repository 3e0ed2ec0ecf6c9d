from collections.abc import Sequence
from typing import Any

from django import forms

from accounts.models import User
from accounts.permissions import CASE_ROLES
from cases.models import Case
from cases.restriction import REASON_MAX_LENGTH
from cases.restriction_selectors import SamePeopleCase

SAME_PEOPLE_CHANGED = (
    "Someone else restricted one of the other cases you chose while you had this page open. Nothing has been saved: "
    "check the list again, then save."
)


class RestrictedCaseReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why are you opening this restricted case?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what you need it for, for example to prepare for Thursday's meeting. "
        "This is recorded with every page you open in the case for the next 30 minutes.",
        error_messages={"required": "Say why you are opening this restricted case"},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Say why you are opening this restricted case")
        return reason


class CaseRestrictionForm(forms.Form):
    """Who may see the case. `version` (the case's) and `based_on` (who could see it, restriction_state) are those
    of the page the user opened: cases.restriction_services refuses the save if who may see the case changed since."""

    named_users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who may see this case",
        help_text="You are always named. Everyone else at this MARAC, however senior, will not see the case. "
        "Only people can be named: each says why before opening it, so no partner system's API credential can.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(
        self, *args: Any, case: Case, by: Any, same_people: Sequence[SamePeopleCase] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the open ones are offered: a restricted one the user is named on has its own page and its own list.
        offered = [(str(linked.case.pk), linked.label) for linked in same_people if not linked.case.restricted]
        # Also when none is offered now but some were ticked on the page: the form then says they changed, rather
        # than saving without them.
        if offered or (self.is_bound and self.add_prefix("also_restrict") in self.data):
            self.fields["also_restrict"] = forms.MultipleChoiceField(
                choices=offered,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Also restrict the same people's other cases",
                help_text="Each is restricted to the same people as this case, in the same save. Any you leave "
                "unticked stay open: everyone with a case role at this MARAC still sees these people there.",
                error_messages={"invalid_choice": SAME_PEOPLE_CHANGED},
            )
        # People only: an API credential's service account cannot open a restricted case (it can give no reason on
        # the page, which is the only way in), so it is not offered (cases.restriction_services refuses it too).
        at_marac = (
            User.objects.filter(is_active=True, role_grants__marac_id=case.marac_id, role_grants__role__in=CASE_ROLES)
            .filter(api_credential__isnull=True)
            .exclude(pk=by.pk)
        )
        self.fields["named_users"].queryset = at_marac.distinct().select_related("agency")  # type: ignore[attr-defined]
        self.fields["named_users"].label_from_instance = lambda user: f"{user.full_name}, {user.agency or 'no agency'}"  # type: ignore[attr-defined]
