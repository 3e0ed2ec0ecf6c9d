"""An action's status and what its agency said was done, on the pages that show a case's actions after the meeting
(actions/status_labels.py). `{% load action_status %}`, then `{% action_status action %}` and
`{% completion_note action %}`."""

from typing import Any

from django import template
from django.utils import timezone

from actions.models import Action
from actions.status_labels import action_status_label, completion_note_for
from cases.models import Case

register = template.Library()


@register.inclusion_tag("actions/_action_status.html")
def action_status(action: Action) -> dict[str, Any]:
    return {"label": action_status_label(action, today=timezone.localdate())}


@register.inclusion_tag("actions/_completion_note.html", takes_context=True)
def completion_note(context: template.Context, action: Action, case: Case | None = None) -> dict[str, Any]:
    """`case`: the action's case where the page has read it already (the summary has each listing's), so that deciding
    who may see the note does not read it again for every action."""
    if case is not None and case.pk == action.case_id:
        action.case = case
    return {"note": completion_note_for(context["request"].user, action)}
