"""Fixtures shared by the web tests."""

from typing import Any

import pytest

from web.tests.project_forms import form_arguments


@pytest.fixture
def arguments(marac, coordinator, idva) -> dict[str, Any]:
    """What the project's forms are built with (web/tests/project_forms.py)."""
    return form_arguments(marac, coordinator, idva)
