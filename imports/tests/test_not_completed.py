"""Importing an action the chair or coordinator closed as not completed: the action and the resolution that closing
records, from real .xlsx and CSV files; the reason checked before anything is saved; all or nothing; a second
import making nothing twice."""

import io
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Action, ActionResolution, ActionStatus, ResolutionKind
from cases.models import Case
from imports import rules
from imports.columns import ACTION_COLUMNS
from imports.models import ImportedRecord, RecordKind, RunStatus
from imports.services import _fingerprint_key
from imports.tests.conftest import action_row, case_row, csv_of, xlsx_of

REASON = "No other agency could take on the housing check; the chair closed it."
# The Actions columns as a file made before the reason column existed has them.
COLUMNS_WITHOUT_REASON = tuple(column for column in ACTION_COLUMNS if column.key != "not_completed_reason")


def _not_completed(reference="NC-1", **changes):
    values = {
        "agency": "Northbrook Homes",
        "action": "Check the housing register",
        "status": "not completed",
        "completed_on": "02/05/2024",
        "not_completed_reason": REASON,
    }
    return action_row(reference, **{**values, **changes})


def _history():
    return [case_row("NC-1"), case_row("NC-2")], [action_row("NC-1"), _not_completed(), action_row("NC-2")]


def _assert_closed_as_not_completed(agencies, coordinator):
    action = Action.objects.get(description="Check the housing register")
    assert action.status == ActionStatus.NOT_COMPLETED
    assert timezone.localtime(action.closed_at).date() == date(2024, 5, 2)
    resolution = ActionResolution.objects.get(action=action)
    assert resolution.kind == ResolutionKind.NOT_COMPLETED and resolution.reason == REASON
    assert resolution.from_agency == agencies["housing"] and resolution.by == coordinator
    assert timezone.localtime(resolution.at).date() == date(2024, 5, 2)  # the day the file gives, not today
    assert resolution.referred_to_vawg is False and resolution.to_agency is None


def test_a_workbook_brings_in_an_action_closed_as_not_completed_with_its_reason(importing, agencies, coordinator):
    run = importing(xlsx_of(*_history()))

    assert run.status == RunStatus.DONE, run.problems
    assert run.summary["actions"] == 3 and run.summary["closed_not_completed"] == 1
    _assert_closed_as_not_completed(agencies, coordinator)
    assert ActionResolution.objects.count() == 1  # only the not completed action has one


def test_csv_files_bring_it_in_too(importing, agencies, coordinator):
    cases, actions = _history()
    run = importing(csv_of(cases), csv_of(actions, columns=ACTION_COLUMNS))

    assert run.status == RunStatus.DONE, run.problems
    _assert_closed_as_not_completed(agencies, coordinator)


def test_the_coordinator_sees_it_with_its_reason_among_the_actions_closed_as_not_completed(
    importing, client_for, coordinator
):
    assert importing(xlsx_of(*_history())).status == RunStatus.DONE
    page = client_for(coordinator).get("/actions/cannot-complete/").content.decode()
    assert "Closed as not completed" in page and "NC-1" in page
    assert "No other agency could take on the housing check" in page


def test_importing_the_same_file_again_makes_no_second_resolution(importing):
    content = xlsx_of(*_history())
    assert importing(content).status == RunStatus.DONE

    again = importing(content)

    assert again.status == RunStatus.DONE and again.warnings == []
    assert again.summary["actions"] == 0 and again.summary["closed_not_completed"] == 0
    assert again.summary["already_imported"] == 5
    assert ActionResolution.objects.count() == 1 and Action.objects.count() == 3


def test_a_not_completed_action_without_its_reason_stops_the_whole_import_and_says_which_row(importing):
    cases, actions = _history()
    actions[1]["not_completed_reason"] = "  "

    run = importing(xlsx_of(cases, actions))

    assert run.status == RunStatus.REFUSED
    assert run.problems == [
        ["Actions", 3, "Reason not completed", "", "is blank: a not completed action needs the reason it was closed"]
    ]
    assert Case.objects.count() == 0 and Action.objects.count() == 0 and ActionResolution.objects.count() == 0
    assert ImportedRecord.objects.count() == 0


def test_a_file_without_the_reason_column_says_to_add_it(importing):
    cases, actions = _history()

    run = importing(csv_of(cases), csv_of(actions, columns=COLUMNS_WITHOUT_REASON))

    assert run.status == RunStatus.REFUSED
    assert run.problems == [
        [
            "Actions",
            3,
            "Reason not completed",
            "",
            "is not a column of the file: a not completed action needs the reason it was closed, in a column "
            "headed 'Reason not completed'",
        ]
    ]
    assert Case.objects.count() == 0 and ActionResolution.objects.count() == 0


def test_a_file_without_the_reason_column_and_no_such_action_imports_as_before(importing):
    cases, actions = _history()
    del actions[1]
    run = importing(csv_of(cases), csv_of(actions, columns=COLUMNS_WITHOUT_REASON))
    assert run.status == RunStatus.DONE, run.problems
    assert run.warnings == []


def test_a_not_completed_action_needs_the_day_it_was_closed(importing):
    cases, actions = _history()
    actions[1]["completed_on"] = ""

    run = importing(xlsx_of(cases, actions))

    assert run.status == RunStatus.REFUSED
    assert run.problems == [
        ["Actions", 3, "Completed date", "", "is blank: a not completed action needs the day it was closed"]
    ]
    assert Action.objects.count() == 0


def test_a_reason_on_an_action_with_another_status_is_a_problem_not_dropped(importing):
    cases, actions = _history()
    actions[0]["not_completed_reason"] = "Done by the neighbourhood team"

    run = importing(xlsx_of(cases, actions))

    assert run.status == RunStatus.REFUSED
    assert [problem[1:3] + problem[4:] for problem in run.problems] == [
        [2, "Reason not completed", "is given but the action is not 'not completed'"]
    ]
    assert Action.objects.count() == 0


def test_it_accepts_the_status_as_the_action_pages_word_it():
    agencies = rules.AgencyLookup([rules.AgencyChoice(1, "Northbrook Homes", "housing", "Housing")])
    for status in ("Not completed", "NOT COMPLETED", "Closed as not completed", "not_completed"):
        action, problems = rules.validate_action_row(
            2, _not_completed(status=status), agencies=agencies, today=date(2026, 6, 1)
        )
        assert problems == [] and action is not None and action.status == "not_completed", status
    _, problems = rules.validate_action_row(
        2, _not_completed(status="abandoned"), agencies=agencies, today=date(2026, 6, 1)
    )
    assert problems[0].message == "abandoned is not one of: open, done, cannot complete, not completed"


def test_a_failure_while_saving_the_resolutions_saves_nothing(importing, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ActionResolution.objects, "bulk_update", fail)

    run = importing(xlsx_of(*_history()))

    assert run.status == RunStatus.FAILED
    assert Case.objects.count() == 0 and Action.objects.count() == 0 and ActionResolution.objects.count() == 0
    assert ImportedRecord.objects.count() == 0


def test_an_action_imported_before_the_reason_column_is_not_called_changed(importing):
    """Its fingerprint was taken from the row's details without a reason: a second import must still match it."""
    cases, actions = _history()
    del actions[1]
    content = xlsx_of(cases, actions)
    assert importing(content).status == RunStatus.DONE
    lookup = rules.AgencyLookup([rules.AgencyChoice(1, "Northbrook Police Service", "police", "Police")])
    for record, row in zip(ImportedRecord.objects.filter(kind=RecordKind.ACTION).order_by("pk"), actions, strict=True):
        action, _ = rules.validate_action_row(2, row, agencies=lookup, today=date(2026, 6, 1))
        assert action is not None
        details = {name: value for name, value in vars(action).items() if name not in ("row", "not_completed_reason")}
        details["agency_id"] = record.action.owner_agency_id
        record.fingerprint = rules.fingerprint(details, _fingerprint_key())  # as the earlier version wrote it
        record.save()

    again = importing(content)

    assert again.status == RunStatus.DONE
    assert again.summary["changed_and_left"] == 0 and again.warnings == []


def test_the_template_offers_the_reason_column_and_the_new_status(client_for, coordinator):
    response = client_for(coordinator).get("/imports/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    headings = [cell.value for cell in workbook["Actions"][1]]
    assert "Reason not completed" in headings
    help_rows = {(row[0], row[1]): row for row in workbook["Columns"].iter_rows(min_row=2, values_only=True)}
    assert "not completed" in help_rows[("Actions", "Status")][4]
    assert help_rows[("Actions", "Reason not completed")][3].startswith("Why the action was closed as not completed")


def test_a_filled_in_template_with_a_not_completed_action_imports(importing, client_for, coordinator, agencies):
    """The downloaded template, its example rows replaced by a history, read back and imported."""
    workbook = load_workbook(io.BytesIO(client_for(coordinator).get("/imports/template.xlsx").content))
    cases, actions = _history()
    for sheet, rows in ((workbook["Cases"], cases), (workbook["Actions"], actions)):
        keys = [_key_of(sheet.title, cell.value) for cell in sheet[1]]
        sheet.delete_rows(2)
        for row in rows:
            sheet.append([row.get(key, "") for key in keys])
    output = io.BytesIO()
    workbook.save(output)

    run = importing(output.getvalue())

    assert run.status == RunStatus.DONE, run.problems
    _assert_closed_as_not_completed(agencies, coordinator)


def _key_of(sheet: str, heading: str) -> str:
    from imports.columns import COLUMNS_BY_SHEET

    return next(column.key for column in COLUMNS_BY_SHEET[sheet] if column.heading == heading)


@pytest.mark.parametrize("status", ["open", "done", "cannot complete"])
def test_other_statuses_still_need_no_reason(status):
    agencies = rules.AgencyLookup([rules.AgencyChoice(1, "Northbrook Homes", "housing", "Housing")])
    completed_on = "" if status == "open" else "02/05/2024"
    row = _not_completed(status=status, completed_on=completed_on, not_completed_reason="")
    action, problems = rules.validate_action_row(2, row, agencies=agencies, today=date(2026, 6, 1))
    assert problems == [] and action is not None and action.not_completed_reason == ""
