"""Importing a history in a real browser: upload, watch the rows being checked, then the summary; axe on each."""

import pytest

from cases.models import Case
from imports.models import ImportRun, RunStatus
from imports.services import import_run_execute
from imports.tests.conftest import case_row, xlsx_of
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser
ROWS = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_coordinator_uploads_a_history_watches_it_checked_and_sees_it_imported(
    page, base_url, coordinator, agencies, settings, tmp_path
):
    # The worker is this test: the upload is queued, then run here while the browser watches the run's page.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    content = xlsx_of([case_row(f"BR-{number:04d}", victim_family_name=f"Browser{number}") for number in range(ROWS)])

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Import your MARAC's history from a spreadsheet").click()
    assert page.locator("h1").inner_text() == "Import your MARAC's history"
    assert_accessible(page)
    page.get_by_label("Your history").set_input_files(
        files=[{"name": "history.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    page.get_by_role("button", name="Upload and check").click()

    run = ImportRun.objects.get()
    assert page.locator("h1").inner_text() == f"Import {run.pk}: waiting to start"
    assert_accessible(page)

    seen = []

    def refresh_halfway(phase, done, total):
        if phase == RunStatus.CHECKING and done == ROWS // 2:
            page.get_by_role("link", name="Refresh to see how it is going").click()
            seen.append(page.get_by_test_id("import-progress").inner_text())
            assert_accessible(page)

    import_run_execute(run_id=run.pk, progress=refresh_halfway)

    assert f"Checking the rows: {ROWS // 2} of {ROWS} checked (50%)." in seen[0]
    page.get_by_role("link", name="Refresh to see how it is going").click()
    assert page.locator("h1").inner_text() == f"Import {run.pk}: imported"
    assert f"{ROWS} cases and 0 actions" in page.locator(".govuk-panel").inner_text()
    assert_accessible(page)
    assert Case.objects.count() == ROWS


def test_a_coordinator_sees_an_import_whose_worker_died_as_stopped(page, base_url, coordinator, marac, agencies):
    import datetime

    from django.utils import timezone

    from imports.services import import_run_create
    from imports.stalling import STOPPED_MESSAGE

    run = import_run_create(
        marac=marac, by=coordinator, file_name="history.xlsx", cases=xlsx_of([case_row("BR-1")]), actions=None,
        check_only=False,
    )  # fmt: skip
    ImportRun.objects.filter(pk=run.pk).update(last_progress_at=timezone.now() - datetime.timedelta(minutes=16))

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/imports/{run.pk}/")
    assert page.locator("h1").inner_text() == f"Import {run.pk}: not imported: the import stopped before it finished"
    assert STOPPED_MESSAGE in page.get_by_test_id("import-stopped").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Upload the file again").click()
    assert STOPPED_MESSAGE in page.locator("table").first.inner_text()
    assert_accessible(page)
