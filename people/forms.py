from datetime import date
from typing import Any

from django import forms

from people.models import Address, Ethnicity, Gender, Person, PersonLink
from referrals.forms import POSTCODE_MESSAGE, PastDateField
from web.dates import spoken
from web.postcodes import normalise_postcode


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


# --- Correcting a person's record (people.corrections) -----------------------------------------------------------

YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
_FROM_YES_NO = {"yes": True, "no": False, "not_known": None}
NAME_OR_DESCRIPTION = "Enter a given name, a family name, or a description of how they are known"
# Rows of other names beyond those saved: to add one without JavaScript, the page offers empty rows.
SPARE_OTHER_NAME_ROWS = 2
MOST_OTHER_NAME_ROWS = 20


def yes_no_not_known(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not_known"}[value]


def _short_text(label: str, limit: int, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label[:1].lower()}{label[1:]}",
            "max_length": f"{label} must be {limit:,} characters or fewer",
        },
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


class PersonCorrectionForm(forms.Form):
    """The person's details and their other names. An other name is removed by emptying both its boxes."""

    version = _version()
    given_name = _short_text("Given name", 100)
    family_name = _short_text("Family name", 100)
    description = _short_text(
        "Description", 300, help_text="Only for someone whose name is not known: how they are known"
    )
    date_of_birth = PastDateField(label="Date of birth", required=False, help_text="Leave empty if not known")
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        error_messages={"required": "Select gender", "invalid_choice": "Select gender"},
    )
    is_transgender = forms.ChoiceField(
        label="Is their gender different from the sex they were registered at birth?",
        choices=YES_NO_NOT_KNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select an answer", "invalid_choice": "Select an answer"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        error_messages={"required": "Select ethnicity", "invalid_choice": "Select ethnicity"},
    )

    def __init__(self, *args: Any, rows: int = SPARE_OTHER_NAME_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:  # as many rows as the page sent, within reason
            sent = [
                row
                for row in range(MOST_OTHER_NAME_ROWS)
                if {self.add_prefix(f"other_given_{row}"), self.add_prefix(f"other_family_{row}")} & set(self.data)
            ]
            rows = max(sent, default=-1) + 1
        for row in range(min(rows, MOST_OTHER_NAME_ROWS)):
            self.fields[f"other_given_{row}"] = _short_text(f"Other name {row + 1}: given name", 100)
            self.fields[f"other_family_{row}"] = _short_text(f"Other name {row + 1}: family name", 100)

    @classmethod
    def for_person(cls, person: Person, **kwargs: Any) -> "PersonCorrectionForm":
        """The form as the page first shows it: the saved details, each other name, and empty rows to add one."""
        aliases = list(person.aliases.order_by("pk"))
        initial: dict[str, Any] = {
            "version": person.version,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "description": person.description,
            "date_of_birth": person.date_of_birth,
            "gender": person.gender,
            "is_transgender": yes_no_not_known(person.is_transgender),
            "ethnicity": person.ethnicity,
        }
        for row, alias in enumerate(aliases):
            initial[f"other_given_{row}"] = alias.given_name
            initial[f"other_family_{row}"] = alias.family_name
        return cls(initial=initial, rows=len(aliases) + SPARE_OTHER_NAME_ROWS, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        names = ("given_name", "family_name", "description")
        if all(name in cleaned for name in names) and not any(cleaned[name] for name in names):
            self.add_error("given_name", NAME_OR_DESCRIPTION)
        return cleaned

    def details(self) -> dict[str, Any]:
        details = {name: self.cleaned_data[name] for name in ("given_name", "family_name", "description")}
        details["date_of_birth"] = self.cleaned_data["date_of_birth"]
        details["gender"] = self.cleaned_data["gender"]
        details["is_transgender"] = _FROM_YES_NO[self.cleaned_data["is_transgender"]]
        details["ethnicity"] = self.cleaned_data["ethnicity"]
        return details

    def other_names(self) -> list[tuple[str, str]]:
        rows = sum(1 for name in self.fields if name.startswith("other_given_"))
        return [
            (self.cleaned_data[f"other_given_{row}"], self.cleaned_data[f"other_family_{row}"]) for row in range(rows)
        ]


class AddressConfidentialForm(forms.Form):
    version = _version()
    confidential = forms.ChoiceField(
        choices=[("yes", "Confidential"), ("no", "Not confidential")], widget=forms.HiddenInput
    )


class AddressEndForm(forms.Form):
    """They have moved away: the day they left."""

    version = _version()
    lived_to = PastDateField(
        label="Date they moved away",
        help_text="For example 27/3/2026. The address stays on the record as a past address.",
        error_messages={"required": "Enter the date they moved away"},
    )

    def __init__(self, *args: Any, lived_from: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lived_from = lived_from

    def clean_lived_to(self) -> date:
        lived_to: date = self.cleaned_data["lived_to"]
        if self.lived_from and lived_to < self.lived_from:
            raise forms.ValidationError(
                f"The date they moved away must be on or after the date they moved in, {spoken(self.lived_from)}"
            )
        return lived_to


class NewAddressForm(forms.Form):
    """A new current address. Ending the old one, if they have moved from it, is its own step on the page."""

    version = _version()
    line_1 = _short_text("Address line 1", 100, required=True)
    line_2 = _short_text("Address line 2", 100)
    town = _short_text("Town or city", 100)
    postcode = forms.CharField(
        label="Postcode", max_length=20, required=False, error_messages={"max_length": POSTCODE_MESSAGE}
    )
    lived_from = PastDateField(label="Date they moved in", required=False, help_text="Leave empty if not known")
    safe_to_post = forms.ChoiceField(
        label="Is it safe to send letters to this address?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select if it is safe to send letters to this address",
            "invalid_choice": "Select if it is safe to send letters to this address",
        },
    )
    confidential = forms.BooleanField(
        label="Confidential: a refuge, or somewhere they have fled to",
        required=False,
        help_text="Shown only to the coordinator and the IDVA",
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(POSTCODE_MESSAGE)
        return postcode

    def address(self) -> Address:
        data = self.cleaned_data
        return Address(
            line_1=data["line_1"],
            line_2=data["line_2"],
            town=data["town"],
            postcode=data["postcode"],
            lived_from=data["lived_from"],
            safe_to_post=data["safe_to_post"] == "yes",
            confidential=data["confidential"],
        )
