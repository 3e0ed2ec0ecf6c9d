"""docs/import.md describes every column the import reads."""

from pathlib import Path

import pytest

from imports.columns import ACTION_COLUMNS, CASE_COLUMNS
from imports.stalling import STALLED_AFTER, STOPPED_MESSAGE

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text()


@pytest.mark.parametrize("column", CASE_COLUMNS + ACTION_COLUMNS, ids=lambda column: column.key)
def test_it_documents_every_column_with_its_meaning(column):
    rows = [line for line in DOC.splitlines() if line.startswith(f"| {column.heading} |")]
    assert any(column.meaning in row and column.accepted in row for row in rows), column.heading


def test_it_documents_when_an_import_counts_as_stopped():
    assert f"**{int(STALLED_AFTER.total_seconds() // 60)} minutes**" in DOC
    assert STOPPED_MESSAGE in DOC.replace("\n  ", " ")
