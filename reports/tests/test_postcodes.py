"""Referrals by postcode district: no district's count withheld as "<6" can be worked out by subtracting the
districts shown from the cases referred, which the dashboard shows beside the download (reports/postcodes.py).
Every place here is made up."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from people.models import Address
from reports.postcodes import district_withholding
from reports.suppression import count_text, is_small
from reports.tests.helpers import cases

THRESHOLD = 5
QUARTER_QUERY = "?period=quarter&on=2026-05-15"


def _shown(districts, threshold=THRESHOLD):
    """Each district's count as the CSV writes it: the number, or how it reads withheld."""
    withholding = district_withholding(districts, threshold)
    return {
        district: count if (text := withholding.shown_as(district, threshold)) is None else text
        for district, count in districts
    }


def _primary_only(districts, threshold=THRESHOLD):
    """As the CSV was before: each count judged on its own."""
    return {
        district: count_text(count, threshold) if is_small(count, threshold) else count for district, count in districts
    }


def test_it_withholds_a_second_district_where_the_total_less_the_others_would_give_a_small_one_away():
    districts = [("NB1", 12), ("NB2", 3), ("NB3", 9)]
    total = 24  # the dashboard's "Referrals" for the same MARAC and period
    primary = _primary_only(districts)
    assert primary == {"NB1": 12, "NB2": "<6", "NB3": 9}
    assert total - primary["NB1"] - primary["NB3"] == 3  # small numbers alone: NB2's 3 is worked out
    shown = _shown(districts)
    assert shown == {"NB1": 12, "NB2": "suppressed", "NB3": "suppressed"}  # the smallest other district with it
    assert total - shown["NB1"] == 12  # NB2 and NB3 together: 1 and 11, 2 and 10, ... anything from 1 up


def test_it_keeps_two_small_districts_as_under_six_where_they_could_be_split_several_ways():
    assert _shown([("NB1", 20), ("NB2", 2), ("not known", 3)]) == {"NB1": 20, "NB2": "<6", "not known": "<6"}


def test_it_reads_two_small_districts_as_suppressed_where_under_six_would_pin_them_at_five():
    # 20 less 10 is 10, and two counts under 6 making 10 are both 5.
    assert _shown([("NB1", 10), ("NB2", 5), ("NB3", 5)]) == {"NB1": 10, "NB2": "suppressed", "NB3": "suppressed"}


def _reader_bounds(shown, total_text, total):
    """The least and the most each withheld district could be, as a reader works them out from the districts shown
    and the total: at least 1, at most the threshold where it reads "<6", and together the total less the districts
    shown. One sum with a range on each count: these ranges are exact."""
    most_of = {"<6": THRESHOLD, "suppressed": 10**9}
    hidden = {district: most_of[text] for district, text in shown.items() if isinstance(text, str)}
    visible = sum(count for count in shown.values() if isinstance(count, int))
    if total_text is None:
        rest_least = rest_most = total - visible
    else:  # the dashboard withholds the total too: it is from 1 to the threshold (or at least 1)
        rest_least, rest_most = 1 - visible, most_of[total_text] - visible
    bounds = {}
    for district, most in hidden.items():
        others_least = len(hidden) - 1
        others_most = sum(other for name, other in hidden.items() if name != district)
        bounds[district] = (max(1, rest_least - others_most), min(most, rest_most - others_least))
    return bounds


district_counts = st.lists(st.integers(1, 40), min_size=1, max_size=8).map(
    lambda counts: [(f"NB{index}", count) for index, count in enumerate(counts, start=1)]
)


@given(district_counts)
def test_no_withheld_district_can_be_worked_out_from_the_total_and_the_districts_shown(districts):
    total = sum(count for _, count in districts)
    shown = _shown(districts)
    total_text = district_withholding(districts, THRESHOLD).shown_as("all districts", THRESHOLD)
    hidden = [district for district, text in shown.items() if isinstance(text, str)]
    if total_text is None and len(hidden) == 1:  # the plainest case: the total less the districts shown
        assert total - sum(count for count in shown.values() if isinstance(count, int)) != dict(districts)[hidden[0]]
    for district, (least, most) in _reader_bounds(shown, total_text, total).items():
        assert least <= dict(districts)[district] <= most
        assert least < most, f"{district} is worked out as {least}"


@pytest.mark.django_db
def test_a_board_viewer_cannot_work_out_a_small_district_from_the_dashboard_s_referrals(
    client_for, board_viewer, marac
):
    for referred in cases(marac, 7):
        Address.objects.create(person=referred.victim, line_1="1 Made Up Row", postcode="NB1 1AA")
    for referred in cases(marac, 2):
        Address.objects.create(person=referred.victim, line_1="2 Made Up Row", postcode="NB2 2BB")
    client = client_for(board_viewer)
    report = client.get("/reports/" + QUARTER_QUERY).context["report"]
    referrals = next(row for group in report.groups for row in group.rows if row.indicator.key == "referrals")
    assert referrals.cells[0].value_text == "9"
    response = client.get("/reports/postcode-districts.csv" + QUARTER_QUERY)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # With NB1's 7 shown, 9 less 7 would be NB2's 2.
    assert [row[:2] for row in rows[1:]] == [["NB1", "suppressed"], ["NB2", "suppressed"]]
