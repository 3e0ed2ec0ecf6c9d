"""audit/labels.py: the audit trail's codes in plain words, at display time only."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from audit.labels import readable_summary, record_type_choices, record_type_name, role_labels

ROLE_CODES = [str(role.value) for role in Role]


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("cases.case", "Case"),
        ("referrals.referral", "Referral"),
        ("accounts.rolegrant", "Role grant"),
        ("marac.marac", "MARAC"),
        ("marac.maracagency", "Agency membership"),
        ("referrals.idvaallocation", "IDVA allocation"),
        ("api.apicredential", "API credential"),
        ("reports.indicators", "Indicators"),
        ("governance.something_new", "Something new"),  # no model: named by its last part
    ],
)
def test_record_types_by_name(label, name):
    assert record_type_name(label) == name


def test_the_choices_are_sorted_by_name_and_blank_types_left_out():
    assert record_type_choices(["referrals.referral", "cases.case", "", "cases.case"]) == [
        ("cases.case", "Case"),
        ("referrals.referral", "Referral"),
    ]


def test_two_types_with_one_name_are_told_apart_by_their_app():
    assert record_type_choices(["one.thing", "two.thing"]) == [
        ("one.thing", "Thing (one)"),
        ("two.thing", "Thing (two)"),
    ]


@pytest.mark.parametrize(
    ("summary", "readable"),
    [
        ("Granted role agency_representative to user 21", "Granted role Agency representative to user 21"),
        ("Removed role board_viewer from user 3", "Removed role Board viewer from user 3"),
        (
            "Issued API credential 4 to agency 9 with roles coordinator, idva",
            "Issued API credential 4 to agency 9 with roles MARAC coordinator, IDVA",
        ),
        ("Granted role something_unknown to user 2", "Granted role something_unknown to user 2"),
        ("Changed the chair of the meeting", "Changed the chair of the meeting"),
    ],
)
def test_summaries_name_roles_by_their_labels(summary, readable):
    assert readable_summary(summary) == readable


def test_the_roles_of_an_entry_by_their_labels():
    assert role_labels("board_viewer, coordinator") == "Board viewer, MARAC coordinator"
    assert role_labels("") == ""


@given(st.text(max_size=80).filter(lambda text: not text.startswith(("Granted role ", "Removed role ", "Issued API"))))
def test_any_other_summary_is_shown_as_written(summary):
    assert readable_summary(summary) == summary


@given(st.lists(st.sampled_from(ROLE_CODES), min_size=1, max_size=4), st.integers(min_value=1, max_value=10**9))
def test_every_role_in_a_summary_is_named_and_no_code_remains(codes, user_id):
    for code in codes:
        shown = readable_summary(f"Granted role {code} to user {user_id}")
        assert shown == f"Granted role {Role(code).label} to user {user_id}"
    listed = role_labels(", ".join(codes))
    assert listed.split(", ") == [str(Role(code).label) for code in codes]
