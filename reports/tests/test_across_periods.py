"""Small numbers suppressed the same way across periods (reports.across_periods): a board viewer who sets a quarter's
report beside its months', or a year's beside its quarters', or the API's answer for one indicator beside the
dashboard, still cannot work out a count withheld in any of them."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - the fixtures
from marac.models import AgencyType
from reports.across_periods import parts_decided
from reports.partitions import people_quantities
from reports.periods import PeriodKind, period_containing
from reports.suppression import SUPPRESSED, AdditiveGroup, withhold
from reports.tests.helpers import case, cases, listing, meeting, records_begin
from reports.tests.test_secondary_suppression import _pinned
from testing.factories import AgencyFactory, PersonFactory

# --- The rule on its own: a total (a quarter) and its parts (its months), each with a partition of its own -------


@dataclass(frozen=True)
class _Read:
    """Every report together, as a reader holds them: what is withheld anywhere, and how it reads there."""

    texts: dict

    @property
    def withheld(self):
        return set(self.texts)

    def shown_as(self, key, threshold):
        return self.texts.get(key)


def _partition(counts):
    """Each node's own groups: its total as the sum of its parts (referrals by agency, say)."""
    return [AdditiveGroup("all", tuple(key for key in counts if key != "all"))]


@st.composite
def quarters(draw):
    """A quarter of three months, each month a total and 2 or 3 parts; the quarter's counts their sums."""
    threshold = draw(st.integers(2, 4))
    width = draw(st.integers(2, 3))
    months = []
    for _ in range(3):
        parts = {("part", index): draw(st.integers(0, 8)) for index in range(width)}
        months.append({**parts, "all": sum(parts.values())})
    quarter = {key: sum(month[key] for month in months) for key in months[0]}
    return quarter, months, threshold


def _every_report(quarter, months, threshold):
    """The quarter decided on its own, its months with its readings fixed; all four, keyed by node, as one table."""
    quarter_texts = withhold(quarter, _partition(quarter), threshold).texts(threshold)
    month_texts = parts_decided(quarter, quarter_texts, months, _partition, threshold)
    counts = {(0, key): count for key, count in quarter.items()}
    counts |= {(node, key): count for node, month in enumerate(months, start=1) for key, count in month.items()}
    groups = [
        AdditiveGroup((node, group.total), tuple((node, part) for part in group.parts))
        for node, table in enumerate([quarter, *months])
        for group in _partition(table)
    ]
    groups += [AdditiveGroup((0, key), tuple((node, key) for node in (1, 2, 3))) for key in quarter]
    texts = {(0, key): text for key, text in quarter_texts.items()}
    texts |= {(node, key): text for node, month in enumerate(month_texts, start=1) for key, text in month.items()}
    return counts, groups, _Read(texts), quarter_texts, month_texts


def _worked_out_by_subtraction(counts, groups, read, threshold):
    """The withheld counts a reader can work out from the sums alone: trying every value from 0 (not 1: a reader
    subtracting does not lean on each withheld count being at least 1) up to its "<6", or well past any count where
    it reads "suppressed", that fits every sum, those with one value left."""
    hidden = sorted(read.withheld, key=repr)
    ceiling = max(counts.values()) + 1
    highest = {key: threshold if read.shown_as(key, threshold) != SUPPRESSED else ceiling for key in hidden}

    def bounds(key, assigned):
        if key in assigned:
            return assigned[key], assigned[key]
        if key in highest:
            return 0, highest[key]
        return counts[key], counts[key]

    def fits(assigned):
        """Whether every sum can still come out, each count between its least and most."""
        for group in groups:
            low_total, high_total = bounds(group.total, assigned)
            parts = [bounds(part, assigned) for part in group.parts]
            if low_total > sum(high for _, high in parts) or high_total < sum(low for low, _ in parts):
                return False
        return True

    def search(assigned, index, avoid):
        if not fits(assigned):
            return False
        if index == len(hidden):
            return True
        key = hidden[index]
        return any(
            search({**assigned, key: value}, index + 1, avoid)
            for value in range(highest[key] + 1)
            if (key, value) != avoid
        )

    return {key: counts[key] for key in hidden if not search({}, 0, (key, counts[key]))}


@hypothesis_settings(max_examples=80, deadline=None)
@given(lattice=quarters())
def test_no_small_count_of_a_quarter_or_its_months_can_be_worked_out_by_subtraction(lattice):
    """The reviewer's attack (a quarter less two months is the third), in any of the sums: the quarter's of its
    months', each month's of its parts, the quarter's own; several subtractions together too."""
    quarter, months, threshold = lattice
    counts, groups, read, _, month_texts = _every_report(quarter, months, threshold)
    worked_out = _worked_out_by_subtraction(counts, groups, read, threshold)
    assert {key: count for key, count in worked_out.items() if count <= threshold} == {}
    for month, texts in zip(months, month_texts, strict=True):
        assert {key for key, count in month.items() if 1 <= count <= threshold} <= texts.keys()
        assert all(month[key] > 0 for key in texts)  # zero is never withheld


def test_the_known_limit_months_each_holding_some_of_a_quarter_s_small_counts():
    """Kept in sight: the quarter, decided on its own, shows its 6 as 3 and 3, both "<6"; each of its three months
    holds one of each, withheld. A reader who knows each withheld count is at least 1 makes each of the quarter's at
    least 3, so both 3, and each month's 1. Deciding the quarter with its months would protect it, at three more
    reports' counts a quarter, and sixteen for a year: left for now (docs/indicators.md). Months protected one by
    one, as before, gave this away too."""
    quarter = {("part", 0): 3, ("part", 1): 3, "all": 6}
    months = [{("part", 0): 1, ("part", 1): 1, "all": 2} for _ in range(3)]
    counts, groups, read, quarter_texts, _ = _every_report(quarter, months, 5)
    assert quarter_texts == {("part", 0): "<6", ("part", 1): "<6"}
    assert _pinned(counts, groups, read, 5)[(0, ("part", 0))] == 3
    assert _worked_out_by_subtraction(counts, groups, read, 5) == {}


@hypothesis_settings(max_examples=100, deadline=None)
@given(lattice=quarters())
def test_a_quarter_reads_the_same_whichever_of_its_months_is_asked_for(lattice):
    quarter, months, threshold = lattice
    _, _, _, quarter_texts, _ = _every_report(quarter, months, threshold)
    assert quarter_texts == withhold(quarter, _partition(quarter), threshold).texts(threshold)


def test_the_reviewers_august_is_protected_by_a_second_month():
    """A quarter's 14 disabled victims, July's 7, August's 1 and September's 6: each month protected on its own let
    a reader take 14 - 7 - 6 = 1."""
    quarter = {"disabled": 14}
    months = [{"disabled": 7}, {"disabled": 1}, {"disabled": 6}]
    july, august, september = parts_decided(quarter, {}, months, lambda counts: [], 5)
    assert august["disabled"] == SUPPRESSED
    assert "disabled" in july or "disabled" in september


# --- Through the pages ----------------------------------------------------------------------------------------------

THIS_QUARTER = period_containing(PeriodKind.QUARTER, datetime.date(2026, 5, 15))  # April to June 2026: over


def _csv(client, query):
    response = client.get(f"/reports/indicators.csv?{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    return {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _disabled(marac, count, day):
    for _ in range(count):
        case(marac, victim=PersonFactory(marac=marac, has_disability=True), referred_on=day, heard_on=None)


def test_a_board_viewer_cannot_take_two_months_from_their_quarter(client_for, board_viewer, marac):
    records_begin(marac)
    _disabled(marac, 7, datetime.date(2026, 4, 8))
    _disabled(marac, 1, datetime.date(2026, 5, 8))
    _disabled(marac, 6, datetime.date(2026, 6, 8))
    cases(marac, 30, referred_on=datetime.date(2026, 5, 9), heard_on=None)
    client = client_for(board_viewer)

    quarter = _csv(client, "period=quarter&on=2026-05-15")["referrals_disability"]
    april, may, june = (
        _csv(client, f"period=month&on=2026-{month:02d}-15")["referrals_disability"] for month in (4, 5, 6)
    )

    assert quarter["Numerator"] == "14"
    assert may["Numerator"] in ("<6", SUPPRESSED)
    assert SUPPRESSED in (april["Numerator"], june["Numerator"])  # else 14 - April - June is May's 1


def test_a_month_has_no_figures_until_its_quarter_is_over(client_for, board_viewer, marac):
    """A month shown as it ended would let the reader subtract it from its quarter's figures later."""
    today = timezone.localdate()
    month_over = today.replace(day=1) - datetime.timedelta(days=1)
    quarter = period_containing(PeriodKind.QUARTER, month_over)
    page = client_for(board_viewer).get(f"/reports/?period=month&on={month_over}").content.decode()
    if quarter.end < today:  # the month just over ended a quarter: shown
        assert "there are no figures yet" not in page
    else:
        assert "its quarter is not over yet, so there are no figures yet" in page


def test_the_known_limit_a_year_less_three_quarters(client_for, board_viewer, marac):
    """Kept in sight: a year is decided on its own, so its 23 male victims less three quarters' 7 is the fourth's 2,
    which that quarter's report withholds. Deciding a year from its quarters (a count shown only where every quarter
    shows it) closes this, at the cost of the quarters' counts: a national year took 18.7 s against 2 (docs)."""
    records_begin(marac)
    for day, men in (
        (datetime.date(2025, 5, 6), 7),
        (datetime.date(2025, 8, 6), 2),
        (datetime.date(2025, 11, 6), 7),
        (datetime.date(2026, 2, 6), 7),
    ):
        for _ in range(men):
            case(marac, victim=PersonFactory(marac=marac, gender="male"), referred_on=day, heard_on=None)
        cases(marac, 20, referred_on=day, heard_on=None)
    client = client_for(board_viewer)

    year = _csv(client, "period=financial_year&on=2025-06-01")["referrals_male"]
    quarters = [_csv(client, f"period=quarter&on={day}")["referrals_male"] for day in ("2025-05-15", "2025-11-15")]

    assert _csv(client, "period=quarter&on=2025-08-15")["referrals_male"]["Numerator"] == "<6"
    assert [quarter["Numerator"] for quarter in quarters] == ["7", "7"]
    assert year["Numerator"] == "23"


def test_an_earlier_period_s_counts_read_the_same_worked_out_alone(marac):
    """The changes' earlier counts are worked out from the indicators linked to them by sums only
    (earlier_indicators): they must read as the whole report reads them."""
    from reports.across_periods import Decisions, earlier_indicators
    from reports.indicators import INDICATORS
    from reports.report import _figures

    records_begin(marac)
    before = datetime.date(2026, 2, 4)
    for agency_type, count in ((AgencyType.CHILDRENS_SOCIAL_CARE, 6), (AgencyType.EDUCATION, 2)):
        cases(marac, count, referring_agency=AgencyFactory(agency_type=agency_type), referred_on=before)
    cases(marac, 3, referred_on=before, heard_on=before)
    quarter = period_containing(PeriodKind.QUARTER, before)
    maracs = [(marac.pk, marac.name)]

    def figures_of(indicators, period):
        return _figures(indicators, maracs, period)

    whole = Decisions(INDICATORS, figures_of, 5)
    linked = whole.earlier
    assert [indicator.key for indicator in linked.indicators] == [i.key for i in earlier_indicators(INDICATORS)]
    assert len(linked.indicators) < len(INDICATORS) / 2
    names = {name for indicator in linked.indicators for name in people_quantities(indicator)}
    whole_texts = {key: text for key, text in whole.shown(quarter).items() if key[1] in names}
    assert linked._decided(quarter) == {key: text for key, text in whole_texts.items()}
    assert whole_texts  # something is withheld: the comparison says something


def test_the_api_judges_one_indicator_with_all_the_others(marac, board_viewer, bearer, issue_token):  # noqa: F811
    """Asked for one indicator, the API withholds it as the full report does: judged alone, a count the others
    protect (children's social care's referrals, kept back so that education's 2 is not their total less the
    rest) came out exact."""
    records_begin(marac)
    for agency_type, count in ((AgencyType.CHILDRENS_SOCIAL_CARE, 6), (AgencyType.EDUCATION, 2)):
        agency = AgencyFactory(agency_type=agency_type)
        cases(marac, count, referring_agency=agency, referred_on=datetime.date(2026, 5, 4), heard_on=None)
    cases(marac, 12, referred_on=datetime.date(2026, 5, 4), heard_on=None)
    board = bearer(issue_token(marac, Role.BOARD_VIEWER, agency=board_viewer.agency))
    query = {"marac": marac.pk, "period": "quarter", "on": "2026-05-15"}

    full = {value["key"]: value for value in board.get("/api/v1/indicators", query).json()["values"]}
    alone = board.get("/api/v1/indicators", {**query, "key": "csc_referrals"}).json()["values"]

    assert full["csc_referrals"]["value_text"] == SUPPRESSED
    assert [(value["value_text"], value["numerator"]) for value in alone] == [(SUPPRESSED, None)]


def test_a_change_shows_the_earlier_count_as_the_earlier_report_does(client_for, board_viewer, marac):
    """csc_referrals_growth's denominator is the previous quarter's referrals from children's social care: where
    that quarter's own report withholds them, so does this one's."""
    records_begin(marac)
    social_care = AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    education = AgencyFactory(agency_type=AgencyType.EDUCATION)
    before = datetime.date(2026, 2, 4)  # January to March 2026
    cases(marac, 6, referring_agency=social_care, referred_on=before, heard_on=None)
    cases(marac, 2, referring_agency=education, referred_on=before, heard_on=None)
    cases(marac, 12, referred_on=before, heard_on=None)
    cases(marac, 9, referring_agency=social_care, referred_on=datetime.date(2026, 5, 4), heard_on=None)
    client = client_for(board_viewer)

    earlier = _csv(client, "period=quarter&on=2026-02-15")
    later = _csv(client, "period=quarter&on=2026-05-15")

    assert earlier["csc_referrals"]["Numerator"] == SUPPRESSED  # protecting education's 2
    assert later["csc_referrals_growth"]["Denominator"] == SUPPRESSED
    assert later["csc_referrals_growth"]["Value"] == SUPPRESSED


def test_a_months_meetings_read_in_its_return_as_in_its_quarters(client_for, board_viewer, marac):
    records_begin(marac)
    for day, count in (
        (datetime.date(2026, 4, 14), 9),
        (datetime.date(2026, 5, 12), 2),
        (datetime.date(2026, 6, 9), 8),
    ):
        held = meeting(marac, day)
        for listed in cases(marac, count, referred_on=day - datetime.timedelta(days=7), heard_on=day):
            listing(held, listed)
    client = client_for(board_viewer)

    def rows(query):
        response = client.get(f"/reports/meeting-return.csv?{query}")
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        header = next(index for index, line in enumerate(lines) if "Meeting date" in line)
        return {line[1]: line for line in lines[header + 1 :]}

    quarter = rows("period=quarter&on=2026-05-15")
    for month in ("2026-04-15", "2026-05-15", "2026-06-15"):
        for day, line in rows(f"period=month&on={month}").items():
            assert line == quarter[day]
    assert len(quarter) == 3
