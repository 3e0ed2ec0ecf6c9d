"""A heading the import does not know is from the file, like any value: a file without a heading row has a case's
details in its first row. The report hides it from those who may not see case data, and from everyone after 30 days;
a file without a heading row is told so plainly. And the import's wording: file type, plurals, no repeated words."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import rules
from imports.columns import CASE_COLUMNS
from imports.models import ImportRun, RunStatus
from imports.rules import Problem
from imports.services import import_reports_redact
from imports.tests.conftest import case_row, csv_of, xlsx_of

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The fictional victim's details in the row the file has instead of headings.
PERSONAL = ["Fakename", "Leakworthy", "14/02/1989", "NB1 2XY", "IMP-0099"]


def _without_heading_row() -> bytes:
    row = case_row(
        "IMP-0099", victim_given_name="Fakename", victim_family_name="Leakworthy", victim_date_of_birth="14/02/1989"
    )
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([row.get(column.key, "") for column in CASE_COLUMNS])
    writer.writerow([row.get(column.key, "") for column in CASE_COLUMNS])
    return output.getvalue().encode()


def _upload(client, content: bytes, name: str, content_type: str = "text/csv"):
    return client.post("/imports/", {"cases_file": SimpleUploadedFile(name, content, content_type)})


def _csv_report(client, run: ImportRun) -> str:
    return client.get(f"/imports/{run.pk}/problems.csv").content.decode("utf-8-sig")


# --- A file without a heading row -----------------------------------------------------------------------------------


def test_a_file_without_a_heading_row_is_told_so_and_its_first_row_is_never_quoted(
    client_for, coordinator, administrator, agencies
):
    uploader = client_for(coordinator)
    _upload(uploader, _without_heading_row(), "cases.csv")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.REFUSED
    for client in (uploader, client_for(administrator)):
        page = client.get(f"/imports/{run.pk}/").content.decode()
        assert "Nothing was imported" in page
        assert "The first row does not look like a heading row" in page
        assert "is not a column OpenMARAC knows" not in page  # not one warning for each of the victim's details
        report = _csv_report(client, run)
        assert "The first row does not look like a heading row" in report
        for value in PERSONAL:
            assert value not in page and value not in report, value


@pytest.mark.parametrize(
    ("headings", "looks_right"),
    [
        (["Case reference", "Referral date", "Shoe size"], True),
        (["", ""], True),  # blank: reported as missing columns instead
        (["IMP-0099", "03/04/2023", "Fakename"], False),
        (["Case reference", "2023-04-03"], False),  # a date is never a heading
        (["Shoe size", "Hat size"], False),
    ],
)
def test_what_looks_like_a_heading_row(headings, looks_right):
    read = rules.read_headings("Cases", headings, rules.CASE_COLUMNS)
    first_row = [str(problem) for problem in read.problems if "does not look like a heading row" in str(problem)]
    assert bool(first_row) is not looks_right
    if first_row:
        assert read.warnings == [] and len(read.problems) == 1
        known = {column.heading for column in CASE_COLUMNS}
        assert not any(heading and heading not in known and heading in first_row[0] for heading in headings)


# --- An unknown heading ---------------------------------------------------------------------------------------------


def _with_an_unknown_heading() -> bytes:
    content = csv_of([case_row("UNK-1")]).decode("utf-8-sig")
    heading_row, rest = content.split("\r\n", 1)
    return f"{heading_row},Fakename Leakworthy notes\r\n{rest}".encode()


def test_an_unknown_heading_is_shown_to_whoever_uploaded_it_and_hidden_from_an_administrator(
    client_for, coordinator, administrator, agencies
):
    uploader = client_for(coordinator)
    _upload(uploader, _with_an_unknown_heading(), "cases.csv")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE, run.problems
    position = len(CASE_COLUMNS) + 1
    page = uploader.get(f"/imports/{run.pk}/").content.decode()
    assert f"column {position}, headed &#x27;Fakename Leakworthy notes&#x27;, is not a column OpenMARAC knows" in page

    admin = client_for(administrator)
    page = admin.get(f"/imports/{run.pk}/").content.decode()
    report = _csv_report(admin, run)
    assert f"Row 1 of Cases: column {position}, headed (value hidden), is not a column OpenMARAC knows" in page
    assert "Fakename" not in page and "Fakename" not in report
    assert f"column {position}, headed (value hidden), is not a column OpenMARAC knows; ignored" in report


def test_thirty_days_on_an_unknown_heading_is_hidden_from_everyone(client_for, coordinator, agencies):
    uploader = client_for(coordinator)
    _upload(uploader, _with_an_unknown_heading(), "cases.csv")
    run = ImportRun.objects.get()
    assert "Fakename" in uploader.get(f"/imports/{run.pk}/").content.decode()
    assert import_reports_redact(now=run.finished_at + datetime.timedelta(days=31)) == 1
    page = uploader.get(f"/imports/{run.pk}/").content.decode()
    assert "headed (value hidden), is not a column OpenMARAC knows" in page
    assert "Fakename" not in page and "Fakename" not in _csv_report(uploader, run)


def test_a_report_kept_before_this_change_hides_its_unknown_headings_too():
    # Then the heading was the problem's column, and its value blank.
    kept = Problem("Cases", 1, "Leakworthy", "", "is not a column OpenMARAC knows; ignored")
    assert "Leakworthy" not in str(kept.redacted()) and "Leakworthy" not in kept.redacted().as_list()
    assert str(kept.redacted()) == (
        "Row 1 of Cases: a column whose heading is hidden here is not one OpenMARAC knows; ignored"
    )


def test_hiding_a_short_value_leaves_the_rest_of_the_message_alone():
    problem = Problem("Cases", 4, "Repeat", "n", "n is not one of: yes, no (not known)")
    assert (
        str(problem.redacted()) == "Row 4 of Cases, column 'Repeat': (value hidden) is not one of: yes, no (not known)"
    )


# --- Wording --------------------------------------------------------------------------------------------------------


def test_a_text_file_named_xlsx_is_called_what_it_is(client_for, coordinator, agencies, marac):
    response = _upload(client_for(coordinator), csv_of([case_row("TXT-1")]), "history.xlsx", XLSX)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This file is not an Excel workbook (.xlsx)" in page
    assert "missing from the heading row" not in page
    assert not ImportRun.objects.exists()


def test_the_import_command_calls_a_text_file_named_xlsx_what_it_is(marac, coordinator, agencies):
    from imports.services import import_run_create, import_run_execute

    run = import_run_create(
        marac=marac, by=coordinator, file_name="History.XLSX", cases=csv_of([case_row("TXT-1")]), actions=None,
        check_only=False,
    )  # fmt: skip
    run = import_run_execute(run_id=run.pk)
    assert run.status == RunStatus.REFUSED
    assert run.problems[0][-1].startswith("This file is not an Excel workbook (.xlsx)")


def test_the_summary_counts_in_plain_english(client_for, coordinator, agencies):
    client = client_for(coordinator)
    _upload(client, xlsx_of([case_row("ONE-1")]), "history.xlsx", XLSX)
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "1 case and 0 actions" in page and "1 cases" not in page
    assert 'Already imported</dt><dd class="govuk-summary-list__value">0 rows' in page
    assert "already imported: " not in page.lower()

    _upload(client, xlsx_of([case_row("ONE-1")]), "history.xlsx", XLSX)
    again = ImportRun.objects.latest("pk")
    page = client.get(f"/imports/{again.pk}/").content.decode()
    assert "0 cases and 0 actions" in page
    assert 'Already imported</dt><dd class="govuk-summary-list__value">1 row' in page
