import re
from collections.abc import Callable
from typing import Any

from django import forms

from audit.models import AuditAction
from marac.reference_prefixes import REFERENCE
from web.forms import DateInput

CASE = "cases.case"
RECORD_NUMBER = re.compile(r"^[0-9]{1,18}$")
OBJECT_ID_INVALID = "Enter a record number, like 42, or a case reference, like NB-2026-0001"
REFERENCE_WITH_OTHER_TYPE = "A case reference finds entries about the case: choose the record type Case, or any type"


def case_reference_not_found(reference: str) -> str:
    # The same words whether there is no such case or it is one the user may not see (a restricted case).
    return f"There is no case with the reference {reference} that you can see at this MARAC"


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    object_type = forms.ChoiceField(
        required=False,
        label="Record type",
        error_messages={"invalid_choice": "Choose a record type from the list"},
    )
    object_id = forms.CharField(
        required=False,
        label="Record number or case reference",
        help_text="For example 42, or a case reference like NB-2026-0001",
        max_length=40,
        error_messages={"max_length": OBJECT_ID_INVALID},
    )
    # audit/selectors.py: a person is found by the address recorded at the time, an API credential by its name.
    actor = forms.CharField(
        required=False,
        label="Person's email address or API credential name contains",
        help_text="Part of an address or a name is enough, in capitals or not.",
        max_length=254,
    )
    date_from = forms.DateField(required=False, widget=DateInput, label="From")
    date_to = forms.DateField(required=False, widget=DateInput, label="To")

    def __init__(
        self,
        *args: Any,
        record_types: list[tuple[str, str]] | None = None,
        case_id_for_reference: Callable[[str], int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        """record_types: the types of record the trail holds, with their names (audit/labels.py).
        case_id_for_reference: the id of the case with a reference, among those the user may see, or None."""
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any record type"), *(record_types or [])]  # type: ignore[attr-defined]
        self.case_id_for_reference = case_id_for_reference

    def clean_object_id(self) -> str:
        value: str = self.cleaned_data["object_id"].strip()
        if not value or RECORD_NUMBER.match(value):
            return str(int(value)) if value else ""
        if REFERENCE.match(value.upper()):
            return value.upper()
        raise forms.ValidationError(OBJECT_ID_INVALID)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        reference = cleaned.get("object_id", "")
        if reference and not RECORD_NUMBER.match(reference):
            self._search_by_case_reference(cleaned, reference)
        return cleaned

    def _search_by_case_reference(self, cleaned: dict[str, Any], reference: str) -> None:
        """A case reference searches for the entries about that case, by its id."""
        if cleaned.get("object_type") not in ("", CASE):
            self.add_error("object_id", REFERENCE_WITH_OTHER_TYPE)
            return
        case_id = self.case_id_for_reference(reference) if self.case_id_for_reference else None
        if case_id is None:
            self.add_error("object_id", case_reference_not_found(reference))
            return
        cleaned["object_type"], cleaned["object_id"] = CASE, str(case_id)
