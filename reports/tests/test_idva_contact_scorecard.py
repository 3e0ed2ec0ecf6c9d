"""West Midlands' "An IDVA proactively contacts and attempts to engage victims within 48 hours of receiving a
referral" is judged on the IDVA's allocation within 48 hours: the scorecard row and the docs say so, and the
benchmark quotes the seed's words, not a paraphrase."""

import re

from reports.docs import markdown
from reports.indicators import INDICATORS_BY_KEY
from reports.scorecard import WHAT_GOOD_LOOKS_LIKE
from reports.tests.helpers import records_begin

STATEMENT = "An IDVA proactively contacts and attempts to engage victims within 48 hours of receiving a referral"
JUDGED_ON = "Judged on the IDVA being allocated within 48 hours of the referral, not on the contact itself"


def _scorecard_row(page: str) -> str:
    match = re.search(rf"{re.escape(STATEMENT)}(.*?)</tr>", page, re.S)
    assert match, STATEMENT
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_it_says_on_the_scorecard_row_that_contact_is_judged_on_the_allocation(client_for, coordinator, marac):
    records_begin(marac)
    page = client_for(coordinator).get("/reports/?period=quarter&on=2026-05-15").content.decode()
    row = _scorecard_row(page)
    assert JUDGED_ON in row
    assert "OpenMARAC holds contact attempts only where an IDVA logs them on the case" in row


def test_it_quotes_the_seed_in_the_benchmark_and_says_how_it_is_read():
    indicator = INDICATORS_BY_KEY["idva_within_48_hours"]
    (benchmark,) = indicator.benchmarks
    assert f"What good looks like: {STATEMENT}, read as every victim's IDVA allocated within 48 hours" in (
        benchmark.source
    )
    assert any(f"What good looks like: {STATEMENT} (judged on the allocation" in source for source in indicator.sources)


def test_it_says_in_the_docs_what_the_statement_is_judged_on():
    (item,) = [item for item in WHAT_GOOD_LOOKS_LIKE if item.statement == STATEMENT]
    assert item.checks == (("idva_within_48_hours", "seed"),)
    assert f"| {STATEMENT} | `idva_within_48_hours` (seed benchmark). {JUDGED_ON}" in markdown()
