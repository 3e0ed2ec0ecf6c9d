"""Figures as people see them: small-number suppression on counts of people only (not on staff counts or
populations), numbers in downloads that spreadsheet formulas can use, "no data" that says why, sources by name,
and the board report's chart described for screen readers."""

import csv
import datetime
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.models import Role
from marac.models import PopulationFigure
from referrals.models import IdvaAllocation
from reports import board_report
from reports.figures import Figure, Unit, source_name
from reports.indicators import INDICATORS, INDICATORS_BY_KEY
from reports.report import cell_for
from reports.tests.helpers import QUARTER, cases, records_begin
from reports.tests.test_board_report import saved_report  # noqa: F401 - the fixture
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

QUARTER_QUERY = "?period=quarter&on=2026-05-15"
IN_THE_QUARTER = datetime.datetime(2026, 5, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _allocate(marac, count, idvas):
    """count cases referred in the quarter, allocated in turn to the given IDVAs within the quarter."""
    for index, allocated in enumerate(cases(marac, count)):
        IdvaAllocation.objects.create(
            case=allocated, due_by=IN_THE_QUARTER, allocated_at=IN_THE_QUARTER, idva=idvas[index % len(idvas)]
        )


@pytest.fixture
def two_idvas(marac):
    return [grant(UserFactory(), marac, Role.IDVA) for _ in range(2)]


def _csv_by_key(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    return {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _xlsx_by_key(response):
    rows = list(load_workbook(io.BytesIO(response.content))["Indicators"].iter_rows(values_only=True))
    header = rows[0]
    return {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _cell_text(page, key):
    match = re.search(rf'data-indicator="{key}">(.*?)</tr>', page, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


# --- 2. New cases per IDVA: the IDVAs are staff, never suppressed ----------------------------------------------------


def test_a_board_viewer_sees_new_cases_per_idva_for_a_small_team(client_for, board_viewer, marac, two_idvas):
    _allocate(marac, 12, two_idvas)
    page = client_for(board_viewer).get("/reports/" + QUARTER_QUERY).content.decode()
    shown = _cell_text(page, "idva_caseload")
    assert "6.0" in shown
    assert "12 of 2" in shown
    assert "&lt;6" not in shown and "suppressed" not in shown


def test_new_cases_per_idva_is_suppressed_only_when_the_cases_are_few(client_for, board_viewer, marac, two_idvas):
    _allocate(marac, 3, two_idvas)
    shown = _cell_text(client_for(board_viewer).get("/reports/" + QUARTER_QUERY).content.decode(), "idva_caseload")
    assert "suppressed" in shown
    assert "&lt;6 of 2" in shown  # the cases withheld, the number of IDVAs still shown


def test_new_cases_per_idva_in_the_downloads_and_the_api(client_for, coordinator, board_viewer, marac, two_idvas):
    _allocate(marac, 12, two_idvas)
    row = _csv_by_key(client_for(coordinator).get("/reports/indicators.csv" + QUARTER_QUERY))["idva_caseload"]
    assert (row["Value"], row["Numerator"], row["Denominator"]) == ("6.0", "12", "2")
    response = client_for(board_viewer).get(
        "/api/v1/indicators", {"marac": marac.pk, "key": "idva_caseload", "period": "quarter", "on": "2026-05-15"}
    )
    (value,) = response.json()["values"]
    assert (value["value"], value["numerator"], value["denominator"], value["suppressed"]) == (6.0, 12, 2, False)


def test_only_staff_counts_and_populations_are_left_unsuppressed_as_denominators():
    """Every other indicator's denominator counts cases, people, listings, actions or meetings."""
    not_people = {indicator.key for indicator in INDICATORS if not indicator.denominator_counts_people}
    assert not_people == {"idva_caseload", "cases_per_10k"}
    assert all(not indicator.denominator_counts_people for indicator in INDICATORS if indicator.unit == Unit.PER_10K)


@given(
    key=st.sampled_from([indicator.key for indicator in INDICATORS]),
    numerator=st.integers(0, 500),
    denominator=st.integers(0, 500),
)
def test_a_suppressed_cell_never_shows_a_small_count_of_people(key, numerator, denominator):
    indicator = INDICATORS_BY_KEY[key]
    figure = Figure.count(numerator) if indicator.unit == Unit.COUNT else Figure(numerator, denominator, 1.0)
    cell = cell_for(indicator, figure, suppress=True, threshold=5)
    shown = {cell.value_text, cell.numerator_text}
    if indicator.denominator_counts_people:
        shown.add(cell.denominator_text)
    if indicator.counts_people:
        assert not shown & {str(small) for small in range(1, 6)}
    if not indicator.denominator_counts_people and indicator.unit != Unit.COUNT:
        # The staff or population figure is always shown exactly, and hides nothing on its own.
        assert cell.denominator_text == f"{denominator:,}"
        assert cell.suppressed == (indicator.counts_people and 1 <= numerator <= 5)


# --- 3. Numbers in the downloads -------------------------------------------------------------------------------------


@pytest.fixture
def population(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2026, adult_female_population=120_000)


def test_the_downloads_write_numerators_and_denominators_as_numbers(client_for, board_viewer, marac, population):
    cases(marac, 3, is_repeat=True)
    cases(marac, 7)
    by_key = _csv_by_key(client_for(board_viewer).get("/reports/indicators.csv" + QUARTER_QUERY))
    assert (by_key["cases_per_10k"]["Numerator"], by_key["cases_per_10k"]["Denominator"]) == ("10", "120000")
    assert by_key["repeat_cases"]["Numerator"] == "<6"  # suppressed: the text, as on the page
    assert by_key["repeat_cases"]["Denominator"] == "10"
    assert by_key["cases_heard"]["Denominator"] == ""  # a plain count has none

    workbook = _xlsx_by_key(client_for(board_viewer).get("/reports/indicators.xlsx" + QUARTER_QUERY))
    assert workbook["cases_per_10k"]["Denominator"] == 120_000
    assert workbook["cases_per_10k"]["Numerator"] == 10
    assert workbook["repeat_cases"]["Numerator"] == "<6"
    assert workbook["repeat_cases"]["Denominator"] == 10
    assert workbook["cases_heard"]["Denominator"] is None


# --- 4. "No data" says why; sources by name --------------------------------------------------------------------------


def test_a_change_with_no_data_says_the_records_do_not_reach_back(client_for, coordinator, marac):
    cases(marac, 10)
    cases(marac, 5, referred_on=datetime.date(2025, 6, 1), heard_on=datetime.date(2025, 6, 10))  # after 1 April 2025
    page = client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode()
    shown = _cell_text(page, "referrals_change")
    assert "no data" in shown
    assert "The records held do not reach back to 1 April 2025, the start of the period compared" in shown
    row = _csv_by_key(client_for(coordinator).get("/reports/indicators.csv" + QUARTER_QUERY))["referrals_change"]
    assert row["Value"] == "no data"
    assert row["Why no data"].startswith("the records held do not reach back to 1 April 2025")


def test_a_change_on_nothing_says_there_was_none_before(client_for, coordinator, marac):
    records_begin(marac)
    cases(marac, 6)
    shown = _cell_text(client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode(), "cases_heard_change")
    assert "None in the period compared, so there is no change to work out" in shown


def test_benchmarks_and_sources_are_shown_by_name_not_by_seed_number(client_for, coordinator, marac):
    cases(marac, 6)
    page = client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode()
    assert "against SafeLives LSCB template" in page
    assert not re.search(r"\b00\d (SafeLives|West Midlands|Barking|LSCB|WM)", page)
    assert "West Midlands MARAC Performance and Quality Assurance Framework, the quantitative list" in page


def test_the_definitions_sheet_names_its_sources(client_for, board_viewer, marac):
    rows = list(
        load_workbook(io.BytesIO(client_for(board_viewer).get("/reports/indicators.xlsx" + QUARTER_QUERY).content))[
            "Definitions"
        ].iter_rows(values_only=True)
    )
    by_key = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_key["repeat_cases"]["Sources"].startswith("West Midlands MARAC Performance")
    assert not any(re.search(r"(^|; )\d{3} ", str(row["Sources"])) for row in by_key.values())


def test_a_source_name_drops_the_seed_number_and_spells_out_short_names():
    assert source_name("000 SafeLives LSCB template, Statistics") == "SafeLives LSCB template, Statistics"
    assert source_name("000 LSCB, Statistics/performance measures") == (
        "SafeLives LSCB template, Statistics/performance measures"
    )
    assert source_name("002 WM, the quantitative list").startswith("West Midlands MARAC Performance")
    assert source_name("Local reading") == "Local reading"


# --- 5. The board report's chart has alternative text ----------------------------------------------------------------


def test_the_word_chart_is_described_for_screen_readers(saved_report):  # noqa: F811
    data = board_report.board_report_data(saved_report, today=QUARTER.end)
    assert data.bars
    content = board_report.board_report_docx(data)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(descriptions) == 1
    (description,) = descriptions
    assert description.startswith("Bar chart of the headline percentages")
    for label, percent in data.bars:
        assert f"{label}: {percent:.1f}%" in description.replace("&apos;", "'")
