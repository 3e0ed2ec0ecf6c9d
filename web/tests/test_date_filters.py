"""The date filters every template has without {% load %} (web/templatetags/dates.py): London time, one wording each."""

from datetime import UTC, datetime

import pytest
from django.template import engines

WINTER = datetime(2026, 11, 24, 18, 19, tzinfo=UTC)  # Greenwich Mean Time: 18:19 in London
SUMMER = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # British Summer Time: 14:00 in London


def _render(text: str, **context: object) -> str:
    return engines["django"].from_string(text).render(context)


@pytest.mark.parametrize(
    ("moment", "written"),
    [(WINTER, "by 18:19 on Tuesday 24 November 2026"), (SUMMER, "by 14:00 on Wednesday 1 July 2026")],
)
def test_it_writes_a_deadline_time_first(moment, written):
    assert _render("by {{ moment|deadline }}", moment=moment) == written


@pytest.mark.parametrize(
    ("moment", "written"),
    [(WINTER, "Tuesday 24 November 2026 at 18:19"), (SUMMER, "Wednesday 1 July 2026 at 14:00")],
)
def test_it_writes_a_meetings_time_day_first_with_the_weekday(moment, written):
    assert _render("{{ moment|meeting_time }}", moment=moment) == written


@pytest.mark.parametrize(
    ("moment", "written"), [(WINTER, "24 November 2026 at 18:19"), (SUMMER, "1 July 2026 at 14:00")]
)
def test_it_writes_any_other_moment_without_the_weekday(moment, written):
    assert _render("{{ moment|when }}", moment=moment) == written


@pytest.mark.parametrize("name", ["deadline", "meeting_time", "when"])
def test_it_writes_nothing_for_a_missing_moment_so_default_still_works(name):
    assert _render(f"{{{{ moment|{name}|default:'Not yet' }}}}", moment=None) == "Not yet"
    assert _render(f"{{{{ missing|{name} }}}}") == ""
