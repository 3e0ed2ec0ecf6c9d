"""Pages after the meeting: the summary of actions and its circulation, each agency's own open actions, the
coordinator's lists, and the downloads. Meetings, actions and cases are reached only through their gates."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from actions import documents, tracking
from actions.models import Action
from actions.tracking_selectors import (
    action_summary,
    agency_open_actions,
    cannot_complete_at_marac,
    family_record,
    get_action_for_user,
    open_actions_at_marac,
)
from audit.models import AuditAction
from audit.services import audit_record
from cases.selectors import get_case_for_user, restricted_case_reason
from marac.models import Marac
from meetings.agenda_services import get_meeting_for_user, may_see_case_list, meeting_state_if_any
from meetings.models import Meeting, MeetingState, MeetingStatus
from referrals.calendar import action_summary_due, calendar_from_marac
from web.access import current_marac_where, require_permission
from web.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from web.forms import VersionedForm
from web.text import LONG_TEXT_MAX


def _user(request: HttpRequest) -> User:
    # Every view here is behind require_permission, which lets only signed-in users through.
    return cast(User, request.user)


# --- Forms ----------------------------------------------------------------------------------------------------------


class ActionDoneForm(VersionedForm):
    class Meta:
        model = Action
        fields = ["completion_note"]
        labels = {"completion_note": "What was done"}
        help_texts = {"completion_note": "Seen by the coordinator and the chair. Do not add new case information."}
        widgets = {"completion_note": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"completion_note": {"required": "Say what was done"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completion_note"].required = True
        self.fields["completion_note"].validators.append(MaxLengthValidator(LONG_TEXT_MAX))  # the model has no limit
        if not self.is_bound:
            self.initial["completion_note"] = ""


class ActionCannotCompleteForm(ActionDoneForm):
    class Meta(ActionDoneForm.Meta):
        labels = {"completion_note": "Why it cannot be completed"}
        help_texts = {"completion_note": "The coordinator is told, and may take it to the chair."}
        error_messages = {"completion_note": {"required": "Say why the action cannot be completed"}}


# --- Lists ----------------------------------------------------------------------------------------------------------


def _page(request: HttpRequest, actions: Any) -> Any:
    return Paginator(actions, 50).get_page(request.GET.get("page"))


def _audit_list(marac_id: int, what: str, page: Any) -> None:
    audit_record(
        action=AuditAction.VIEW,
        object_type="actions.action",
        marac_id=marac_id,
        summary=f"{what} page {page.number}: {len(page.object_list)} actions",
    )


@require_permission("actions.track_actions")
def action_index(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "actions.track_actions")
    page = _page(request, open_actions_at_marac(marac_id=marac_id, viewer=request.user))
    _audit_list(marac_id, "Open actions", page)
    recent = (
        Meeting.objects.filter(marac_id=marac_id)
        .filter(Q(starts_at__lte=timezone.now()) | Q(state__isnull=False) & ~Q(state__status=MeetingStatus.SCHEDULED))
        .select_related("state")
        .order_by("-starts_at")[:5]
    )
    context = {
        "marac": Marac.objects.get(pk=marac_id),
        "page": page,
        "today": timezone.localdate(),
        "recent_meetings": recent,
        "cannot_complete_count": cannot_complete_at_marac(marac_id=marac_id, viewer=request.user).count(),
    }
    return render(request, "actions/action_index.html", context)


@require_permission("actions.track_actions")
def cannot_complete(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "actions.track_actions")
    page = _page(request, cannot_complete_at_marac(marac_id=marac_id, viewer=request.user))
    _audit_list(marac_id, "Actions that cannot be completed", page)
    context = {"marac": Marac.objects.get(pk=marac_id), "page": page}
    return render(request, "actions/cannot_complete.html", context)


@require_permission("actions.update_agency_actions")
def my_actions(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "actions.update_agency_actions")
    page = _page(
        request, agency_open_actions(marac_id=marac_id, agency_id=_user(request).agency_id, viewer=request.user)
    )
    _audit_list(marac_id, "Agency's open actions", page)
    context = {"marac": Marac.objects.get(pk=marac_id), "page": page, "today": timezone.localdate()}
    return render(request, "actions/my_actions.html", context)


# --- Updating an action ---------------------------------------------------------------------------------------------


def _update(request: HttpRequest, pk: int, form_class: type[ActionDoneForm], *, done: bool) -> HttpResponse:
    action = get_action_for_user(user=request.user, pk=pk)
    if not tracking.action_is_open(action.status):
        messages.error(request, tracking.ActionNotOpen.message)
        return redirect("actions:mine")
    form = form_class(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        service = tracking.action_complete if done else _cannot_complete
        try:
            service(action=action, note=form.cleaned_data["completion_note"],
                    based_on_version=form.cleaned_data["version"], by=_user(request))  # fmt: skip
        except tracking.TrackingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Action marked done" if done else "The coordinator has been told")
            return redirect("actions:mine")
    title = "Mark the action done" if done else "Say the action cannot be completed"
    context = {"action": action, "form": form, "title": title, "button": "Mark done" if done else "Send to coordinator"}
    return render(request, "actions/action_update.html", context)


def _cannot_complete(*, action: Action, note: str, based_on_version: int, by: Any) -> Action:
    return tracking.action_cannot_complete(action=action, reason=note, based_on_version=based_on_version, by=by)


@require_permission("actions.update_agency_actions")
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _update(request, pk, ActionDoneForm, done=True)


@require_permission("actions.update_agency_actions")
def action_cannot(request: HttpRequest, pk: int) -> HttpResponse:
    return _update(request, pk, ActionCannotCompleteForm, done=False)


# --- The summary of actions -----------------------------------------------------------------------------------------


def _summary_due(meeting: Meeting) -> Any:
    calendar = calendar_from_marac(meeting.marac, meeting.marac.closure_days.values_list("day", flat=True))
    return action_summary_due(meeting.starts_at, calendar=calendar)


def _summary_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The summary's meeting, behind the rule of its case list (agenda_services.may_see_case_list): a representative
    gets a 404 until the case list has been released, so no page shows a meeting's listings before then."""
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.view_agenda")
    if not may_see_case_list(user=request.user, meeting=meeting):
        raise Http404
    return meeting


def _summary_is_ready(meeting: Meeting, state: MeetingState | None) -> bool:
    # The summary records what the meeting agreed: there is none before it has started (a chair may start it early).
    status = state.status if state is not None else MeetingStatus.SCHEDULED
    return tracking.meeting_has_started(starts_at=meeting.starts_at, now=timezone.now(), status=status)


@require_permission("meetings.view_agenda")
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _summary_meeting(request, pk)
    state = meeting_state_if_any(meeting)
    held = _summary_is_ready(meeting, state)
    cases = action_summary(meeting=meeting, viewer=request.user) if held else []
    audit_record(action=AuditAction.VIEW, obj=meeting, summary=f"Summary of actions for meeting {meeting.pk}")
    context = {
        "meeting": meeting,
        "cases": cases,
        "state": state,
        "due_on": _summary_due(meeting),
        "held": held,
        "may_circulate": request.user.has_perm("actions.track_actions", meeting),
    }
    return render(request, "actions/summary.html", context)


@require_permission("actions.track_actions")
@require_POST
def summary_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="actions.track_actions")
    try:
        sent = tracking.action_summary_circulate(meeting=meeting, by=_user(request))
    except tracking.TrackingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Summary of actions sent to {sent.recipients} representatives")
    return redirect("actions:summary", pk=meeting.pk)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _summary_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    meeting = _summary_meeting(request, pk)
    if not _summary_is_ready(meeting, meeting_state_if_any(meeting)):
        raise Http404  # the page says the summary comes after the meeting, and offers no download before then
    cases = action_summary(meeting=meeting, viewer=request.user)
    if kind == "docx":
        content, content_type = documents.action_summary_docx(meeting=meeting, cases=cases), DOCX_CONTENT_TYPE
    else:
        content, content_type = documents.action_summary_pdf(meeting=meeting, cases=cases), PDF_CONTENT_TYPE
    audit_record(
        action=AuditAction.EXPORT,
        obj=meeting,
        summary=f"Summary of actions for meeting {meeting.pk} downloaded as {kind}: {len(cases)} cases",
    )
    return _download(content, content_type, f"marac-actions-{meeting.starts_at:%Y-%m-%d}.{kind}")


@require_permission("meetings.view_agenda")
def summary_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _summary_export(request, pk, "docx")


@require_permission("meetings.view_agenda")
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _summary_export(request, pk, "pdf")


# --- One family's record --------------------------------------------------------------------------------------------


@require_permission("meetings.export_family_record")
def family_record_download(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(user=request.user, pk=pk, audit=False)
    if not request.user.has_perm("meetings.export_family_record", case):
        raise Http404
    # A restricted case's reason goes into the entry of every reading of it (cases/restriction.py), a download too.
    changes = {"reason": restricted_case_reason(user=request.user, case_id=case.pk)} if case.restricted else {}
    meetings = family_record(case=case)
    user = _user(request)
    exported_by = documents.ExportedBy(name=user.full_name, agency=str(user.agency or ""), at=timezone.now())
    content = documents.family_record_docx(case=case, meetings=meetings, exported_by=exported_by)
    audit_record(
        action=AuditAction.EXPORT,
        obj=case,
        summary=f"MARAC meeting record for case {case.pk} downloaded as docx: {len(meetings)} meetings",
        changes=changes,
    )
    return _download(content, DOCX_CONTENT_TYPE, f"marac-record-{case.reference}.docx")
