"""An import whose worker died: after STALLED_AFTER without progress it is shown as stopped, its held file emptied,
the file can be uploaded again (once, no duplicates), and a worker that only slept and wakes later saves nothing."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from actions.models import Action
from audit.models import AuditEvent
from cases.models import Case
from imports.models import ImportedRecord, ImportRun, RunStatus
from imports.reading import read_upload
from imports.services import (
    ImportStopped,
    check_history,
    import_run_create,
    import_run_execute,
    import_runs_stop_stalled,
    save_history,
)
from imports.stalling import STALLED_AFTER, STOPPED_MESSAGE, has_stalled
from imports.tests.conftest import action_row, case_row, xlsx_of
from people.models import Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PAGE_MESSAGE = STOPPED_MESSAGE.replace("'", "&#x27;")


class WorkerKilled(BaseException):
    """What the worker's process being killed looks like from inside: no handler of the worker's runs, and the
    database rolls back its open transaction."""


def _history() -> bytes:
    return xlsx_of([case_row("ST-1"), case_row("ST-2")], [action_row("ST-1"), action_row("ST-2")])


def _queued(marac, by, content=None, heartbeat=NINE) -> ImportRun:
    run = import_run_create(
        marac=marac, by=by, file_name="history.xlsx", cases=content or _history(), actions=None, check_only=False
    )
    ImportRun.objects.filter(pk=run.pk).update(last_progress_at=heartbeat)
    return run


def _killed_while_saving(marac, by) -> ImportRun:
    """A run whose worker was killed half way through saving: the run says "saving", nothing is saved."""
    run = _queued(marac, by)

    def killed_half_way(phase, done, total):
        if phase == RunStatus.SAVING and done:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        import_run_execute(run_id=run.pk, progress=killed_half_way)
    run.refresh_from_db()
    assert run.status == RunStatus.SAVING and not Case.objects.exists()
    return run


def _nothing_saved() -> bool:
    return not (Case.objects.exists() or Action.objects.exists() or ImportedRecord.objects.exists())


# --- The rule ------------------------------------------------------------------------------------------------------


def test_it_counts_16_minutes_without_progress_as_stalled_and_14_as_not():
    assert timedelta(minutes=15) == STALLED_AFTER
    assert has_stalled(last_progress_at=NINE, now=datetime(2026, 11, 24, 9, 16, tzinfo=UTC))
    assert not has_stalled(last_progress_at=NINE, now=datetime(2026, 11, 24, 9, 14, tzinfo=UTC))
    assert has_stalled(last_progress_at=NINE, now=datetime(2026, 11, 24, 9, 15, tzinfo=UTC))  # 15 minutes exactly


def test_a_run_whose_heartbeat_is_16_minutes_old_is_stopped_and_14_is_not(marac, coordinator, agencies):
    run = _queued(marac, coordinator)

    assert import_runs_stop_stalled(now=datetime(2026, 11, 24, 9, 14, tzinfo=UTC)) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.upload["cases"]

    assert import_runs_stop_stalled(now=datetime(2026, 11, 24, 9, 16, tzinfo=UTC)) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED and run.is_finished
    assert run.finished_at == datetime(2026, 11, 24, 9, 16, tzinfo=UTC)
    assert run.failure == STOPPED_MESSAGE
    assert run.upload == {}  # the file is not kept, as when a run finishes
    assert import_runs_stop_stalled(now=datetime(2026, 11, 24, 10, 0, tzinfo=UTC)) == 0  # once only

    stopped = AuditEvent.objects.get(object_type="imports.importrun", summary__contains="marked stopped")
    assert stopped.object_id == str(run.pk) and stopped.action == "change"
    assert stopped.summary == (
        f"Import run {run.pk} marked stopped: no progress for 15 minutes; its held upload emptied"
    )


def test_a_finished_run_is_never_marked_stopped(importing, marac):
    run = importing(_history())
    assert run.status == RunStatus.DONE
    assert import_runs_stop_stalled(now=run.finished_at + timedelta(days=1)) == 0


def test_it_stops_only_the_runs_of_the_marac_asked_about(marac, other_marac, coordinator, outsider, agencies):
    here, there = _queued(marac, coordinator), _queued(other_marac, outsider)
    assert import_runs_stop_stalled(now=NINE + timedelta(hours=1), marac=marac) == 1
    here.refresh_from_db(), there.refresh_from_db()
    assert (here.status, there.status) == (RunStatus.STOPPED, RunStatus.QUEUED)


# Within two seconds of the boundary (to the microsecond), and anywhere in the first hour.
ages = st.one_of(
    st.timedeltas(min_value=STALLED_AFTER - timedelta(seconds=2), max_value=STALLED_AFTER + timedelta(seconds=2)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=1)),
)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(age=ages)
def test_a_run_is_stopped_exactly_when_its_heartbeat_is_at_least_15_minutes_old(marac, coordinator, age):
    try:
        with transaction.atomic():
            run = _queued(marac, coordinator, content=b"Case reference\nST-1\n")
            stopped = import_runs_stop_stalled(now=NINE + age, marac=marac)
            run.refresh_from_db()
            assert stopped == int(age >= STALLED_AFTER) == int(has_stalled(last_progress_at=NINE, now=NINE + age))
            assert (run.status == RunStatus.STOPPED) == (age >= STALLED_AFTER)
            assert (run.upload == {}) == (age >= STALLED_AFTER)
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    """Rolls one hypothesis example back, so each starts with no runs."""


# --- What a coordinator sees -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_the_run_page_and_the_list_show_a_run_whose_worker_died_as_stopped(
    request, client_for, persona, marac, coordinator, agencies
):
    run = _killed_while_saving(marac, coordinator)
    client = client_for(request.getfixturevalue(persona))

    ImportRun.objects.filter(pk=run.pk).update(last_progress_at=timezone.now() - timedelta(minutes=14))
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "saving them now" in page and PAGE_MESSAGE not in page

    ImportRun.objects.filter(pk=run.pk).update(last_progress_at=timezone.now() - timedelta(minutes=16))
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f"Import {run.pk}: not imported: the import stopped before it finished" in page
    assert PAGE_MESSAGE in page and 'data-testid="import-stopped"' in page
    assert "import-progress" not in page  # no "refresh to see how it is going" for a run that is over
    listing = client.get("/imports/").content.decode()
    assert PAGE_MESSAGE in listing
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED and run.upload == {}
    assert _nothing_saved()
    stopped = AuditEvent.objects.get(object_type="imports.importrun", summary__contains="marked stopped")
    assert "history.xlsx" not in stopped.summary and "ST-1" not in stopped.summary


def test_the_list_stops_stalled_runs_before_showing_them(client_for, marac, coordinator, agencies):
    run = _queued(marac, coordinator, heartbeat=timezone.now() - timedelta(minutes=20))
    listing = client_for(coordinator).get("/imports/").content.decode()
    assert f"Import {run.pk}" in listing and PAGE_MESSAGE in listing
    assert ImportRun.objects.get(pk=run.pk).status == RunStatus.STOPPED


def test_after_a_stopped_run_the_same_file_uploaded_again_is_imported_once(client_for, marac, coordinator, agencies):
    stalled = _killed_while_saving(marac, coordinator)
    ImportRun.objects.filter(pk=stalled.pk).update(last_progress_at=timezone.now() - timedelta(minutes=16))
    client = client_for(coordinator)
    assert PAGE_MESSAGE in client.get(f"/imports/{stalled.pk}/").content.decode()

    for attempt in range(2):
        response = client.post("/imports/", {"cases_file": SimpleUploadedFile("history.xlsx", _history(), XLSX)})
        run = ImportRun.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
        assert run.status == RunStatus.DONE, run.problems
        page = client.get(f"/imports/{run.pk}/").content.decode()
        if attempt == 0:
            assert "2 cases and 2 actions" in page
        else:
            assert "0 cases and 0 actions" in page and "4 rows" in page

    assert sorted(Case.objects.values_list("reference", flat=True)) == ["ST-1", "ST-2"]
    assert Action.objects.count() == 2 and ImportedRecord.objects.count() == 4
    assert Person.objects.filter(family_name="Testcase-ST-1").count() == 1
    assert ImportRun.objects.get(pk=stalled.pk).status == RunStatus.STOPPED


# --- A worker that was only slow ---------------------------------------------------------------------------------


def test_a_worker_that_wakes_after_its_run_was_stopped_saves_nothing(marac, coordinator, agencies):
    """The service step called after the run was marked stopped: refused before it writes anything."""
    run = _queued(marac, coordinator)
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.SAVING)  # it got as far as saving, then slept
    cases, actions = read_upload(_history(), None)
    checked = check_history(marac=marac, cases=cases, actions=actions, today=timezone.localdate())
    assert len(checked.sorted.new_cases) == 2 and not checked.problems

    assert import_runs_stop_stalled(now=NINE + timedelta(minutes=16)) == 1
    run.refresh_from_db()
    with pytest.raises(ImportStopped):
        save_history(marac=marac, rows=checked.sorted, run=run, by=coordinator)
    assert _nothing_saved() and not Person.objects.exists()
    assert ImportRun.objects.get(pk=run.pk).status == RunStatus.STOPPED


def test_a_worker_asleep_while_checking_is_stopped_and_wakes_to_save_nothing(marac, coordinator, agencies):
    run = _queued(marac, coordinator)

    def sleeps_through_it(phase, done, total):
        if phase == RunStatus.CHECKING and done == total:  # the page was opened 16 minutes later meanwhile
            assert import_runs_stop_stalled(now=timezone.now() + timedelta(minutes=16)) == 1

    after = import_run_execute(run_id=run.pk, progress=sleeps_through_it)
    assert after.status == RunStatus.STOPPED and after.failure == STOPPED_MESSAGE and after.upload == {}
    assert _nothing_saved()
    assert not AuditEvent.objects.filter(object_type="imports.importrun", summary__startswith="History imported")


def test_a_worker_delivered_its_task_after_the_run_was_stopped_does_not_start_it(marac, coordinator, agencies):
    run = _queued(marac, coordinator)
    import_runs_stop_stalled(now=NINE + timedelta(minutes=16))
    assert import_run_execute(run_id=run.pk).status == RunStatus.STOPPED
    assert _nothing_saved()


def test_the_save_checks_the_run_again_just_before_it_commits_and_rolls_back(marac, coordinator, agencies):
    """Were the run marked stopped while its rows were being written (a database without row locks), the check
    before the commit finds it and the whole save is rolled back."""
    run = _queued(marac, coordinator)

    def marked_stopped_mid_save(phase, done, total):
        if phase == RunStatus.SAVING and done and done < total:
            ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.STOPPED)

    after = import_run_execute(run_id=run.pk, progress=marked_stopped_mid_save)
    assert after.status != RunStatus.DONE
    assert _nothing_saved() and not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_saving_slowly_is_alive_and_not_stopped(marac, coordinator, agencies):
    """PostgreSQL: a worker in its save transaction holds its run's row lock; a page opened meanwhile, however old
    the heartbeat looks, skips the run rather than stop it or wait for it, and the save completes."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: a page cannot write while a run saves")
    run = _queued(marac, coordinator)
    saving, checked = threading.Event(), threading.Event()
    seen: list[int] = []
    waited_in_vain: list[bool] = []

    def slow_save(phase, done, total):
        if phase == RunStatus.SAVING and done and done < total:
            saving.set()
            # Had the page waited for the lock instead of skipping the run, this would time out.
            waited_in_vain.append(not checked.wait(timeout=20))

    def worker():
        try:
            import_run_execute(run_id=run.pk, progress=slow_save)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert saving.wait(timeout=60)
    seen.append(import_runs_stop_stalled(now=timezone.now() + timedelta(hours=1)))
    checked.set()
    thread.join(timeout=60)

    assert seen == [0] and waited_in_vain == [False]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and Case.objects.count() == 2
