"""The referral, section by section. These forms are the one validation path: the browser posts them,
and the JSON API runs each section of its document through the same form."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from people.models import Ethnicity, Gender, Sexuality
from web.forms import DateInput, lower_first, select_message
from web.postcodes import normalise_postcode

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
SHORT_TEXT = 100
LONG_TEXT = 5000
POSTCODE_MESSAGE = "Enter a real postcode, like AA1 1AA"  # the GOV.UK Design System's wording


def _too_long(limit: int) -> dict[str, str]:
    return {"max_length": f"This must be {limit:,} characters or fewer"}


def _name(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=SHORT_TEXT,
        required=required,
        error_messages={"required": f"Enter the {lower_first(label)}", **_too_long(SHORT_TEXT)},
    )


def _text(label: str, *, required: bool = False, help_text: str = "", limit: int = LONG_TEXT) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}) if limit > 300 else forms.TextInput,
        error_messages={"required": f"Enter {lower_first(label)}", **_too_long(limit)},
    )


def _choice(
    label: str, choices: list[tuple[str, str]], *, required: bool = True, message: str = "", help_text: str = ""
) -> forms.ChoiceField:
    # "Select if they have a disability", never "Select do they have a disability?" (web/forms.py: select_message);
    # the same for an answer that is not one of the choices, which only a tampered form or the API can send.
    message = message or select_message(label)
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class PastDateField(forms.DateField):
    """A date that has happened: a date of birth, an incident. Takes 2026-11-23 or 23/11/2026."""

    widget = DateInput
    input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]
    default_error_messages = {"invalid": "Enter a real date, for example 27/3/1990"}

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(f"{self.label} must be today or in the past")
        if value and value.year < 1900:
            raise forms.ValidationError(f"{self.label} must be after 1900")


class AddressFields(forms.Form):
    address_line_1 = _name("Address line 1", required=False)
    address_line_2 = _name("Address line 2", required=False)
    town = _name("Town or city", required=False)
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,  # room for stray spaces: the postcode rule decides what is real
        required=False,
        error_messages={"max_length": POSTCODE_MESSAGE},
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(POSTCODE_MESSAGE)
        return postcode


ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")
AT_VICTIM_ADDRESS = "at_victim_address"  # offered on the pages only (views.py), never stored or sent to the API


def at_victim_address_field(*, who: str, address: str) -> forms.BooleanField:
    """WCAG 3.3.7: a child's or perpetrator's address, given once already as the victim's, is chosen, not typed
    again. Ticked, the page copies the victim's address into this one when it saves: a copy, so it is what the
    referrer saw, and never moves with the victim later (a perpetrator's must not follow her to a refuge)."""
    return forms.BooleanField(
        label=f"The {who} lives at the victim's address",
        required=False,
        help_text=f"{address}. Ticked, this address is copied into the address below when you save, replacing "
        f"anything typed there. If the victim's address changes later, change the {who}'s too.",
    )


class VictimForm(AddressFields):
    given_name = _name("Given name")
    family_name = _name("Family name")
    other_names = _text("Other names they use", limit=300)
    date_of_birth = PastDateField(label="Date of birth", error_messages={"required": "Enter the date of birth"})
    gender = _choice("Gender", Gender.choices)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOT_KNOWN)
    sexuality = forms.ChoiceField(label="Sexual orientation", choices=Sexuality.choices, initial=Sexuality.NOT_KNOWN)
    has_disability = _choice("Do they have a disability?", YES_NO_NOT_KNOWN)
    disability_details = _text("About their disability", limit=300)
    first_language = _name("First language", required=False)
    needs_interpreter = _choice("Do they need an interpreter?", YES_NO)
    barriers_to_engagement = _text("Barriers to engagement", help_text="For example caring duties or fear of services")
    # BD Identification of Cases: "Notify Adult Social Care if there is a vulnerable adult involved". Not required, so
    # a victim's details saved before it was asked still count as complete (and API clients need not send it).
    vulnerable_adult = _choice(
        "Is the victim an adult at risk (a vulnerable adult)?",
        YES_NO_NOT_KNOWN,
        required=False,
        message="Select whether the victim is an adult at risk",
        help_text="Someone with care and support needs who cannot protect themselves from abuse, as adult social "
        "care defines it",
    )
    pregnant = _choice("Is the victim pregnant?", YES_NO_NOT_KNOWN, message="Select whether the victim is pregnant")
    # Whether the address is kept confidential, asked as the fact the referrer knows rather than as a policy
    # choice. Not required, so a victim's details saved before it was asked still count as complete (and API
    # clients need not send it); not answered, the address is kept confidential (referrals.decisions).
    perpetrator_knows_address = _choice(
        "Does the perpetrator know this address?",
        YES_NO_NOT_KNOWN,
        required=False,
        message="Select whether the perpetrator knows this address",
        help_text="Unless they do, the address is kept confidential: only the MARAC coordinator and the IDVA see it, "
        "and the address of any child living with the victim too. For a refuge, answer No.",
    )
    safe_to_post = _choice("Is it safe to send letters to this address?", YES_NO)
    safe_contact = _text(
        "How to contact them safely",
        required=True,
        limit=500,
        help_text="A safe phone number, times to call, and anything to avoid",
    )

    field_order = [
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "gender",
        "ethnicity",
        "sexuality",
        "has_disability",
        "disability_details",
        "first_language",
        "needs_interpreter",
        "barriers_to_engagement",
        "vulnerable_adult",
        "pregnant",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "perpetrator_knows_address",
        "safe_to_post",
        "safe_contact",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("address_line_1"):
            self.add_error("address_line_1", "Enter the first line of the victim's address")
        if not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", "Enter the postcode of the victim's address")
        return cleaned


class ChildForm(AddressFields):
    given_name = _name("Given name")
    family_name = _name("Family name")
    date_of_birth = PastDateField(label="Date of birth", error_messages={"required": "Enter the child's date of birth"})
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN)
    school_or_setting = _text(
        "School, college or early years setting",
        required=True,
        limit=200,
        help_text="Write 'none' if the child is not in one",
    )
    in_permanent_care = _choice(
        "Is the child in permanent care away from the victim?",
        YES_NO,
        message="Select whether the child is in permanent care",
    )

    field_order = ["given_name", "family_name", "date_of_birth", "gender", "school_or_setting", "in_permanent_care"]


RELATIONSHIPS = [
    ("intimate_partner", "Intimate partner"),
    ("ex_partner", "Ex-partner"),
    ("adolescent_to_parent", "Adolescent child of the victim (adolescent to parent abuse)"),
    ("other_family_member", "Other family member"),
]


class PerpetratorForm(AddressFields):
    given_name = _name("Given name", required=False)
    family_name = _name("Family name", required=False)
    description = _text(
        "Description, if their name is not known",
        limit=300,
        help_text="How the victim knows them, for example 'ex-partner known as Jay, drives a blue van'",
    )
    date_of_birth = PastDateField(label="Date of birth", required=False)
    gender = _choice("Gender", Gender.choices)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOT_KNOWN)
    sexuality = forms.ChoiceField(
        label="Sexual orientation", choices=Sexuality.choices, initial=Sexuality.NOT_KNOWN, required=False
    )
    has_disability = _choice("Do they have a disability?", YES_NO_NOT_KNOWN)
    relationship = _choice("Their relationship to the victim", RELATIONSHIPS)

    field_order = [
        "given_name",
        "family_name",
        "description",
        "date_of_birth",
        "gender",
        "ethnicity",
        "sexuality",
        "has_disability",
        "relationship",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("given_name") or cleaned.get("family_name") or cleaned.get("description")):
            self.add_error("given_name", "Enter the perpetrator's name, or describe them if their name is not known")
        return cleaned


class HistoryEventForm(forms.Form):
    happened_on = PastDateField(label="Date", error_messages={"required": "Enter the date it happened"})
    kind = _choice(
        "What was it?",
        [
            ("incident", "An incident of abuse"),
            ("police_call_out", "A police call-out"),
            ("social_care_referral", "A referral to social care"),
        ],
        message="Select what happened",
        # criteria.occasions_of: what escalation counts is incidents, however many ways each was recorded.
        help_text="A police call-out or social care referral on the same day as an incident, or the day after, is "
        "counted as the same incident.",
    )
    is_crime = _choice("Would it be a crime?", YES_NO_NOT_KNOWN, message="Select whether it would be a crime")
    note = _text("What happened", limit=500)


CONSENT_CHOICES = [
    ("given", "Given"),
    ("refused", "Refused"),
    ("not_asked_unsafe", "Not asked, because it was not safe to ask"),
]


class ConsentForm(forms.Form):
    information_sharing = _choice("Consent to share information", CONSENT_CHOICES)
    information_sharing_reason = _text("Why it was not safe to ask about sharing information", limit=500)
    idva_referral = _choice("Consent to a referral to the IDVA service", CONSENT_CHOICES)
    idva_referral_reason = _text("Why it was not safe to ask about an IDVA referral", limit=500)
    victim_told = _choice(
        "Has the victim been told of this referral?",
        [("yes", "Yes"), ("no_unsafe", "No, it is not safe to tell them"), ("no_not_yet", "Not yet")],
        message="Select whether the victim has been told of the referral",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Consent is never required to refer (BD Referral process); where it was not asked, say why.
        for field in ("information_sharing", "idva_referral"):
            if cleaned.get(field) == "not_asked_unsafe" and not cleaned.get(f"{field}_reason"):
                self.add_error(f"{field}_reason", "Say why it was not safe to ask")
        return cleaned


ESCALATING_MESSAGE = "Select whether the abuse is escalating in frequency or severity"


class CriteriaForm(forms.Form):
    automatic = forms.MultipleChoiceField(
        label="Does any of these apply?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the criteria that apply from the list"},
        choices=[
            ("honour_based_abuse", "So-called honour-based abuse"),
            ("fgm", "Female genital mutilation"),
            ("forced_marriage", "Forced marriage"),
        ],
    )
    # Not required, like the rest of this section; once details are typed (as they were before the question was
    # asked), the question must be answered, so "None - not escalating" is never taken as escalation.
    escalating = _choice(
        "Is the abuse escalating in frequency or severity?",
        YES_NO_NOT_KNOWN,
        required=False,
        message=ESCALATING_MESSAGE,
    )
    escalation_evidence = _text(
        "How the abuse is escalating",
        help_text="For example: incidents were monthly and are now weekly; threats have become assaults",
    )
    professional_judgement = forms.BooleanField(label="I am referring on professional judgement", required=False)
    judgement_rationale = _text("Your reasons for referring on professional judgement")
    representative_consulted = _choice(
        "Did you consult your agency's MARAC representative?",
        YES_NO,
        required=False,
        message="Select whether you consulted your agency's MARAC representative",
    )
    urgent = forms.BooleanField(label="This is urgent: it cannot wait for the next meeting", required=False)
    urgency_reason = _text("Why it is urgent", limit=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        described = bool(cleaned.get("escalation_evidence"))
        if cleaned.get("escalating") == "yes" and not described:
            self.add_error("escalation_evidence", "Describe how the abuse is escalating in frequency or severity")
        elif described and not cleaned.get("escalating") and "escalating" not in self.errors:
            self.add_error("escalating", ESCALATING_MESSAGE)
        if cleaned.get("professional_judgement") and not cleaned.get("judgement_rationale"):
            self.add_error("judgement_rationale", "Write down your reasons for referring on professional judgement")
        if cleaned.get("urgent") and not cleaned.get("urgency_reason"):
            self.add_error("urgency_reason", "Say why it cannot wait for the next meeting")
        return cleaned


class AboutForm(forms.Form):
    how_arose = _choice(
        "How did the referral arise?",
        [
            ("police_notification", "A police notification"),
            ("disclosure", "The victim told a professional"),
            ("third_party", "Someone else told a professional"),
            # BD Referrals to other MARACs: a MARAC-to-MARAC referral from one that does not use OpenMARAC here.
            ("other_marac", "Another MARAC transferred it here"),
        ],
        message="Select how the referral arose",
    )
    sending_marac = _name("If another MARAC transferred it, the name of that MARAC", required=False)
    background = _text("Background", required=True)
    current_risk = _text("The risk now", required=True)
    outcomes_sought = _text("What you want the MARAC to achieve", required=True)
    specific_actions = _text("Specific actions you are asking agencies to take")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("how_arose") == "other_marac" and not cleaned.get("sending_marac", "").strip():
            self.add_error("sending_marac", "Enter the name of the MARAC that transferred it")
        return cleaned


def risk_form_class(questions: list[dict[str, Any]]) -> type[forms.Form]:
    """A form with one yes / no / not known answer and one comment per question of the instrument."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        number = question["number"]
        fields[f"q{number}"] = forms.ChoiceField(
            label=f"{number}. {question['text']}",
            choices=YES_NO_NOT_KNOWN,
            widget=forms.RadioSelect,
            error_messages={
                "required": f"Answer question {number}: yes, no or not known",
                "invalid_choice": f"Answer question {number}: yes, no or not known",
            },
        )
        fields[f"q{number}_comment"] = forms.CharField(
            label=f"Comment on question {number}",
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages=_too_long(1000),
        )
    return type("RiskChecklistForm", (forms.Form,), fields)
