from typing import Any

from django import forms

from people.models import PersonLink


class DuplicateDecisionForm(forms.Form):
    duplicate = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=PersonLink.Decision.choices)
    # Set only by "change the decision", on the page that showed it: when the decision being changed was made.
    replacing = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class UnlinkForm(forms.Form):
    other = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class NationalNotSameForm(forms.Form):
    """No reason is asked for: the coordinators' conversation is the reason, and free text could carry what the
    other MARAC said about its person."""

    agreed = forms.BooleanField(
        error_messages={"required": "Confirm that you have spoken to the other MARAC's coordinator and you agree"}
    )

    def __init__(self, *args: Any, other_marac_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agreed = self.fields["agreed"]
        agreed.label = f"I have spoken to a coordinator at {other_marac_name} and we agree they are not the same person"
