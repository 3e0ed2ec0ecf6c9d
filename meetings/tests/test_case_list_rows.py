"""The case list's cells, written out in Python (meetings/agenda_views.py), are what Django's format_html made."""

from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from meetings.agenda_views import _cell

_TEXT = st.text(alphabet=st.sampled_from("Ab <>&\"'é\n"), max_size=12)
_lazy_text = lazy(str, str)


@given(
    st.one_of(
        _TEXT,
        _TEXT.map(mark_safe),  # a cell already escaped (a victim's name with a date of birth, the children)
        _TEXT.map(_lazy_text),
        st.integers(),
    )
)
def test_a_case_list_cell_is_what_format_html_made_of_it(value):
    assert _cell(value) == format_html('\n    <td class="govuk-table__cell">{}</td>', value)
