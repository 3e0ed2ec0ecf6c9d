"""Forms for research and the victim's voice. Plain forms rather than model forms: the service does the saving,
under a lock, and the hidden version says which saved record the user was looking at (0: none yet)."""

from typing import Any

from django import forms

from meetings.models import ChildResearch, ChildStatus, Research, VictimVoice
from meetings.research_selectors import FIELD_LABELS
from meetings.research_services import CSC_FIELDS, VICTIM_VOICE_FIELDS
from people.models import Person
from web.text import LONG_TEXT_MAX

KNOWN_CHOICES = [("yes", "Yes, we hold information"), ("no", "No, not known to us")]
ABOUT_FIELDS = ["about_victim", "about_perpetrator", "about_children"]


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=LONG_TEXT_MAX
    )


class ResearchForm(forms.Form):
    known_to_agency = forms.TypedChoiceField(
        label="Is this family known to your agency?",
        choices=KNOWN_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family is known to your agency"},
    )
    about_victim = _text(FIELD_LABELS["about_victim"])
    about_perpetrator = _text(FIELD_LABELS["about_perpetrator"])
    about_children = _text(FIELD_LABELS["about_children"])
    is_written_submission = forms.BooleanField(
        label="This is a written submission: nobody from our agency can attend the meeting",
        help_text="Written submissions are due by the working day before the meeting.",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, research: Research | None, is_csc: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_fields = list(ABOUT_FIELDS)
        if is_csc:
            for name, label in ((name, FIELD_LABELS[name]) for name in CSC_FIELDS):
                self.fields[name] = _text(label)
            self.text_fields += CSC_FIELDS
            self.order_fields(["known_to_agency", *self.text_fields])
        if not self.is_bound:
            self.initial.update(_initial(research, self.text_fields))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        known = cleaned.get("known_to_agency")
        written = [name for name in self.text_fields if cleaned.get(name, "").strip()]
        if known is True and not written:
            self.add_error("about_victim", "Write what your agency knows, or choose “No, not known to us”")
        if known is False and written:
            # Keeping text under "not known to us" would tell the meeting two different things.
            self.add_error(
                written[0], "You said the family is not known to your agency: remove this text, or choose “Yes”"
            )
        return cleaned


def _initial(research: Research | None, text_fields: list[str]) -> dict[str, Any]:
    if research is None:
        return {"version": 0}
    initial: dict[str, Any] = {name: getattr(research, name) for name in text_fields}
    initial["known_to_agency"] = "yes" if research.known_to_agency else "no"
    initial["is_written_submission"] = research.is_written_submission
    initial["version"] = research.version
    return initial


class ChildResearchForm(forms.Form):
    """Children's social care's status for one child (CAM 5.2), which the boards' measures need."""

    status = forms.ChoiceField(
        label="Status with children's social care", choices=ChildStatus.choices, initial=ChildStatus.NOT_KNOWN
    )
    harmful_behaviour = forms.BooleanField(
        label="A young person using harmful behaviour in a relationship or towards a parent", required=False
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=LONG_TEXT_MAX
    )

    def __init__(self, data: Any, *, child: Person, saved: ChildResearch | None) -> None:
        super().__init__(data, prefix=f"child-{child.pk}")
        self.child = child
        if saved is not None and not self.is_bound:
            self.initial.update(status=saved.status, harmful_behaviour=saved.harmful_behaviour, notes=saved.notes)


class VictimVoiceForm(forms.Form):
    victim_views = forms.CharField(
        label="The victim's views and wishes",
        help_text="What the victim has told you they want from the MARAC, in their words where you can.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=LONG_TEXT_MAX,
    )
    child_voice = forms.CharField(
        label="The child's voice, where sought",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, voice: VictimVoice | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            if voice is None:
                self.initial["version"] = 0
            else:
                self.initial.update({name: getattr(voice, name) for name in VICTIM_VOICE_FIELDS}, version=voice.version)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        written = any(cleaned.get(name, "").strip() for name in VICTIM_VOICE_FIELDS)
        refused = any(
            name in self.errors for name in VICTIM_VOICE_FIELDS
        )  # written, but too long: that error is enough
        if not written and not refused:
            self.add_error("victim_views", "Write the victim's views and wishes")
        return cleaned
