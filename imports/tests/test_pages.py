"""The import pages: who may reach them, the upload, the run's report and its CSV, the template."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases.models import Case
from imports.models import ImportRun, RunStatus
from imports.services import MAX_UPLOAD_BYTES, import_reports_redact
from imports.tests.conftest import case_row, csv_of, run_of, xlsx_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, content, name="history.xlsx", **data):
    return client.post("/imports/", {"cases_file": SimpleUploadedFile(name, content, XLSX), **data})


def test_it_imports_an_uploaded_workbook_and_shows_the_summary(client_for, coordinator, agencies):
    client = client_for(coordinator)
    response = _upload(client, xlsx_of([case_row("WEB-1"), case_row("WEB-2")]))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/"
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "History imported" in page
    assert "2 cases and 0 actions" in page
    assert 'Already imported</dt><dd class="govuk-summary-list__value">0 rows' in page
    assert Case.objects.count() == 2


def test_it_lists_every_problem_on_the_page_and_in_the_csv(client_for, coordinator, agencies):
    client = client_for(coordinator)
    _upload(client, xlsx_of([case_row("WEB-1"), case_row("WEB-2", victim_date_of_birth="31/02/1980", repeat="")]))
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Nothing was imported" in page
    assert "Row 3 of Cases, column &#x27;Victim date of birth&#x27;: 31/02/1980 is not a date" in page
    assert "Row 3 of Cases, column &#x27;Repeat&#x27;: is blank; it is needed" in page
    response = client.get(f"/imports/{run.pk}/problems.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Kind", "Sheet", "Row", "Column", "Value", "Problem"]
    assert ["problem", "Cases", "3", "Victim date of birth", "31/02/1980", "31/02/1980 is not a date"] in rows
    assert Case.objects.count() == 0


def test_an_administrator_who_did_not_upload_sees_where_problems_are_not_the_values(
    client_for, coordinator, administrator, marac, agencies
):
    run = run_of(marac, coordinator, xlsx_of([case_row("WEB-1", victim_date_of_birth="31/02/1980")]))
    page = client_for(administrator).get(f"/imports/{run.pk}/").content.decode()
    assert "column &#x27;Victim date of birth&#x27;: (value hidden) is not a date" in page
    assert "31/02/1980" not in page


def test_thirty_days_after_an_import_its_report_keeps_where_problems_were_not_the_values(
    client_for, coordinator, marac, agencies
):
    run = run_of(marac, coordinator, xlsx_of([case_row("WEB-1", victim_date_of_birth="31/02/1980")]))
    finished = run.finished_at
    assert import_reports_redact(now=finished + datetime.timedelta(days=29)) == 0  # still within its 30 days
    assert "31/02/1980" in client_for(coordinator).get(f"/imports/{run.pk}/").content.decode()

    assert import_reports_redact(now=finished + datetime.timedelta(days=31)) == 1
    assert import_reports_redact(now=finished + datetime.timedelta(days=62)) == 0  # once only

    page = client_for(coordinator).get(f"/imports/{run.pk}/").content.decode()
    assert "column &#x27;Victim date of birth&#x27;: (value hidden) is not a date" in page
    assert "31/02/1980" not in page and "history.xlsx" not in page
    assert 'data-testid="report-redacted"' in page
    csv = client_for(coordinator).get(f"/imports/{run.pk}/problems.csv").content.decode()
    assert "31/02/1980" not in csv and "(value hidden) is not a date" in csv
    removed = AuditEvent.objects.filter(object_type="imports.importrun", summary__contains="removed from its report")
    assert [(event.object_id, event.action) for event in removed] == [(str(run.pk), "change")]


def test_it_refuses_a_file_too_large_or_of_the_wrong_kind_with_a_clear_error(client_for, coordinator, agencies):
    client = client_for(coordinator)
    response = _upload(client, b"x" * (MAX_UPLOAD_BYTES + 1), name="history.csv")
    assert response.status_code == 400
    assert "The file must be 15 MB or smaller" in response.content.decode()
    response = _upload(client, b"cases", name="history.pdf")
    assert "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_it_checks_only_when_asked(client_for, coordinator, agencies):
    client = client_for(coordinator)
    _upload(client, csv_of([case_row("WEB-1")]), name="cases.csv", check_only="on")
    run = ImportRun.objects.get()
    assert run.status == RunStatus.CHECKED
    assert "Importing this file would add 1 case and 0 actions" in client.get(f"/imports/{run.pk}/").content.decode()
    assert Case.objects.count() == 0


def test_the_template_is_a_workbook_with_both_sheets_and_every_column(client_for, administrator):
    response = client_for(administrator).get("/imports/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Cases", "Actions", "Columns"]
    assert workbook["Cases"]["A1"].value == "Case reference"
    assert workbook["Actions"]["C1"].value == "Action"


def test_the_coordinators_home_page_links_to_the_import(client_for, coordinator):
    assert 'href="/imports/"' in client_for(coordinator).get("/").content.decode()


@pytest.mark.parametrize("persona", ["referrer", "board_viewer", "chair", "police_rep", "no_role_user"])
def test_it_is_not_found_for_those_who_may_not_import(request, client_for, persona, coordinator, marac, agencies):
    run = run_of(marac, coordinator, xlsx_of([case_row("WEB-1")]))
    client = client_for(request.getfixturevalue(persona))
    for url in ("/imports/", f"/imports/{run.pk}/", f"/imports/{run.pk}/problems.csv", "/imports/template.xlsx"):
        assert client.get(url).status_code == 404, url
    assert _upload(client, xlsx_of([case_row("WEB-2")])).status_code == 404
    assert ImportRun.objects.count() == 1


def test_an_outsider_cannot_open_this_marac_s_run(client_for, coordinator, marac, agencies, outsider):
    run = run_of(marac, coordinator, xlsx_of([case_row("WEB-1")]))
    client = client_for(outsider)
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.get(f"/imports/{run.pk}/problems.csv").status_code == 404
    page = client.get("/imports/").content.decode()  # their own MARAC's page, without this MARAC's runs
    assert "Southmere MARAC" in page and f"Import {run.pk}" not in page
