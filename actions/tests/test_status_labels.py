"""An action's status in the open-actions list's words, wherever else it is shown (actions/status_labels.py)."""

from datetime import UTC, date, datetime

from actions.models import Action, ActionStatus
from actions.status_labels import action_status_label

TODAY = date(2026, 11, 25)
CHASED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _label(**fields: object) -> tuple[str, str]:
    label = action_status_label(Action(**{"due_on": TODAY, "status": ActionStatus.OPEN} | fields), today=TODAY)
    return label.words, label.text


def test_it_says_open_until_the_due_day_has_passed() -> None:
    assert _label(due_on=TODAY) == ("Open", "Open")


def test_it_says_overdue_and_when_it_was_chased() -> None:
    assert _label(due_on=date(2026, 11, 24)) == ("Overdue", "Overdue")
    assert _label(due_on=date(2026, 11, 20), chased_at=CHASED) == ("Overdue", "Overdue, chased 23 November 2026")


def test_it_says_with_the_chair_once_escalated() -> None:
    assert _label(due_on=date(2026, 11, 1), chased_at=CHASED, escalated_at=CHASED)[0] == "With the chair"


def test_a_closed_action_says_how_it_was_closed_whatever_was_chased_before() -> None:
    late = {"due_on": date(2026, 11, 1), "chased_at": CHASED, "escalated_at": CHASED}
    assert _label(status=ActionStatus.DONE, **late)[0] == "Done"
    assert _label(status=ActionStatus.CANNOT_COMPLETE, **late)[0] == "Cannot be completed"
    assert _label(status=ActionStatus.NOT_COMPLETED, **late)[0] == "Not completed"
