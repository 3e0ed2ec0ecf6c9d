"""A change on an earlier period has no value while the period is not over, but the dashboard still shows its two
counts: this period's so far against the whole of the period compared, labelled so nobody reads them as like for
like."""

import datetime
import re
from dataclasses import replace

from django.utils import timezone

from reports.periods import PeriodKind, period_containing
from reports.tests.helpers import cases, records_begin
from reports.views import change_terms


def _cell_text(page: str, key: str) -> str:
    match = re.search(rf'data-indicator="{key}">(.*?)</tr>', page, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_it_says_a_period_not_over_is_counted_so_far_against_the_whole_period_compared(client_for, coordinator, marac):
    today = timezone.localdate()
    kind = PeriodKind.YEAR if today.month != 12 or today.day != 31 else PeriodKind.FINANCIAL_YEAR
    period = period_containing(kind, today, today=today)
    compared = period.year_before()
    records_begin(marac, on=compared.start - datetime.timedelta(days=30))
    cases(marac, 7, referred_on=period.start, heard_on=period.start)
    cases(marac, 9, referred_on=compared.end, heard_on=compared.end)  # after the day a year before today

    page = client_for(coordinator).get(f"/reports/?period={kind}&on={today}").content.decode()

    change = _cell_text(page, "cases_heard_change")
    assert "no data" in change
    assert f"7 in this period up to {today:%-d %B %Y}, 9 in the whole of the period compared" in change


def test_it_keeps_the_plain_words_once_the_period_is_over():
    quarter = period_containing(PeriodKind.QUARTER, datetime.date(2026, 5, 15), today=datetime.date(2026, 11, 25))
    assert change_terms(quarter) == ("in this period", "in the period compared")


def test_it_says_nothing_is_counted_yet_where_the_period_has_no_figures_yet():
    # With small numbers suppressed, a period none of whose quarters is over is counted to the day before it starts.
    quarter = period_containing(PeriodKind.QUARTER, datetime.date(2026, 10, 20))
    nothing_yet = replace(quarter, counted_to=quarter.start - datetime.timedelta(days=1))
    assert change_terms(nothing_yet) == (
        "in this period so far (no figures yet)",
        "in the whole of the period compared",
    )
