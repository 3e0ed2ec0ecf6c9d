"""The upload form: the size and kind of each file are checked here, the rows by the run."""

from typing import Any

from django import forms

from imports.reading import NOT_A_WORKBOOK, is_workbook
from imports.services import MAX_UPLOAD_BYTES

_MEGABYTES = MAX_UPLOAD_BYTES // (1024 * 1024)


def _checked_upload(upload: Any, endings: tuple[str, ...], words: str) -> Any:
    if upload is None:
        return upload
    if not upload.name.lower().endswith(endings):
        raise forms.ValidationError(f"The file must be {words}")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            f"The file must be {_MEGABYTES} MB or smaller: split the history into several files (by year, say), "
            "or ask your administrator to use the import_history command"
        )
    if upload.size == 0:
        raise forms.ValidationError("The file is empty")
    if upload.name.lower().endswith(".xlsx"):
        start = upload.read(4)
        upload.seek(0)
        if not is_workbook(start):
            raise forms.ValidationError(NOT_A_WORKBOOK)
    return upload


class ImportForm(forms.Form):
    cases_file = forms.FileField(
        label="Your history",
        help_text=f"An Excel workbook (.xlsx) with a Cases sheet and an Actions sheet, or the cases as a CSV file. "
        f"{_MEGABYTES} MB or less.",
    )
    actions_file = forms.FileField(
        label="Actions as a CSV file (optional)",
        required=False,
        help_text="Only when the cases are a CSV file: a workbook holds its actions on its Actions sheet.",
    )
    check_only = forms.BooleanField(
        label="Only check the file: import nothing yet",
        required=False,
    )

    def clean_cases_file(self) -> Any:
        words = "an Excel workbook (.xlsx) or a CSV file (.csv)"
        return _checked_upload(self.cleaned_data["cases_file"], (".xlsx", ".csv"), words)

    def clean_actions_file(self) -> Any:
        return _checked_upload(self.cleaned_data.get("actions_file"), (".csv",), "a CSV file (.csv)")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cases, actions = cleaned.get("cases_file"), cleaned.get("actions_file")
        if cases is not None and actions is not None and cases.name.lower().endswith(".xlsx"):
            self.add_error("actions_file", "Leave this empty with a workbook: put the actions on its Actions sheet")
        return cleaned
