"""Figures judged only on records that reach back, periods not over yet counted to today and said so, and rolling
12 months that cannot be set a day apart to give away one day's cases (the reviewer's findings A to E)."""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - the fixtures
from audit.models import AuditAction, AuditEvent
from imports.models import RunStatus
from imports.tests.conftest import agencies, case_row, csv_of, importing  # noqa: F401 - the fixtures
from marac.models import AgencyType, PopulationFigure
from people.models import Gender
from reports import board_report, quality_services
from reports.models import BoardReport
from reports.periods import PeriodKind, period_containing
from reports.tests.helpers import QUARTER, case, cases, listing, meeting, records_begin
from reports.tests.test_board_report import _docx_text, _pdf_text
from testing.factories import AgencyFactory, PersonFactory

pytestmark = pytest.mark.django_db

# As in the demo: the MARAC's first case is in February 2025, but its history here begins at its first meeting held
# in OpenMARAC, on 25 November 2025; before that only the earlier cases that later repeats follow were written.
FIRST_CASE = datetime.date(2025, 2, 4)
FIRST_MEETING_HELD = datetime.date(2025, 11, 25)


def _cell_text(page: str, key: str) -> str:
    match = re.search(rf'data-indicator="{key}">(.*?)</tr>', page, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def _scorecard_text(page: str, statement: str) -> str:
    match = re.search(rf"{re.escape(statement)}</th>(.*?)</tr>", page, re.S)
    assert match, statement
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def demo_like(marac):
    """Earlier cases heard at meetings only scheduled here, then the MARAC's own history from 25 November 2025."""
    for day in (FIRST_CASE, datetime.date(2025, 7, 10), datetime.date(2025, 8, 20)):
        earlier = case(marac, referred_on=day, heard_on=day + datetime.timedelta(days=14))
        listing(meeting(marac, day + datetime.timedelta(days=14), closed=False), earlier)
    records_begin(marac, on=FIRST_MEETING_HELD)
    return marac


# --- A. Changes only where the records reach back ---------------------------------------------------------------------


def test_a_year_on_year_change_is_no_data_when_only_the_earlier_cases_reach_back(client_for, coordinator, demo_like):
    cases(demo_like, 8, referred_on=datetime.date(2026, 7, 15), heard_on=datetime.date(2026, 7, 28))
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-08-01").content.decode()
    shown = _cell_text(page, "referrals_change")
    assert "no data" in shown
    assert "+" not in shown  # not +300.0% on the two earlier cases
    assert "The records held do not reach back to 1 July 2025" in shown
    assert "the first meeting held here, on 25 November 2025" in shown


def test_growth_on_the_previous_quarter_is_not_met_or_met_before_the_records_begin(client_for, coordinator, demo_like):
    csc = AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    case(demo_like, referring_agency=csc, referred_on=datetime.date(2025, 12, 1), heard_on=None)
    cases(demo_like, 3, referring_agency=csc, referred_on=datetime.date(2026, 2, 5), heard_on=None)
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-02-01").content.decode()
    shown = _cell_text(page, "csc_referrals_growth")
    assert "no data" in shown and "No data" in shown
    assert "Met" not in shown
    assert "The records held do not reach back to 1 October 2025" in shown


def test_a_marac_that_imported_its_history_has_its_changes_worked_out(client_for, coordinator, marac, importing):  # noqa: F811
    # The history from January 2025: its first hearing is a meeting held, before the quarter compared.
    history = [case_row("H0", referred_on="06/01/2025", heard_on="2025-01-14", idva_allocated_on="07/01/2025")]
    history += [
        case_row(f"H{number}", referred_on="03/04/2025", heard_on="2025-04-10", idva_allocated_on="04/04/2025")
        for number in (1, 2)
    ]
    run = importing(csv_of(history))
    assert run.status == RunStatus.DONE, run.problems
    cases(marac, 4)  # referred in May 2026
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-05-15").content.decode()
    assert "+100.0%" in _cell_text(page, "referrals_change")  # 4 against the 2 imported


# --- B. Before the records begin, a rate is no data, not "not met" ------------------------------------------------


def test_a_month_before_the_records_begin_is_no_data_not_failing_its_benchmarks(client_for, coordinator, demo_like):
    PopulationFigure.objects.create(marac=demo_like, local_authority="North", year=2024, adult_female_population=10000)
    page = client_for(coordinator).get("/reports/?period=month&on=2024-02-29").content.decode()
    shown = _cell_text(page, "cases_per_10k")
    assert "no data" in shown and "Not met" not in shown
    assert "The records held do not reach back to 1 February 2024, the start of this period" in shown
    statement = "The number of referrals is at least 80% of SafeLives&#x27; recommendation"
    assert _scorecard_text(page, statement) == "No data"


def test_a_rate_is_judged_once_the_records_cover_the_period(client_for, coordinator, demo_like):
    PopulationFigure.objects.create(marac=demo_like, local_authority="North", year=2026, adult_female_population=10000)
    cases(demo_like, 8)  # heard in the quarter of 91 days: 8 x 365 / 91 a year per 10,000
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-05-15").content.decode()
    assert "32.1" in _cell_text(page, "cases_per_10k")


# --- C. A period not over yet -------------------------------------------------------------------------------------


def _a_period_not_over(today: datetime.date):
    """The quarter containing today, or where today is its last day, a year that is not over."""
    for kind in (PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.FINANCIAL_YEAR):
        period = period_containing(kind, today, today=today)
        if not period.is_over:
            return period
    raise AssertionError("some period is not over")


def test_a_period_not_over_is_counted_to_today_and_says_so(client_for, coordinator, marac):
    today = timezone.localdate()
    period = _a_period_not_over(today)
    PopulationFigure.objects.create(
        marac=marac, local_authority="North", year=period.start.year, adult_female_population=10000
    )
    records_begin(marac)
    cases(marac, 6, referred_on=period.start, heard_on=period.start)

    page = client_for(coordinator).get(f"/reports/?period={period.kind}&on={today}").content.decode()

    assert f"This period has not ended: figures are up to and including {today:%-d %B %Y}" in page
    days_gone, year = (today - period.start).days + 1, period_containing(PeriodKind.ROLLING_12_MONTHS, today)
    a_year = 6 / 10000 * 10000 * ((year.end - year.start).days + 1) / days_gone  # the days gone, not the period's
    assert f"{a_year:,.1f}" in _cell_text(page, "cases_per_10k")
    change = _cell_text(page, "cases_heard_change")
    assert "no data" in change
    assert "This period has not ended, so it cannot yet be compared with a whole period" in change


def test_a_period_over_says_nothing_of_today(client_for, coordinator, marac):
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-05-15").content.decode()
    assert "This period has not ended" not in page


def test_the_board_report_of_a_period_not_over_says_so(marac, coordinator):
    records_begin(marac)
    cases(marac, 12)  # heard on 12 May 2026
    cases(marac, 6, referred_on=datetime.date(2025, 5, 1), heard_on=datetime.date(2025, 5, 12))
    report = quality_services.board_report_create(
        marac=marac,
        period_kind=QUARTER.kind,
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        by=coordinator,
        today=datetime.date(2026, 5, 15),
    )
    data = board_report.board_report_data(report, today=datetime.date(2026, 5, 15))
    # Suppressed, so counted to the end of the last whole quarter: a day's or a month's cases are not given away by
    # two reports. No quarter of this one is over yet.
    sentence = (
        "figures are shown only for whole quarters that are over, and no quarter of this period is over yet, so "
        "there are no figures yet: the first appear on 1 July 2026"
    )
    assert sentence in _docx_text(board_report.board_report_docx(data))
    assert sentence in _pdf_text(board_report.board_report_pdf(data)).replace("\n", " ")
    rows = {row[0]: row for row in board_report._indicator_rows(data)}
    assert rows["Cases heard: change on the same period a year before"][1] == "no data"
    # Its figures were taken on 15 May and stay so; a board report started once the period is over says nothing
    # of the day.
    later = QUARTER.end + datetime.timedelta(days=1)
    assert sentence in board_report.board_report_data(report, today=later).not_over
    report_after = quality_services.board_report_create(
        marac=marac,
        period_kind=QUARTER.kind,
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        by=coordinator,
        today=later,
    )
    assert board_report.board_report_data(report_after, today=later).not_over == ""


# --- D. No differencing a day at a time -----------------------------------------------------------------------------


@pytest.fixture
def a_day_apart(marac):
    """Ten cases heard in the 12 months, and a male victim's case referred and heard on 17 May 2026."""
    records_begin(marac)
    cases(marac, 10, referred_on=datetime.date(2026, 2, 2), heard_on=datetime.date(2026, 2, 10))
    man = PersonFactory(marac=marac, gender=Gender.MALE)
    case(marac, victim=man, referred_on=datetime.date(2026, 5, 17), heard_on=datetime.date(2026, 5, 17))


def test_a_board_viewer_cannot_difference_rolling_12_months_a_day_apart(client_for, board_viewer, a_day_apart):
    client = client_for(board_viewer)
    for download in ("indicators.csv", "postcode-districts.csv"):
        before, after = (
            client.get(f"/reports/{download}?period=rolling_12_months&on=2026-05-{day}") for day in (16, 17)
        )
        assert _csv_rows(before) == _csv_rows(after)
        assert before["Content-Disposition"] == after["Content-Disposition"]
        assert "2025-04-01-to-2026-03-31" in after["Content-Disposition"]
    page = client.get("/reports/?period=rolling_12_months&on=2026-05-17").content.decode()
    assert "12 months to 31 March 2026" in page
    assert "You asked for the 12 months to 17 May 2026" in page


def test_a_rolling_12_months_may_end_on_a_quarter_s_last_day(client_for, board_viewer, a_day_apart):
    client = client_for(board_viewer)
    page = client.get("/reports/?period=rolling_12_months&on=2026-03-31").content.decode()
    assert "12 months to 31 March 2026" in page
    assert "You asked for" not in page
    # A month's last day is not enough: two rolling years a month apart would give that month's cases away.
    page = client.get("/reports/?period=rolling_12_months&on=2026-05-31").content.decode()
    assert "12 months to 31 March 2026" in page
    assert "You asked for the 12 months to 31 May 2026" in page


def test_a_coordinator_who_sees_exact_counts_gets_the_day_asked_for(client_for, coordinator, a_day_apart):
    page = client_for(coordinator).get("/reports/?period=rolling_12_months&on=2026-05-17").content.decode()
    assert "12 months to 17 May 2026" in page
    assert "You asked for" not in page


def test_the_api_moves_a_rolling_12_months_to_a_quarter_s_end(marac, board_viewer, bearer, issue_token):  # noqa: F811
    board = bearer(issue_token(marac, Role.BOARD_VIEWER, agency=board_viewer.agency))
    response = board.get("/api/v1/indicators", {"marac": marac.pk, "period": "rolling_12_months", "on": "2026-05-17"})
    period = response.json()["period"]
    assert (period["start"], period["end"]) == ("2025-04-01", "2026-03-31")
    assert "You asked for the 12 months to 17 May 2026" in period["note"]


def test_a_board_report_on_a_rolling_12_months_ends_on_a_quarter_s_last_day(client_for, coordinator, marac):
    response = client_for(coordinator).post(
        "/reports/quality/board-reports/new/", {"period": "rolling_12_months", "on": "2026-05-17"}, follow=True
    )
    assert response.status_code == 200
    report = BoardReport.objects.get(marac=marac)
    assert (report.period_start, report.period_end) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    assert "You asked for the 12 months to 17 May 2026" in response.content.decode()


# --- E. The quality assurance summary's day; the audit's plural -------------------------------------------------------


def test_the_quality_summary_reads_a_blank_day_as_today(client_for, board_viewer):
    today = timezone.localdate()
    response = client_for(board_viewer).get("/reports/quality/?period=quarter")
    page = response.content.decode()
    assert response.status_code == 200
    assert "board report covers" not in page
    assert "There is a problem" not in page
    assert period_containing(PeriodKind.QUARTER, today).label in page
    assert client_for(board_viewer).get("/reports/quality/?period=quarter&on=").status_code == 200


def test_a_download_for_one_marac_is_audited_as_for_1_marac(client_for, coordinator, marac):
    client_for(coordinator).get("/reports/indicators.csv?period=quarter&on=2026-05-15")
    summary = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id").summary
    assert "(1 MARAC)" in summary


def test_the_quality_summary_moves_a_board_viewer_s_rolling_12_months_as_the_dashboard_does(
    client_for, board_viewer, coordinator
):
    query = "/reports/quality/?period=rolling_12_months&on=2026-05-17"
    board_page = client_for(board_viewer).get(query).content.decode()
    assert "Quality assurance: 12 months to 31 March 2026" in board_page
    assert "You asked for the 12 months to 17 May 2026" in board_page
    assert "Quality assurance: 12 months to 17 May 2026" in client_for(coordinator).get(query).content.decode()
