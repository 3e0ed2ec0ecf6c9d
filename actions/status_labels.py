"""An action's status in the words of the open-actions lists ("Overdue", "With the chair", "Chased 3 Dec 2026"), and
what its agency said was done, for the pages and documents that show a case's actions after the meeting (the case
page, the summary of actions and its downloads). The rules are tracking's and tracking_selectors'; this only words
them, so every page says the same of the same action."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from actions.models import Action, ActionStatus
from actions.tracking import action_is_open, action_is_overdue
from actions.tracking_selectors import may_see_action

# The GOV.UK tag colour of each status, as on the open-actions list (open, overdue, with the chair) and for the rest.
_COLOURS = {
    ActionStatus.DONE: "green",
    ActionStatus.CANNOT_COMPLETE: "yellow",
    ActionStatus.NOT_COMPLETED: "grey",
}


@dataclass(frozen=True)
class StatusLabel:
    words: str  # "Open", "Overdue", "With the chair", or the status's own name once closed
    colour: str  # the GOV.UK tag's modifier
    chased_at: datetime | None = None  # when an overdue action was last chased

    @property
    def chased_on(self) -> date | None:
        return timezone.localtime(self.chased_at).date() if self.chased_at else None

    @property
    def text(self) -> str:
        """The label in one line, for a document: "Overdue, chased 3 December 2026"."""
        chased_on = self.chased_on
        return f"{self.words}, chased {chased_on.day} {chased_on:%B %Y}" if chased_on else self.words


def action_status_label(action: Action, *, today: date) -> StatusLabel:
    """BD Completion of Actions: overdue actions are chased, and those still open by the next meeting go to the chair
    (tracking.actions_mark_chased, actions_mark_escalated)."""
    if action_is_open(action.status) and action.escalated_at:
        return StatusLabel("With the chair", "red")
    if action_is_overdue(status=action.status, due_on=action.due_on, today=today):
        return StatusLabel("Overdue", "orange", action.chased_at)
    if action_is_open(action.status):
        return StatusLabel("Open", "blue")
    return StatusLabel(action.get_status_display(), _COLOURS.get(ActionStatus(action.status), "grey"))


def completion_note_for(user: Any, action: Action) -> str:
    """What the agency said it did when it marked the action done (BD: agencies "provide confirmation that actions have
    been completed to the MARAC Coordinator"), or "" for this user. The form promises the coordinator and the chair
    see it; the agency that wrote it sees it on its own action, as through the API. That is who may see the action
    itself (may_see_action): another agency's representative, reading the summary of every agency's actions, does
    not."""
    if action.status != ActionStatus.DONE or not action.completion_note:
        return ""
    return action.completion_note if may_see_action(user, action) else ""
