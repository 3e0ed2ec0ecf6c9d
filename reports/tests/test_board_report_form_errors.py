"""The board report's forms name what is wrong: its date ("The date of the board report …") and a commentary that is
too long ("Overview must be 20,000 characters or fewer"), as the other long texts are kept to web.text.LONG_TEXT_MAX."""

import pytest
from django.utils import timezone

from reports import quality_services
from reports.models import BoardReport
from reports.tests.helpers import QUARTER

pytestmark = pytest.mark.django_db

NEW = "/reports/quality/board-reports/new/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/12/9999", "The date of the board report must be today or in the past"),
        ("31/12/2002", "The date of the board report must be 1 January 2003 or later"),
        ("31/02/2026", "Enter a real date for the board report"),
        ("soon", "Enter a real date for the board report"),
    ],
)
def test_a_board_report_day_that_will_not_do_is_named(client_for, coordinator, typed, message):
    response = client_for(coordinator).post(NEW, {"period": "quarter", "on": typed})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "The date must be" not in page and not BoardReport.objects.exists()


def test_a_board_report_for_today_is_started(client_for, coordinator):
    today = timezone.localdate()
    response = client_for(coordinator).post(NEW, {"period": "quarter", "on": f"{today:%d/%m/%Y}"})
    assert response.status_code == 302 and BoardReport.objects.count() == 1


@pytest.fixture
def report(marac, coordinator):
    return quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("overview", "Overview"),
        ("indicators_commentary", "Commentary on the indicators"),
        ("quality_commentary", "Commentary on quality assurance"),
    ],
)
def test_a_commentary_over_20000_characters_is_refused_and_nothing_is_saved(
    client_for, coordinator, report, field, label
):
    path = f"/reports/quality/board-reports/{report.pk}/"
    fields = {"overview": "Steady", "indicators_commentary": "", "quality_commentary": "", field: "x" * 20_001}
    response = client_for(coordinator).post(path, {**fields, "version": report.version})
    assert response.status_code == 200
    assert f"{label} must be 20,000 characters or fewer" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1 and report.overview == ""


def test_a_commentary_of_exactly_20000_characters_is_saved(client_for, coordinator, report):
    path = f"/reports/quality/board-reports/{report.pk}/"
    fields = {"overview": "x" * 20_000, "indicators_commentary": "", "quality_commentary": ""}
    assert client_for(coordinator).post(path, {**fields, "version": report.version}).status_code == 302
    report.refresh_from_db()
    assert len(report.overview) == 20_000
