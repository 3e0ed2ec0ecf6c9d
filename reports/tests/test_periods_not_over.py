"""With small numbers suppressed, a period not over yet is counted only to the end of its last whole quarter, and a
month is shown once its quarter is over (reports.periods.suppressed_period): figures that changed as each referral
came in, or month by month, would give away those cases to whoever downloaded them twice."""

import csv
import datetime
import io

from django.utils import timezone

from reports.tests.helpers import cases, records_begin


def _csv_rows(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    return {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _last_quarter_end():
    today = timezone.localdate()
    return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - datetime.timedelta(days=1)


def _current_period_query():
    """A period not over that holds the last quarter as well as today: the year, or the financial year from January
    to March."""
    today = timezone.localdate()
    kind = "year" if today.month > 3 else "financial_year"
    return f"?period={kind}&on={today.isoformat()}"


def test_it_shows_a_board_viewer_the_same_figures_before_and_after_a_referral_today(client_for, board_viewer, marac):
    records_begin(marac)
    cases(marac, 7, referred_on=_last_quarter_end(), heard_on=None)
    client = client_for(board_viewer)

    before = _csv_rows(client.get("/reports/indicators.csv" + _current_period_query()))
    cases(marac, 1, referred_on=timezone.localdate(), heard_on=None)
    after = _csv_rows(client.get("/reports/indicators.csv" + _current_period_query()))

    assert before["referrals"]["Value"] == after["referrals"]["Value"] == "7"
    assert after["referrals"]["Counted to"] == _last_quarter_end().isoformat()
    assert "only for whole quarters that are over" in after["referrals"]["Period note"]
    page = client.get("/reports/" + _current_period_query()).content.decode()
    assert f"these run to {_last_quarter_end():%-d %B %Y}" in page


def test_it_tells_a_board_viewer_the_current_month_has_no_figures_yet(client_for, board_viewer, marac):
    records_begin(marac)
    cases(marac, 8, referred_on=timezone.localdate(), heard_on=None)
    query = f"?period=month&on={timezone.localdate().isoformat()}"
    client = client_for(board_viewer)

    page = client.get("/reports/" + query).content.decode()
    rows = _csv_rows(client.get("/reports/indicators.csv" + query))

    assert "its quarter is not over yet, so there are no figures yet" in page
    assert rows["referrals"]["Value"] == "no data"  # not 0, nor a benchmark "met" on nothing counted
    assert rows["referrals"]["Counted to"] == "no figures yet"
    assert "no figures yet" in rows["referrals"]["Period note"]


def test_it_still_shows_a_coordinator_the_page_up_to_today(client_for, coordinator, marac):
    records_begin(marac)
    cases(marac, 7, referred_on=_last_quarter_end(), heard_on=None)
    cases(marac, 1, referred_on=timezone.localdate(), heard_on=None)

    response = client_for(coordinator).get("/reports/" + _current_period_query())

    rows = {row.indicator.key: row for group in response.context["report"].groups for row in group.rows}
    assert rows["referrals"].cells[0].value_text == "8"


def test_it_says_so_above_the_other_downloads_of_a_period_not_over(client_for, board_viewer, marac):
    records_begin(marac)
    cases(marac, 8, referred_on=timezone.localdate(), heard_on=None)
    query = f"?period=month&on={timezone.localdate().isoformat()}"
    client = client_for(board_viewer)

    for path in ("/reports/postcode-districts.csv", "/reports/meeting-return.csv"):
        first_line = client.get(path + query).content.decode("utf-8-sig").splitlines()[0]
        assert "there are no figures yet" in first_line, path
