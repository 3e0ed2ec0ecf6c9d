"""Fixtures for the import tests: a MARAC's agencies, and histories written as real .xlsx and .csv files."""

import csv
import io
from collections.abc import Callable, Sequence

import pytest
from openpyxl import Workbook

from imports.columns import ACTION_COLUMNS, CASE_COLUMNS
from imports.reading import is_workbook
from imports.services import import_run_create, import_run_execute
from marac.models import AgencyType, MaracAgency
from testing.factories import AgencyFactory

CASE_HEADINGS = [column.heading for column in CASE_COLUMNS]
ACTION_HEADINGS = [column.heading for column in ACTION_COLUMNS]


@pytest.fixture
def agencies(marac):
    made = {
        "police": AgencyFactory(name="Northbrook Police Service", agency_type=AgencyType.POLICE),
        "idva": AgencyFactory(name="Northbrook Advocacy Service", agency_type=AgencyType.IDVA_SERVICE),
        "csc": AgencyFactory(name="Northbrook Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE),
        "housing": AgencyFactory(name="Northbrook Homes", agency_type=AgencyType.HOUSING),
    }
    for agency in made.values():
        MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    return made


def case_row(reference: str, **changes: str) -> dict[str, str]:
    """A good Cases row for an obviously fictional victim; keyword arguments replace columns by key."""
    row = {
        "reference": reference,
        "referred_on": "03/04/2024",
        "heard_on": "2024-04-11",
        "referring_agency": "Police",
        "victim_given_name": "Fictionalia",
        "victim_family_name": f"Testcase-{reference}",
        "victim_date_of_birth": "14/02/1989",
        "victim_gender": "female",
        "victim_ethnicity": "White",
        "victim_disability": "no",
        "victim_postcode": "NB1 2XY",
        "perpetrator_given_name": "Imaginario",
        "perpetrator_family_name": f"Madeup-{reference}",
        "perpetrator_date_of_birth": "01/09/1985",
        "perpetrator_gender": "male",
        "relationship": "ex-partner",
        "children": "0",
        "dash_score": "16",
        "repeat": "no",
        "information_only": "no",
        "outcome": "closed",
        "idva_engaged": "yes",
        "idva_allocated_on": "04/04/2024",
    }
    row.update(changes)
    return row


def action_row(reference: str, **changes: str) -> dict[str, str]:
    row = {
        "case_reference": reference,
        "agency": "Northbrook Police Service",
        "action": "Flag and tag the victim's address",
        "for_whom": "victim",
        "due_on": "18/04/2024",
        "status": "done",
        "completed_on": "16/04/2024",
    }
    row.update(changes)
    return row


def _cells(rows: Sequence[dict[str, str]], columns) -> list[list[str]]:
    return [[row.get(column.key, "") for column in columns] for row in rows]


def xlsx_of(cases: Sequence[dict[str, str]], actions: Sequence[dict[str, str]] = ()) -> bytes:
    """A real workbook, written by openpyxl, with the Cases and Actions sheets."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cases"
    sheet.append(CASE_HEADINGS)
    for cells in _cells(cases, CASE_COLUMNS):
        sheet.append(cells)
    actions_sheet = workbook.create_sheet("Actions")
    actions_sheet.append(ACTION_HEADINGS)
    for cells in _cells(actions, ACTION_COLUMNS):
        actions_sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_of(rows: Sequence[dict[str, str]], columns=CASE_COLUMNS) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([column.heading for column in columns])
    writer.writerows(_cells(rows, columns))
    return output.getvalue().encode("utf-8-sig")


def run_of(marac, by, cases: bytes, actions: bytes | None = None, *, check_only=False, progress=None):
    file_name = "history.xlsx" if is_workbook(cases) else "history.csv"
    run = import_run_create(
        marac=marac, by=by, file_name=file_name, cases=cases, actions=actions, check_only=check_only
    )
    if progress is None:
        return import_run_execute(run_id=run.pk)
    return import_run_execute(run_id=run.pk, progress=progress)


@pytest.fixture
def importing(marac, coordinator, agencies) -> Callable:
    """Import a history at the Northbrook MARAC as its coordinator."""

    def run(cases: bytes, actions: bytes | None = None, **options):
        return run_of(marac, coordinator, cases, actions, **options)

    return run
