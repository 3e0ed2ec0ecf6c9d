"""The cell and row rules, with worked examples and properties."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports import rules
from imports.rules import AgencyChoice, AgencyLookup, CellError, Previous, Problem
from imports.tests.conftest import action_row, case_row

TODAY = date(2026, 6, 1)
AGENCIES = AgencyLookup(
    [
        AgencyChoice(1, "Northbrook Police Service", "police", "Police"),
        AgencyChoice(2, "Northbrook IDVA Service", "idva_service", "IDVA service"),
        AgencyChoice(3, "Northbrook Homes", "housing", "Housing"),
        AgencyChoice(4, "Eastvale Homes", "housing", "Housing"),
    ]
)
KEY = b"test-key"


def _case(reference="NB-1", row=2, **changes):
    return rules.validate_case_row(row, case_row(reference, **changes), agencies=AGENCIES, today=TODAY)


def _action(reference="NB-1", row=2, **changes):
    return rules.validate_action_row(row, action_row(reference, **changes), agencies=AGENCIES, today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/01/2024", date(2024, 1, 31)),
        ("1/2/2024", date(2024, 2, 1)),
        ("2024-01-31", date(2024, 1, 31)),
        ("2024-01-31 00:00:00", date(2024, 1, 31)),
        ("31.01.2024", date(2024, 1, 31)),
        ("", None),
    ],
)
def test_it_reads_dates_day_first_or_iso(text, expected):
    assert rules.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/1980", "31/02/1980 is not a date"),
        ("01/02/80", "01/02/80 has a two-digit year: write the year in full, for example 31/01/2024"),
        ("next Tuesday", "next Tuesday is not a date: use DD/MM/YYYY or YYYY-MM-DD"),
        ("2024-13-01", "2024-13-01 is not a date"),
    ],
)
def test_it_says_why_a_date_is_not_one(text, message):
    with pytest.raises(CellError, match=message):
        rules.parse_date(text)


def test_it_reports_a_bad_date_of_birth_by_row_and_column_with_the_value():
    case, problems = _case(row=14, victim_date_of_birth="31/02/1980")
    assert case is None
    assert [str(problem) for problem in problems] == [
        "Row 14 of Cases, column 'Victim date of birth': 31/02/1980 is not a date"
    ]


def test_it_reports_every_problem_of_a_row_not_just_the_first():
    _, problems = _case(
        reference="",
        referred_on="yesterday",
        referring_agency="Probation",
        victim_given_name="",
        victim_family_name="",
        repeat="maybe",
        dash_score="31",
        children="two",
    )
    assert {problem.column for problem in problems} == {
        "Case reference",
        "Referral date",
        "Referring agency",
        "Victim family name",
        "Repeat",
        "DASH score",
        "Number of children",
    }
    messages = {problem.column: problem.message for problem in problems}
    assert messages["Case reference"] == "is blank; it is needed"
    assert messages["Referring agency"] == (
        "Probation is not an agency of this MARAC: use one of its agencies' names (Eastvale Homes; Northbrook Homes; "
        "Northbrook IDVA Service; Northbrook Police Service), or the agency's type where the MARAC has only one of "
        "that type, or add the agency under Settings"
    )
    assert messages["DASH score"] == "31 is not between 0 and 24"


def test_it_reads_a_good_row():
    case, problems = _case(children="2", repeat="Y", information_only="", outcome="Closed", victim_postcode="nb1 2xy")
    assert problems == []
    assert case.children == 2 and case.is_repeat and not case.information_only and case.outcome == "closed"
    assert case.referring_agency_id == 1
    assert case.victim.postcode == "NB1 2XY"
    assert case.perpetrator.family_name == "Madeup-NB-1"
    assert case.relationship == "ex_partner"


def test_it_finds_an_agency_by_type_only_when_the_marac_has_one_of_that_type():
    assert AGENCIES.find("police") == 1
    assert AGENCIES.find("NORTHBROOK  homes") == 3
    with pytest.raises(CellError, match="fits more than one agency"):
        AGENCIES.find("Housing")


def test_it_wants_a_hearing_on_or_after_the_referral_and_not_in_the_future():
    _, problems = _case(referred_on="10/04/2024", heard_on="09/04/2024", idva_allocated_on="")
    assert [problem.message for problem in problems] == [
        "09/04/2024 is before the Referral date (10/04/2024): a case is heard after it is referred"
    ]
    _, problems = _case(heard_on="01/01/2030")
    assert [problem.message for problem in problems] == ["01/01/2030 is in the future"]


def test_a_perpetrator_is_all_blank_or_named():
    blank = dict.fromkeys(
        ["perpetrator_given_name", "perpetrator_family_name", "perpetrator_date_of_birth", "perpetrator_gender"], ""
    )
    case, _ = _case(**blank)
    assert case.perpetrator is None
    _, problems = _case(**{**blank, "perpetrator_date_of_birth": "01/01/1980"})
    assert problems[0].column == "Perpetrator family name"


def test_a_done_action_needs_its_completed_date_and_an_open_one_must_not_have_one():
    _, problems = _action(status="done", completed_on="")
    assert [str(problem) for problem in problems] == [
        "Row 2 of Actions, column 'Completed date': is blank: a done action needs the day it was done"
    ]
    _, problems = _action(status="open", completed_on="16/04/2024")
    assert problems[0].message == "16/04/2024 is given but the action is open"
    action, problems = _action(status="Cannot complete", completed_on="", due_on="01/01/2027")
    assert problems == [] and action.status == "cannot_complete"


def test_it_matches_headings_whatever_their_case_and_reports_missing_and_unknown_ones():
    headings = rules.read_headings("Cases", ["case REFERENCE", "Referral  date", "Shoe size"], rules.CASE_COLUMNS)
    assert headings.keys == ["reference", "referred_on", None]
    assert "Date heard" in {problem.column for problem in headings.problems}
    assert [str(warning) for warning in headings.warnings] == [
        "Row 1 of Cases: column 3, headed 'Shoe size', is not a column OpenMARAC knows; ignored"
    ]


NOTHING_BEFORE = Previous({}, {})


def _sorted(cases, actions=(), previous=NOTHING_BEFORE):
    return rules.sort_rows(list(cases), list(actions), previous, key=KEY)


def test_the_same_reference_twice_with_different_details_is_a_problem_and_with_the_same_is_counted_once():
    first, _ = _case("NB-1", row=2)
    same, _ = _case("NB-1", row=3)
    different, _ = _case("NB-1", row=4, dash_score="3")
    result = _sorted([first, same, different])
    assert [str(problem) for problem in result.problems] == [
        "Row 4 of Cases, column 'Case reference': NB-1 is also on row 2, with different details"
    ]
    assert len(result.new_cases) == 1 and result.repeated_rows == 1


def test_an_action_for_an_unknown_case_is_a_problem():
    case, _ = _case("NB-1")
    action, _ = _action("NB-9", row=5)
    result = _sorted([case], [action])
    assert [str(problem) for problem in result.problems] == [
        "Row 5 of Actions, column 'Case reference': NB-9 is not a case on the Cases sheet or imported before"
    ]


def test_rows_imported_before_are_counted_and_changed_ones_left_with_a_warning():
    case, _ = _case("NB-1")
    changed, _ = _case("NB-2", row=3)
    action, _ = _action("NB-1")
    previous = Previous(
        cases={"NB-1": rules.fingerprint(case.details(), KEY), "NB-2": "an older fingerprint"},
        actions={rules.action_key(action): rules.fingerprint(action.details(), KEY)},
    )
    result = _sorted([case, changed], [action], previous)
    assert result.new_cases == [] and result.new_actions == []
    assert result.already_imported == 3 and result.changed == 1
    assert result.warnings[0].row == 3


def test_a_reference_another_case_holds_is_a_problem():
    case, _ = _case("NOR-2024-0001")
    result = _sorted([case], previous=Previous({}, {}, references_taken=frozenset({"NOR-2024-0001"})))
    assert "already the reference of another case in OpenMARAC" in result.problems[0].message


def test_a_problem_hides_its_value_for_those_who_may_not_see_it():
    problem = Problem("Cases", 14, "Victim date of birth", "31/02/1980", "31/02/1980 is not a date")
    assert str(problem.redacted()) == "Row 14 of Cases, column 'Victim date of birth': (value hidden) is not a date"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_date_written_either_way_reads_back_the_same(day):
    assert rules.parse_date(day.strftime("%d/%m/%Y")) == day
    assert rules.parse_date(day.isoformat()) == day


@given(st.dictionaries(st.sampled_from([column.key for column in rules.CASE_COLUMNS]), st.text(max_size=40)))
def test_any_row_gives_a_case_or_problems_never_an_exception(values):
    case, problems = rules.validate_case_row(7, values, agencies=AGENCIES, today=TODAY)
    assert (case is None) == bool(problems)
    assert all(problem.row == 7 and problem.sheet == "Cases" for problem in problems)


@given(st.dictionaries(st.sampled_from([column.key for column in rules.ACTION_COLUMNS]), st.text(max_size=40)))
def test_any_action_row_gives_an_action_or_problems_never_an_exception(values):
    action, problems = rules.validate_action_row(3, values, agencies=AGENCIES, today=TODAY)
    assert (action is None) == bool(problems)
