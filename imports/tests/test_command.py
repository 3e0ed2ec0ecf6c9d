"""The import_history command: the same import from the command line, with progress on standard output."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from imports.models import ImportRun, RunStatus
from imports.tests.conftest import action_row, case_row, xlsx_of


def test_it_imports_a_file_and_shows_progress(tmp_path, capsys, marac, coordinator, agencies):
    path = tmp_path / "history.xlsx"
    path.write_bytes(xlsx_of([case_row(f"CMD-{n}") for n in range(3)], [action_row("CMD-1")]))
    call_command("import_history", "--marac", str(marac.pk), "--by", coordinator.email, str(path))
    out = capsys.readouterr().out
    assert "Checking the rows: 4 of 4 rows" in out
    assert "Imported. rows: 4, problems: 0" in out or "Imported. cases: 3, actions: 1" in out
    assert Case.objects.count() == 3


def test_a_dry_run_saves_nothing(tmp_path, capsys, marac, coordinator, agencies):
    path = tmp_path / "history.xlsx"
    path.write_bytes(xlsx_of([case_row("CMD-1")]))
    call_command("import_history", "--marac", str(marac.pk), "--by", coordinator.email, "--dry-run", str(path))
    assert "Checked: no problems found" in capsys.readouterr().out
    assert Case.objects.count() == 0
    assert ImportRun.objects.get().status == RunStatus.CHECKED


def test_it_lists_problems_and_fails(tmp_path, capsys, marac, coordinator, agencies):
    path = tmp_path / "history.xlsx"
    path.write_bytes(xlsx_of([case_row("CMD-1", referred_on="31/02/2024")]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_history", "--marac", str(marac.pk), "--by", coordinator.email, str(path))
    assert "Problem: Row 2 of Cases, column 'Referral date': 31/02/2024 is not a date" in capsys.readouterr().out


def test_it_refuses_someone_who_may_not_import_there(tmp_path, marac, referrer):
    path = tmp_path / "history.xlsx"
    path.write_bytes(xlsx_of([case_row("CMD-1")]))
    with pytest.raises(CommandError, match="is not an administrator or coordinator"):
        call_command("import_history", "--marac", str(marac.pk), "--by", referrer.email, str(path))
