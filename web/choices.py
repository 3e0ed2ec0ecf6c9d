"""Choices for radios: only the answers."""

from typing import Any

from django import forms


def without_blank_choice(field: forms.Field) -> None:
    """Drop the blank choice ("- Select an option -") Django adds to a model field with choices. Shown as radios it
    would be a radio button ticked before anyone chose; a select may keep it, radios may not (web/tests/
    test_radio_choices.py holds every form of the project to that)."""
    assert isinstance(field, forms.ChoiceField)
    choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]  # a model field's: a plain list
    field.choices = [(value, label) for value, label in choices if value not in ("", None)]
