"""Pages after the meeting: the summary of actions and its circulation, each agency's own open actions, the
coordinator's lists, and the downloads. Meetings, actions and cases are reached only through their gates."""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from actions import documents, tracking
from actions.models import Action, ActionStatus
from actions.services import RESTRICTED_CASE_OWNERS, agency_not_named_on_case
from actions.tracking_selectors import (
    REOPEN_DONE,
    RESOLVE,
    action_summary,
    agency_open_actions,
    cannot_complete_at_marac,
    family_record,
    get_action_for_user,
    get_action_to_manage,
    may_update_action,
    not_completed_at_marac,
    open_actions_at_marac,
    reason_for_audit,
    resolutions_of,
    with_resolutions,
)
from audit.models import AuditAction
from audit.services import audit_cases_seen, audit_record
from cases.selectors import get_case_for_user, restricted_case_reason
from marac.models import Agency, Marac
from meetings.agenda_services import get_meeting_for_user, may_see_case_list, meeting_state_if_any, working_calendar
from meetings.models import Meeting, MeetingState, MeetingStatus
from referrals.calendar import action_summary_due, calendar_from_marac
from web.access import current_marac_where, require_permission
from web.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from web.forms import DateInput, VersionedForm, unsaved_copy
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


REASSIGN, REOPEN, CLOSE = "reassign", "reopen", "close"


class ActionResolveForm(VersionedForm):
    """What the coordinator or chair decided about an action its agency cannot complete. A ModelForm only for the
    version check: the service writes the action."""

    outcome = forms.ChoiceField(
        choices=[
            (REASSIGN, "Pass it to another agency, with a new due date"),
            (REOPEN, "Reopen it for the same agency, with a new due date"),
            (CLOSE, "Close it as not completed"),
        ],
        widget=forms.RadioSelect,
        label="What was decided",
        error_messages={"required": "Select what was decided", "invalid_choice": "Select what was decided"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose the agency",
        label="Agency taking it on",
        help_text="Only if it is passed to another agency.",
        error_messages={"invalid_choice": "Select another of this MARAC's agencies"},
    )
    due_on = forms.DateField(
        widget=DateInput,
        required=False,
        label="New due date",
        help_text="Unless it is closed.",
        error_messages={"invalid": "The due date must be a real date, for example 2026-12-15"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT_MAX,
        label="Why, and what was agreed",
        help_text="Seen by the coordinator, the chair and the agency that has the action. Do not add new case "
        "information.",
        error_messages={"required": "Say why, and what was agreed"},
    )
    referred_to_vawg = forms.BooleanField(required=False, label="It was referred to the VAWG sub group")

    class Meta:
        model = Action
        fields: list[str] = []

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marac_id = marac_id
        self.fields["agency"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.filter(memberships__marac_id=marac_id)
            .exclude(pk=self.instance.owner_agency_id)
            .distinct()
            .order_by("name")
        )
        if self.instance.case_id is not None and self.instance.case.restricted:
            self.fields["agency"].help_text += f" {RESTRICTED_CASE_OWNERS}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome, due_on, agency = cleaned.get("outcome"), cleaned.get("due_on"), cleaned.get("agency")
        if outcome == REASSIGN and agency is None and "agency" not in self.errors:
            self.add_error("agency", "Select the agency taking the action on")
        refused = None
        if agency is not None and self.instance.case_id is not None:
            refused = agency_not_named_on_case(case=self.instance.case, agency=agency)
        if outcome == REASSIGN and refused:
            self.add_error("agency", refused)
        if outcome in (REASSIGN, REOPEN) and "due_on" not in self.errors:
            error = "Enter the new due date" if due_on is None else self._due_date_error(due_on)
            if error:
                self.add_error("due_on", error)
        return cleaned

    def _due_date_error(self, due_on: Any) -> str | None:
        marac = Marac.objects.get(pk=self.marac_id)
        return tracking.new_due_date_error(due_on=due_on, today=timezone.localdate(), working=working_calendar(marac))


class ActionReopenDoneForm(VersionedForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT_MAX,
        label="Why it is reopened",
        help_text="For example: the agency marked the wrong action done. Kept with the action's record.",
        error_messages={"required": "Say why the action is reopened"},
    )

    class Meta:
        model = Action
        fields: list[str] = []


# --- Lists ----------------------------------------------------------------------------------------------------------


def _page(request: HttpRequest, actions: Any) -> Any:
    return Paginator(with_resolutions(actions), 50).get_page(request.GET.get("page"))


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
        # The coordinator records an update an agency sent in (may_update_action): the same links as the agency's.
        "updatable": {action.pk for action in page.object_list if may_update_action(request.user, action)},
    }
    return render(request, "actions/action_index.html", context)


@require_permission("actions.track_actions")
def cannot_complete(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "actions.track_actions")
    page = _page(request, cannot_complete_at_marac(marac_id=marac_id, viewer=request.user))
    _audit_list(marac_id, "Actions that cannot be completed", page)
    closed = list(with_resolutions(not_completed_at_marac(marac_id=marac_id, viewer=request.user))[:20])
    if closed:
        _audit_list(marac_id, "Actions closed as not completed", Paginator(closed, 20).get_page(1))
    marac = Marac.objects.get(pk=marac_id)
    may_resolve = request.user.has_perm(RESOLVE, marac)
    context = {"marac": marac, "page": page, "closed": closed, "may_resolve": may_resolve}
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


@dataclass(frozen=True)
class BackTo:
    """Where a page about one action goes back to, and the words of its link."""

    url: str
    label: str


# Where a page about one action was opened from (?from=), to go back to: the coordinator records agencies' updates
# from the open actions, and anyone may act on an action from its case's page.
_LISTS = {
    "index": ("actions:index", "Back to the open actions"),
    "mine": ("actions:mine", "Back to your agency's actions"),
}


def _from_case(request: HttpRequest, action: Action) -> BackTo | None:
    if request.GET.get("from") != "case":
        return None
    return BackTo(reverse("cases:detail", args=[action.case_id]), f"Back to case {action.case.reference}")


def _back_to(request: HttpRequest, action: Action) -> BackTo:
    from_case = _from_case(request, action)
    if from_case is not None:
        return from_case
    wanted = request.GET.get("from", "")
    if wanted not in _LISTS:
        wanted = "mine" if action.owner_agency_id == _user(request).agency_id else "index"
    name, label = _LISTS[wanted]
    return BackTo(reverse(name), label)


def _audit_action_page(request: HttpRequest, action: Action, what: str) -> None:
    """A page showing one action shows its case's reference too: a reading of the case, with the reason if
    restricted, as any other."""
    audit_record(
        action=AuditAction.VIEW,
        obj=action,
        summary=f"Action {action.pk} on case {action.case_id}: {what}",
        changes=reason_for_audit(request.user, action),
    )


# --- When someone else got there first: the page again, with what they recorded and everything this person typed ---


def _recorded_meanwhile(action: Action) -> str:
    return (
        "Someone else updated this action while you were on this page: its status is now "
        f"{action.get_status_display()}. Nothing has been saved. What you typed is still in the form below, with what "
        "they recorded."
    )


def _form_after_conflict[Form: VersionedForm](
    form_class: type[Form], request: HttpRequest, action: Action, **kwargs: Any
) -> Form:
    """The form as they sent it, on the action as saved now, so nothing they typed is lost. The version is the saved
    one, so the one error shown is what happened (the action is no longer waiting for this), not a second one saying
    it changed; sending it again is refused all the same, by the status."""
    data = request.POST.copy()
    data["version"] = str(action.version)
    form = form_class(data, instance=unsaved_copy(action), **kwargs)
    form.is_valid()
    form.add_error(None, _recorded_meanwhile(action))
    return form


def _still(action: Action, status: str) -> bool:
    """Whether the action still has `status`, read again: a refusal by the service may mean someone else saved."""
    action.refresh_from_db()
    return action.status == status


def _update(request: HttpRequest, pk: int, form_class: type[ActionDoneForm], *, done: bool) -> HttpResponse:
    action = get_action_for_user(user=request.user, pk=pk)
    back_to = _back_to(request, action)
    if request.method != "POST":
        if not tracking.action_is_open(action.status):
            messages.error(request, tracking.ActionNotOpen.message)
            return redirect(back_to.url)
        return _update_page(request, action, form_class(instance=action), done=done, back_to=back_to)
    form = form_class(request.POST, instance=unsaved_copy(action))
    if tracking.action_is_open(action.status) and form.is_valid():
        service = tracking.action_complete if done else _cannot_complete
        try:
            service(action=action, note=form.cleaned_data["completion_note"],
                    based_on_version=form.cleaned_data["version"], by=_user(request))  # fmt: skip
        except tracking.TrackingRefused as refused:
            if _still(action, ActionStatus.OPEN):
                form.add_error(None, str(refused))
        else:
            told = "The coordinator and the chair have been told"
            messages.success(request, "Action marked done" if done else told)
            return redirect(back_to.url)
    if not tracking.action_is_open(action.status):
        form = _form_after_conflict(form_class, request, action)
        return _update_page(request, action, form, done=done, back_to=back_to, conflict=True)
    return _update_page(request, action, form, done=done, back_to=back_to)


def _update_page(
    request: HttpRequest, action: Action, form: ActionDoneForm, *, done: bool, back_to: BackTo, conflict: bool = False
) -> HttpResponse:
    return _action_page(
        request,
        "actions/action_update.html",
        action,
        form,
        what="mark done" if done else "cannot be completed",
        back_to=back_to,
        conflict=conflict,
        title="Mark the action done" if done else "Say the action cannot be completed",
        button="Mark done" if done else "Send to coordinator",
    )


def _action_page(
    request: HttpRequest,
    template: str,
    action: Action,
    form: Any,
    *,
    what: str,
    back_to: BackTo,
    conflict: bool,
    **extra: Any,
) -> HttpResponse:
    """An action's form page, its view audited: 409 where the action moved on since the page was shown, the form
    keeping what was typed beside what was recorded meanwhile."""
    _audit_action_page(request, action, what)
    context = {
        "action": action,
        "form": form,
        "resolutions": resolutions_of(action),
        "back_to": back_to,
        "conflict": conflict,
        **extra,
    }
    return render(request, template, context, status=409 if conflict else 200)


def _cannot_complete(*, action: Action, note: str, based_on_version: int, by: Any) -> Action:
    return tracking.action_cannot_complete(action=action, reason=note, based_on_version=based_on_version, by=by)


@require_permission("actions.update_agency_actions")
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _update(request, pk, ActionDoneForm, done=True)


@require_permission("actions.update_agency_actions")
def action_cannot(request: HttpRequest, pk: int) -> HttpResponse:
    return _update(request, pk, ActionCannotCompleteForm, done=False)


# --- Resolving what an agency cannot complete, and reopening what was marked done by mistake -------------------


@require_permission(RESOLVE)
def action_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_to_manage(user=request.user, pk=pk, permission=RESOLVE)
    back_to = _from_case(request, action) or BackTo(
        reverse("actions:cannot_complete"), "Actions that cannot be completed"
    )
    waiting = ActionStatus.CANNOT_COMPLETE
    if request.method != "POST" and action.status != waiting:
        messages.error(request, tracking.NotAwaitingResolution.message)
        return redirect(back_to.url)
    form = ActionResolveForm(request.POST or None, instance=unsaved_copy(action), marac_id=action.marac_id)
    if request.method == "POST" and action.status == waiting and form.is_valid():
        try:
            _resolve(action, form.cleaned_data, _user(request))
        except tracking.TrackingRefused as refused:
            if _still(action, waiting):
                form.add_error(None, str(refused))
        else:
            messages.success(request, "Resolution recorded")
            return redirect(back_to.url)
    conflict = action.status != waiting
    if conflict:
        form = _form_after_conflict(ActionResolveForm, request, action, marac_id=action.marac_id)
    return _action_page(
        request,
        "actions/action_resolve.html",
        action,
        form,
        what="record a resolution",
        back_to=back_to,
        conflict=conflict,
    )


def _resolve(action: Action, data: dict[str, Any], by: User) -> Action:
    common = {"action": action, "reason": data["reason"], "referred_to_vawg": data["referred_to_vawg"],
              "based_on_version": data["version"], "by": by}  # fmt: skip
    if data["outcome"] == REASSIGN:
        return tracking.action_reassign(owner_agency=data["agency"], due_on=data["due_on"], **common)
    if data["outcome"] == REOPEN:
        return tracking.action_reopen(due_on=data["due_on"], **common)
    return tracking.action_close_not_completed(**common)


@require_permission(REOPEN_DONE)
def action_reopen_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_to_manage(user=request.user, pk=pk, permission=REOPEN_DONE)
    back_to = _from_case(request, action) or BackTo(
        reverse("actions:summary", args=[action.listing.meeting_id]), "Summary of actions"
    )
    if request.method != "POST" and action.status != ActionStatus.DONE:
        messages.error(request, tracking.NotMarkedDone.message)
        return redirect(back_to.url)
    form = ActionReopenDoneForm(request.POST or None, instance=unsaved_copy(action))
    if request.method == "POST" and action.status == ActionStatus.DONE and form.is_valid():
        try:
            tracking.action_reopen_done(action=action, reason=form.cleaned_data["reason"],
                                        based_on_version=form.cleaned_data["version"], by=_user(request))  # fmt: skip
        except tracking.TrackingRefused as refused:
            if _still(action, ActionStatus.DONE):
                form.add_error(None, str(refused))
        else:
            messages.success(request, "Action reopened")
            return redirect(back_to.url)
    conflict = action.status != ActionStatus.DONE
    if conflict:
        form = _form_after_conflict(ActionReopenDoneForm, request, action)
    return _action_page(
        request, "actions/action_reopen_done.html", action, form, what="reopen", back_to=back_to, conflict=conflict
    )


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
        "may_reopen_done": request.user.has_perm(REOPEN_DONE, meeting),
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
        content, content_type = (
            documents.action_summary_docx(meeting=meeting, cases=cases, viewer=request.user),
            DOCX_CONTENT_TYPE,
        )
    else:
        content, content_type = (
            documents.action_summary_pdf(meeting=meeting, cases=cases, viewer=request.user),
            PDF_CONTENT_TYPE,
        )
    summary = f"Summary of actions for meeting {meeting.pk} downloaded as {kind}"
    with transaction.atomic():
        audit_record(action=AuditAction.EXPORT, obj=meeting, summary=f"{summary}: {len(cases)} cases")
        audit_cases_seen(
            case_ids=[summary_case.listing.case_id for summary_case in cases],
            action=AuditAction.EXPORT,
            summary=summary,
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
