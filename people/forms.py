from django import forms

from people.models import PersonLink


class DuplicateDecisionForm(forms.Form):
    duplicate = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=PersonLink.Decision.choices)


class UnlinkForm(forms.Form):
    other = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
