"""Secondary suppression: no count withheld as "<6" can be worked out by subtraction from the counts shown beside
it (reports.suppression.withhold over the groups of reports.partitions)."""

import csv
import datetime
import io
from collections.abc import Sequence

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from marac.models import AgencyType
from meetings.models import ListingKind, ProcessLink, ProcessLinkKind
from people.models import Ethnicity
from referrals.models import Referral, ReferralStatus, Transfer
from reports.partitions import WITHIN_A_COLUMN, people_quantities
from reports.report import build_report
from reports.suppression import AdditiveGroup, Withholding, withhold
from reports.tests.helpers import QUARTER, case, cases, listing, meeting, records_begin
from testing.factories import AgencyFactory, PersonFactory, grant

QUARTER_QUERY = "?period=quarter&on=2026-05-15"

# --- the rule on its own ---------------------------------------------------------------------------------------


def test_it_withholds_a_second_part_when_one_alone_would_be_the_total_less_the_rest():
    counts = {"total": 7, "police": 6, "idva": 1, "housing": 0}
    result = withhold(counts, [AdditiveGroup("total", ("police", "idva", "housing"))], 5)
    assert result.withheld == {"idva", "police"}  # the smallest part shown that is not zero
    assert result.secondary == {"police"}
    assert result.shown_as("idva", 5) == result.shown_as("police", 5) == "suppressed"
    assert result.shown_as("housing", 5) is None  # zero identifies nobody


def test_it_withholds_the_total_when_no_part_is_left_to_withhold():
    counts = {"total": 2, "a": 1, "b": 1, "c": 0}
    result = withhold(counts, [AdditiveGroup("total", ("a", "b", "c"))], 1)
    assert result.secondary == {"total"}


def test_it_withholds_another_when_the_withheld_parts_can_only_each_be_one():
    counts = {"total": 20, "a": 1, "b": 1, "c": 18}
    result = withhold(counts, [AdditiveGroup("total", ("a", "b", "c"))], 5)
    assert result.secondary == {"c"}


def test_it_shows_parts_at_the_most_they_could_be_as_suppressed_not_under_six():
    counts = {"total": 30, "a": 5, "b": 5, "c": 20}
    result = withhold(counts, [AdditiveGroup("total", ("a", "b", "c"))], 5)
    assert result.secondary == set()
    assert result.shown_as("a", 5) == result.shown_as("b", 5) == "suppressed"  # "<6" and "<6" making 10: both 5


def test_it_leaves_a_group_alone_when_two_withheld_parts_could_be_split_several_ways():
    counts = {"total": 20, "a": 2, "b": 3, "c": 15}
    result = withhold(counts, [AdditiveGroup("total", ("a", "b", "c"))], 5)
    assert result.secondary == set()
    assert result.shown_as("a", 5) == "<6"


def test_it_carries_a_suppression_on_into_the_other_groups_of_the_count():
    # Two MARACs' referrals by police and by others: protecting A's "<6" in its column withholds A's police count,
    # which leaves A's police count the one withheld part of the police row, and so on.
    counts = {
        ("A", "all"): 12, ("A", "police"): 9, ("A", "other"): 3,
        ("B", "all"): 40, ("B", "police"): 30, ("B", "other"): 10,
        ("both", "all"): 52, ("both", "police"): 39, ("both", "other"): 13,
    }  # fmt: skip
    groups = [
        *(AdditiveGroup((column, "all"), ((column, "police"), (column, "other"))) for column in ("A", "B", "both")),
        *(AdditiveGroup(("both", row), (("A", row), ("B", row))) for row in ("all", "police", "other")),
    ]
    result = withhold(counts, groups, 5)
    assert _pinned(counts, groups, result, 5) == {}
    assert {("A", "police"), ("B", "other"), ("B", "police")} <= result.withheld


# --- a reader who tries every possibility -----------------------------------------------------------------------


def _pinned(counts: dict, groups: Sequence[AdditiveGroup], result: Withholding, threshold: int) -> dict[object, int]:
    """The withheld counts a reader can work out: those with one possible value, trying every count consistent
    with the counts shown and the groups' sums, each withheld count at least 1 and, where it reads "<6", at most
    the threshold. Unbounded counts are tried up to one more than the largest count there is: the values each can
    take run without gaps, so if it can take another, it can take one in that range."""
    hidden = sorted(result.withheld, key=repr)
    ceiling = max(max(counts.values()) + 1, threshold)
    highest = {key: threshold if result.shown_as(key, threshold) == "<6" else ceiling for key in hidden}
    return {
        key: counts[key] for key in hidden if not _search(counts, groups, hidden, highest, {}, avoid=(key, counts[key]))
    }


def _search(counts, groups, hidden, highest, assigned, avoid) -> bool:
    """Whether the withheld counts have values that fit every group, avoid's key not taking avoid's value."""
    if not _feasible(counts, groups, highest, assigned):
        return False
    unassigned = [key for key in hidden if key not in assigned]
    if not unassigned:
        return True
    key = unassigned[0]
    for value in range(1, highest[key] + 1):
        if (key, value) == avoid:
            continue
        if _search(counts, groups, hidden, highest, {**assigned, key: value}, avoid):
            return True
    return False


def _feasible(counts, groups, highest, assigned) -> bool:
    """Whether every group's total less its parts can still come to nought, by the counts' least and most."""

    def bounds(key):
        if key in assigned:
            return assigned[key], assigned[key]
        if key in highest:
            return 1, highest[key]
        return counts[key], counts[key]

    for group in groups:
        low_total, high_total = bounds(group.total)
        parts = [bounds(part) for part in group.parts]
        if low_total > sum(high for _, high in parts) or high_total < sum(low for low, _ in parts):
            return False
    return True


@st.composite
def columns(draw):
    """One MARAC's column: a total and its parts (referrals by agency, say), and, sometimes, the total as one
    part and the sum of the others (police and non-police), the sum of the others being a total of its own."""
    threshold = draw(st.integers(2, 4))
    parts = draw(st.lists(st.integers(0, 9), min_size=2, max_size=5))
    counts: dict[object, int] = {("part", index): count for index, count in enumerate(parts)}
    counts["total"] = sum(parts)
    groups = [AdditiveGroup("total", tuple(("part", index) for index in range(len(parts))))]
    if len(parts) > 2 and draw(st.booleans()):
        counts["rest"] = sum(parts[1:])
        groups.append(AdditiveGroup("total", (("part", 0), "rest")))
        groups.append(AdditiveGroup("rest", tuple(("part", index) for index in range(1, len(parts)))))
    return counts, groups, threshold


@st.composite
def tables(draw, *, largest: int = 2):
    """The shape of a report over several MARACs: in each MARAC's column, a total and its parts; and a combined
    column, each of its counts the sum of the MARACs'."""
    rows = draw(st.integers(2, largest))
    marac_columns = draw(st.integers(2, largest))
    threshold = draw(st.integers(2, 4))
    values = {(row, column): draw(st.integers(0, 9)) for row in range(rows) for column in range(marac_columns)}
    counts: dict[object, int] = dict(values)
    groups = []
    for column in range(marac_columns):
        counts[("total", column)] = sum(values[row, column] for row in range(rows))
        groups.append(AdditiveGroup(("total", column), tuple((row, column) for row in range(rows))))
    for row in [*range(rows), "total"]:
        counts[(row, "combined")] = sum(counts[row, column] for column in range(marac_columns))
        groups.append(AdditiveGroup((row, "combined"), tuple((row, column) for column in range(marac_columns))))
    groups.append(AdditiveGroup(("total", "combined"), tuple((row, "combined") for row in range(rows))))
    return counts, groups, threshold


def _no_shown_total_with_one_withheld_part(counts, groups, threshold):
    result = withhold(counts, groups, threshold)
    for group in groups:
        if group.total not in result.withheld:
            assert sum(part in result.withheld for part in group.parts) != 1


def _nothing_pinned(counts, groups, threshold):
    result = withhold(counts, groups, threshold)
    assert _pinned(counts, groups, result, threshold) == {}
    assert all(counts[key] > 0 for key in result.withheld)  # zero is never withheld
    assert {key for key, count in counts.items() if 1 <= count <= threshold} <= result.withheld


@hypothesis_settings(max_examples=200, deadline=None)
@given(table=st.one_of(columns(), tables(largest=3)))
def test_it_leaves_no_shown_total_with_a_single_withheld_part(table):
    _no_shown_total_with_one_withheld_part(*table)


@hypothesis_settings(max_examples=300, deadline=None)
@given(column=columns())
def test_a_reader_trying_every_possibility_never_pins_down_a_withheld_count_in_a_column(column):
    _nothing_pinned(*column)


@hypothesis_settings(max_examples=300, deadline=None)
@given(table=tables())
def test_a_reader_trying_every_possibility_never_pins_down_a_withheld_count_over_two_maracs(table):
    _nothing_pinned(*table)


def test_a_reader_combining_several_sums_can_still_pin_a_count_in_a_larger_table():
    """The heuristic's known limit, kept in sight: it reasons one sum at a time (least and most), so a count that
    only a combination of several sums gives away can slip through. Here the third MARAC's third part (1) is its
    row's combined 4, less the first two columns' totals (which the zeros make its row's other parts), which are
    the combined total 7 less the third column's 4. Exact elimination would catch it, at many times the cost."""
    values = [[0, 0, 1], [0, 0, 2], [1, 2, 1]]  # rows of parts, one column per MARAC
    counts: dict[object, int] = {(row, column): values[row][column] for row in range(3) for column in range(3)}
    groups = []
    for column in range(3):
        counts[("total", column)] = sum(values[row][column] for row in range(3))
        groups.append(AdditiveGroup(("total", column), tuple((row, column) for row in range(3))))
    for row in [0, 1, 2, "total"]:
        counts[(row, "combined")] = sum(counts[row, column] for column in range(3))
        groups.append(AdditiveGroup((row, "combined"), tuple((row, column) for column in range(3))))
    groups.append(AdditiveGroup(("total", "combined"), tuple((row, "combined") for row in range(3))))
    result = withhold(counts, groups, 2)
    assert _pinned(counts, groups, result, 2) == {(2, 2): 1}


# --- the worked examples, through the real report and return ----------------------------------------------------


def _cells(report, key):
    return next(row.cells for group in report.groups for row in group.rows if row.indicator.key == key)


def _report(*maracs, suppress=True):
    return build_report(
        maracs=[(marac.pk, marac.name) for marac in maracs], period=QUARTER, suppress=suppress, threshold=5
    )


def test_it_withholds_a_second_marac_where_the_combined_column_would_give_a_small_one_away(marac, other_marac):
    cases(marac, 3)
    cases(other_marac, 12)
    referrals = _cells(_report(marac, other_marac), "referrals")
    # Combined 15 less Southmere's 12 would be Northbrook's 3.
    assert [cell.value_text for cell in referrals] == ["suppressed", "suppressed", "15"]
    assert [cell.suppressed for cell in referrals] == [True, True, False]
    exact = _cells(_report(marac, other_marac, suppress=False), "referrals")
    assert [cell.value_text for cell in exact] == ["3", "12", "15"]  # coordinators and chairs see them all


def test_it_withholds_another_agency_where_referrals_less_the_police_would_give_one_away(marac):
    cases(marac, 15)  # by the police (the factory's agency)
    cases(marac, 2, referring_agency=AgencyFactory(agency_type=AgencyType.IDVA_SERVICE))
    report = _report(marac)
    assert _cells(report, "referrals")[0].value_text == "17"
    police, idva = _cells(report, "referrals_from_police")[0], _cells(report, "referrals_from_idva_service")[0]
    assert (police.numerator_text, police.value_text, police.denominator_text) == ("suppressed", "suppressed", "17")
    assert (idva.numerator_text, idva.value_text) == ("suppressed", "suppressed")  # not "<6": no bound to narrow
    non_police = _cells(report, "non_police_referrals")[0]
    assert (non_police.numerator_text, non_police.value_text) == ("suppressed", "suppressed")
    assert _cells(report, "referrals_from_housing")[0].numerator_text == "0"  # zero identifies nobody
    exact = _report(marac, suppress=False)
    assert _cells(exact, "referrals_from_police")[0].value_text == "88.2%"


def test_it_keeps_a_small_count_as_under_six_where_nothing_gives_it_away(marac):
    cases(marac, 14)
    cases(marac, 3, referring_agency=AgencyFactory(agency_type=AgencyType.IDVA_SERVICE))
    cases(marac, 3, referring_agency=AgencyFactory(agency_type=AgencyType.HOUSING))
    report = _report(marac)
    assert _cells(report, "referrals_from_police")[0].numerator_text == "14"
    assert _cells(report, "referrals_from_idva_service")[0].numerator_text == "<6"
    assert _cells(report, "referrals_from_housing")[0].numerator_text == "<6"


def _meeting_return(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_board_viewer_cannot_work_out_a_meeting_s_small_count_from_its_cases(client_for, board_viewer, marac):
    held = meeting(marac)
    for heard_case in cases(marac, 6):
        listing(held, heard_case)
    listing(held, case(marac, referring_agency=AgencyFactory(agency_type=AgencyType.IDVA_SERVICE)))
    (row,) = _meeting_return(client_for(board_viewer).get("/reports/meeting-return.csv" + QUARTER_QUERY))
    # 7 cases less the police's 6 would be the IDVA service's 1.
    assert (row["Cases discussed"], row["Referred by: Police"], row["Referred by: IDVA service"]) == (
        "7",
        "suppressed",
        "suppressed",
    )
    assert row["Referred by: Housing"] == "0"


def test_a_coordinator_filing_the_return_still_gets_exact_counts(client_for, coordinator, marac):
    held = meeting(marac)
    for heard_case in cases(marac, 6):
        listing(held, heard_case)
    listing(held, case(marac, referring_agency=AgencyFactory(agency_type=AgencyType.IDVA_SERVICE)))
    response = client_for(coordinator).get("/reports/meeting-return.csv" + QUARTER_QUERY)
    _notice, header, values = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    row = dict(zip(header, values, strict=True))
    assert (row["Referred by: Police"], row["Referred by: IDVA service"]) == ("6", "1")


def test_it_withholds_a_meeting_s_cases_where_the_other_meetings_and_the_quarter_s_would_give_them_away(
    client_for, board_viewer, marac
):
    for day, count in [(datetime.date(2026, 5, 12), 10), (datetime.date(2026, 6, 9), 3)]:
        held = meeting(marac, day)
        for heard_case in cases(marac, count, heard_on=day):
            listing(held, heard_case, kind=ListingKind.FULL)
    rows = _meeting_return(client_for(board_viewer).get("/reports/meeting-return.csv" + QUARTER_QUERY))
    # The dashboard shows the 13 listings discussed beside the return: 13 less 10 would be 3.
    assert [row["Cases discussed"] for row in rows] == ["suppressed", "suppressed"]


def test_a_board_viewer_s_download_gives_no_count_away_by_subtraction(client_for, board_viewer, marac, other_marac):
    grant(board_viewer, other_marac, Role.BOARD_VIEWER)
    records_begin(marac, other_marac)
    cases(marac, 3)
    cases(other_marac, 12)
    response = client_for(board_viewer).get("/reports/indicators.csv" + QUARTER_QUERY)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    by_column = {
        row[header.index("MARAC")]: dict(zip(header, row, strict=True))
        for row in rows[1:]
        if row[header.index("Indicator key")] == "referrals"
    }
    assert {column: row["Value"] for column, row in by_column.items()} == {
        "Northbrook MARAC": "suppressed",
        "Southmere MARAC": "suppressed",
        "Combined": "15",
    }
    page = client_for(board_viewer).get("/reports/" + QUARTER_QUERY)
    assert [cell.value_text for cell in _cells(page.context["report"], "referrals")] == [
        "suppressed",
        "suppressed",
        "15",
    ]


# --- the declarations hold for the counts the code makes ---------------------------------------------------------


def test_the_declared_partitions_add_up_on_the_counts_the_indicators_make(marac, other_marac, referrer):
    """Every SAME_COUNT shows one count, and every partition's parts add up to its total, in each MARAC's column
    and the combined one (which is the sum of the MARACs')."""
    records_begin(marac, other_marac)
    types = list(AgencyType)
    ethnicities = list(Ethnicity)
    births = [datetime.date(2009, 9, 1), datetime.date(1999, 1, 1), datetime.date(1960, 1, 1), None]
    meetings = {on: meeting(on) for on in (marac, other_marac)}
    for number in range(24):
        on = marac if number % 3 else other_marac
        victim = PersonFactory(marac=on, ethnicity=ethnicities[number % len(ethnicities)])
        victim.date_of_birth = births[number % len(births)]
        victim.save()
        agency = AgencyFactory(agency_type=types[number % len(types)])
        heard_case = case(on, victim=victim, referring_agency=agency, is_repeat=number % 4 == 0)
        minuted = listing(meetings[on], heard_case, kind=ListingKind.FULL)
        ProcessLink.objects.create(listing=minuted, kind=list(ProcessLinkKind)[number % len(ProcessLinkKind)])
        Referral.objects.create(
            marac=on,
            referrer=referrer,
            referring_agency=agency,
            status=ReferralStatus.SUBMITTED,
            submitted_at=datetime.datetime(2026, 5, 2, 10, tzinfo=datetime.UTC),
            information_sharing_consent=["given", "refused", "not_asked_unsafe"][number % 3],
            idva_referral_consent=["given", "refused", "not_asked_unsafe", ""][number % 4],
        )
    report = _report(marac, other_marac, suppress=False)
    columns: list[dict[str, int]] = [{}, {}, {}]
    for group in report.groups:
        for row in group.rows:
            for column, cell in enumerate(row.cells):
                terms = (cell.figure.numerator, cell.figure.denominator)
                for name, count in zip(people_quantities(row.indicator), terms, strict=False):
                    assert columns[column].setdefault(name, count) == count, (row.indicator.key, name)
    for counts in columns:
        for partition in WITHIN_A_COLUMN:
            assert counts[partition.total] == sum(counts[part] for part in partition.parts), partition.why
    for name, combined in columns[2].items():
        assert combined == columns[0][name] + columns[1][name], name
    assert columns[2]["cases referred"] == 24


def test_a_withheld_figure_is_not_judged_against_its_benchmark_where_board_members_see_it():
    """'<6 of <6, met' against 'at least 100%' would say the two hidden counts are equal: the result is withheld
    with the figure, and shown to those who see exact counts."""
    from reports.figures import Figure
    from reports.indicators import INDICATORS
    from reports.report import cell_for

    indicator = next(i for i in INDICATORS if i.benchmarks and i.counts_people and i.denominator_counts_people)
    figure = Figure.percent(3, 3)
    shown = cell_for(indicator, figure, suppress=True, threshold=5)
    assert shown.suppressed and {result.text for result in shown.results} == {"suppressed"}
    exact = cell_for(indicator, figure, suppress=False, threshold=5)
    assert {result.text for result in exact.results} <= {"met", "not met"}


def _transferred(marac, count, by):
    """Referrals transferred to another MARAC (by name: not in this installation) in QUARTER, never cases here."""
    for _ in range(count):
        sent = Referral.objects.create(
            marac=marac, referrer=by, referring_agency=AgencyFactory(), status=ReferralStatus.TRANSFERRED
        )
        transfer = Transfer.objects.create(
            from_referral=sent, to_marac_name="Farshire MARAC", reason="Moved for good", transferred_by=by
        )
        at = datetime.datetime(2026, 5, 2, 10, 0, tzinfo=datetime.UTC)
        Transfer.objects.filter(pk=transfer.pk).update(transferred_at=at)


def test_referrals_sent_to_other_maracs_are_not_given_away_by_the_referrals_shown_beside_them(marac, coordinator):
    cases(marac, 20)
    _transferred(marac, 2, coordinator)
    report = _report(marac)
    assert _cells(report, "referrals")[0].value_text == "20"
    # 22 "cases referred plus referrals transferred" less the 20 referrals would be the 2 transferred.
    sent_on = _cells(report, "to_other_maracs")[0]
    assert (sent_on.denominator_text, sent_on.value_text) == ("suppressed", "suppressed")
    exact = _cells(_report(marac, suppress=False), "to_other_maracs")[0]
    assert (exact.numerator_text, exact.denominator_text) == ("2", "22")


def test_referrals_sent_to_other_maracs_are_shown_where_no_small_number_is_given_away(marac, coordinator):
    cases(marac, 20)
    _transferred(marac, 7, coordinator)
    sent_on = _cells(_report(marac), "to_other_maracs")[0]
    assert (sent_on.numerator_text, sent_on.denominator_text, sent_on.value_text) == ("7", "27", "25.9%")


def test_the_transfers_stay_protected_in_a_report_of_that_indicator_alone(marac, coordinator):
    cases(marac, 20)
    _transferred(marac, 2, coordinator)
    report = build_report(
        maracs=[(marac.pk, marac.name)], period=QUARTER, suppress=True, threshold=5, keys=["to_other_maracs"]
    )
    assert [group.rows[0].indicator.key for group in report.groups] == ["to_other_maracs"]  # referrals not shown
    assert _cells(report, "to_other_maracs")[0].denominator_text == "suppressed"
