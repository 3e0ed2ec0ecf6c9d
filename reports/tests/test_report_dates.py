"""A report's day runs from the first MARAC (1 January 2003) to today: a day outside that is explained on the page,
and refused (400) by a download, never a server error nor a report on a future that has not happened."""

import datetime
import re

import pytest
from django.utils import timezone

from reports.forms import report_day
from reports.periods import PeriodKind, period_containing

pytestmark = pytest.mark.django_db

TOO_LATE = "The date must be today or in the past"
TOO_EARLY = "The date must be 1 January 2003 or later"
DOWNLOADS = (
    "/reports/indicators.csv",
    "/reports/indicators.xlsx",
    "/reports/meeting-return.csv",
    "/reports/meeting-return.xlsx",
    "/reports/postcode-districts.csv",
)
# As typed: the first day a date can be, the last, a day in 2099, and just outside the range either side.
WRONG = [
    ("1/1/0001", TOO_EARLY),
    ("31/12/9999", TOO_LATE),
    ("1/1/2099", TOO_LATE),
    ("31/12/2002", TOO_EARLY),
]


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return found.group(1).strip()


def _tomorrow() -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=1):%d/%m/%Y}"


@pytest.mark.parametrize("period", [kind.value for kind in PeriodKind])
@pytest.mark.parametrize(("typed", "message"), WRONG)
def test_the_dashboard_explains_a_day_outside_the_range(client_for, coordinator, period, typed, message):
    response = client_for(coordinator).get("/reports/", {"period": period, "on": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "govuk-error-summary" in page
    assert _title(page).startswith("Error: Performance")
    assert "2099" not in _title(page)


def test_the_dashboard_refuses_tomorrow(client_for, board_viewer):
    page = client_for(board_viewer).get("/reports/", {"on": _tomorrow()}).content.decode()
    assert TOO_LATE in page


def test_the_dashboard_reports_on_the_first_day_and_today(client_for, coordinator):
    for day, label in (("1/1/2003", "12 months to 1 January 2003"), (f"{timezone.localdate():%d/%m/%Y}", "")):
        response = client_for(coordinator).get("/reports/", {"on": day})
        page = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" not in page
        assert label in _title(page)


@pytest.mark.parametrize("path", DOWNLOADS)
@pytest.mark.parametrize(("typed", "message"), WRONG)
def test_a_download_for_a_day_outside_the_range_is_refused(client_for, board_viewer, path, typed, message):
    response = client_for(board_viewer).get(path, {"period": "quarter", "on": typed})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert message in response.content.decode()


@pytest.mark.parametrize("path", DOWNLOADS)
def test_a_download_for_a_day_in_range_is_made(client_for, board_viewer, path):
    response = client_for(board_viewer).get(path, {"period": "quarter", "on": "15/5/2003"})
    assert response.status_code == 200
    assert "2003-04-01-to-2003-06-30" in response["Content-Disposition"]


@pytest.mark.parametrize("period", [kind.value for kind in PeriodKind])
@pytest.mark.parametrize(("typed", "message"), WRONG)
def test_the_quality_summary_explains_a_day_outside_the_range(client_for, coordinator, period, typed, message):
    response = client_for(coordinator).get("/reports/quality/", {"period": period, "on": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert _title(page).startswith("Error: Quality assurance")


def test_a_board_report_is_not_started_for_a_day_outside_the_range(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post("/reports/quality/board-reports/new/", {"period": "quarter", "on": "31/12/9999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date of the board report must be today or in the past" in page
    assert _title(page).startswith("Error: ")


def test_an_outsider_asking_for_another_marac_still_gets_a_404_whatever_the_day(client_for, outsider, marac):
    client = client_for(outsider)
    assert client.get("/reports/", {"on": "31/12/9999", "marac": marac.pk}).status_code == 404
    assert client.get("/reports/indicators.csv", {"on": "31/12/9999", "marac": marac.pk}).status_code == 404


# --- The rule behind the form ---------------------------------------------------------------------------------------


def test_every_kind_of_period_is_made_for_the_first_day_and_today():
    # The days the form lets through all have a period, and a period a year before (no ValueError at the edges).
    for day in (datetime.date(2003, 1, 1), timezone.localdate()):
        assert report_day(day) == day
        for kind in PeriodKind:
            period = period_containing(kind, day)
            assert period.year_before().end < period.start <= day <= period.end
            assert period.previous().end < period.start


# --- Quality records ------------------------------------------------------------------------------------------------


def test_feedback_received_in_1800_or_tomorrow_is_refused(client_for, coordinator):
    client = client_for(coordinator)
    for typed, message in (
        ("1800-05-01", "The date the feedback was received must be 1 January 2003 or later"),
        (
            (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "The date the feedback was received must be today or in the past",
        ),
    ):
        response = client.post("/reports/quality/feedback/new/victim/", {"received_on": typed, "score_1": "4"})
        page = response.content.decode()
        assert response.status_code == 200
        assert message in page
        assert _title(page).startswith("Error: ")


def test_an_action_plan_review_of_plans_heard_in_1800_is_refused(client_for, coordinator):
    data = {"period_start": "1800-01-01", "period_end": "2026-01-01", "sample_size": "10"}
    page = client_for(coordinator).post("/reports/quality/reviews/new/", data).content.decode()
    assert "The first day of the period must be 1 January 2003 or later" in page
