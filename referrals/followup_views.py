"""Pages for the follow-up of an accepted referral: the IDVA panel and the children's services panel of the case page,
the forms they post to, and the coordinator's and IDVAs' lists. Every case is reached through the case gate."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case
from cases.selectors import get_case_for_user
from marac.models import Marac
from referrals import followup, jurisdiction
from referrals.models import ChildrenNotification, ContactAttempt, IdvaAllocation
from web import once
from web.access import current_marac_where, require_permission

# --- Forms ----------------------------------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class _SeenVersion(forms.Form):
    """Carries the version of the allocation the user saw, so a change made meanwhile by someone else is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allocation: IdvaAllocation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allocation = allocation
        self.fields["version"].initial = allocation.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "version" in cleaned and cleaned["version"] != self.allocation.version:
            raise forms.ValidationError(followup.StaleRecord.message)
        return cleaned


class IdvaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name}, {obj.agency}" if obj.agency_id else str(obj.full_name)


class AllocateForm(_SeenVersion):
    idva = IdvaChoiceField(
        queryset=User.objects.none(),
        label="IDVA",
        empty_label="Choose an IDVA",
        help_text="Everyone who holds the IDVA role at this MARAC.",
        error_messages={
            "required": "Choose the IDVA to allocate",
            "invalid_choice": followup.NotAnIdvaHere.message,
        },
    )

    def __init__(self, *args: Any, allocation: IdvaAllocation, **kwargs: Any) -> None:
        super().__init__(*args, allocation=allocation, **kwargs)
        self.fields["idva"].queryset = followup.idvas_at(marac_id=allocation.case.marac_id)  # type: ignore[attr-defined]
        self.fields["idva"].initial = allocation.idva_id


class DeclineForm(_SeenVersion):
    confirm = forms.BooleanField(
        label="The victim has declined the IDVA service",
        help_text="The referrer then becomes responsible for feedback to the victim after the meeting.",
        error_messages={"required": "Confirm that the victim declined the IDVA service"},
    )


class ContactAttemptForm(forms.Form):
    attempted_at = forms.DateTimeField(
        label="When",
        widget=DateTimeLocalInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="For example 27/3/2026 14:30",
        error_messages={
            "required": "Enter when the contact was attempted",
            "invalid": "Enter a real date and time, for example 27/3/2026 14:30",
        },
    )
    method = forms.ChoiceField(
        label="How",
        choices=ContactAttempt._meta.get_field("method").choices or [],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how contact was attempted"},
    )
    succeeded = forms.ChoiceField(
        label="Did you speak to the victim?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you spoke to the victim"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the coordinator and IDVAs at this MARAC.",
        error_messages={"max_length": "This must be 500 characters or fewer"},
    )

    def __init__(self, *args: Any, referral_date: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral_date = referral_date

    def clean_attempted_at(self) -> datetime:
        attempted_at: datetime = self.cleaned_data["attempted_at"]
        problem = followup.contact_attempt_date_problem(
            attempted_on=timezone.localdate(attempted_at), referral_date=self.referral_date, today=timezone.localdate()
        )
        if problem:
            raise forms.ValidationError(problem)
        if attempted_at > timezone.now() + timedelta(minutes=5):  # later today; a few minutes allow for clocks
            raise forms.ValidationError("The time of the attempt must be now or in the past")
        return attempted_at


# --- The panels of the case page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdvaPanel:
    allocation: IdvaAllocation | None
    clock: followup.IdvaClock | None
    attempts: list[ContactAttempt]
    can_manage: bool
    allocate_form: AllocateForm | None
    contact_form: ContactAttemptForm | None
    decline_form: DeclineForm | None
    case_worked: bool
    # The contact form's one-time token (web/once.py), in a field of its own: the form's fields carry its prefix.
    contact_once: str = ""


@dataclass(frozen=True)
class ChildrenPanel:
    notification: ChildrenNotification | None
    chase_due: bool
    can_confirm: bool
    # The case went to another MARAC (referrals.jurisdiction): it tells and chases its own children's services.
    sent_away: bool = False
    sent_to: jurisdiction.SentTo | None = None


def _clock(allocation: IdvaAllocation) -> followup.IdvaClock:
    return followup.idva_clock(
        due_by=allocation.due_by,
        allocated_at=allocation.allocated_at,
        declined=allocation.declined_by_victim,
        now=timezone.now(),
        case_status=allocation.case.status,
    )


def _idva_panel(request: HttpRequest, allocation: IdvaAllocation | None) -> IdvaPanel:
    if allocation is None:
        return IdvaPanel(None, None, [], False, None, None, None, True)
    worked = followup.case_is_worked(allocation.case.status)
    can_manage = followup.may_manage_idva(request.user, allocation)
    manage = can_manage and worked and not allocation.declined_by_victim
    return IdvaPanel(
        allocation=allocation,
        clock=_clock(allocation),
        attempts=list(allocation.contact_attempts.select_related("by")),
        can_manage=can_manage,
        allocate_form=AllocateForm(allocation=allocation, prefix="allocate") if manage else None,
        contact_form=ContactAttemptForm(
            prefix="contact", initial={"attempted_at": timezone.localtime()}, referral_date=allocation.case.referred_on
        )
        if can_manage and worked
        else None,
        decline_form=DeclineForm(allocation=allocation, prefix="decline") if manage else None,
        case_worked=worked,
        contact_once=once.new_token(),
    )


def _children_panel(request: HttpRequest, notification: ChildrenNotification | None) -> ChildrenPanel:
    if notification is None:
        return ChildrenPanel(None, False, False)
    confirmed = notification.confirmed_at is not None
    sent_to = None if confirmed else jurisdiction.sent_to_of(notification.case)
    sent_away = jurisdiction.case_is_sent_away(status=notification.case.status, sent_to=sent_to)
    return ChildrenPanel(
        notification=notification,
        chase_due=followup.children_chase_is_due(
            chase_due_on=notification.chase_due_on, confirmed=confirmed, today=timezone.localdate(), sent_away=sent_away
        ),
        # A confirmation that comes late is still recorded: it is a fact about this MARAC's notification.
        can_confirm=not confirmed and followup.may_confirm_children_notification(request.user, notification),
        sent_away=sent_away,
        sent_to=sent_to,
    )


def _followups_of(case: Case) -> tuple[IdvaAllocation | None, ChildrenNotification | None]:
    """The case's IDVA allocation and children's services notification (one of each at most), in one query."""
    related = ("idva_allocation__idva__agency", "children_notification__confirmed_by")
    row = Case.objects.filter(pk=case.pk).select_related(*related).get()
    allocation = getattr(row, "idva_allocation", None)
    notification = getattr(row, "children_notification", None)
    for found in (allocation, notification):
        if found is not None:
            found.case = case  # the case already through the gate, not the narrow row read here
    return allocation, notification


def followup_panels(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Context for the case page: the case has already been through the gate."""
    allocation, notification = _followups_of(case)
    return {"idva_panel": _idva_panel(request, allocation), "children_panel": _children_panel(request, notification)}


# --- Writes from the case page ---------------------------------------------------------------------------------------


def _allocation_for(request: HttpRequest, case_pk: int) -> IdvaAllocation:
    case = get_case_for_user(user=request.user, pk=case_pk)
    allocation = IdvaAllocation.objects.filter(case=case).select_related("case", "idva").first()
    if allocation is None or not followup.may_manage_idva(request.user, allocation):
        raise Http404
    return allocation


def _finished_case(request: HttpRequest, allocation: IdvaAllocation) -> HttpResponse | None:
    """Back to the case page, saying why, when the case is closed: its IDVA forms are not offered there either."""
    if followup.case_is_worked(allocation.case.status):
        return None
    messages.error(request, followup.CaseFinished.message)
    return _back_to_case(allocation.case.pk, "idva")


def _back_to_case(case_pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case_pk]) + f"#{anchor}")


def _form_page(
    request: HttpRequest, case: Case, form: forms.Form, title: str, button: str, *, once_token: str = ""
) -> HttpResponse:
    context = {"case": case, "form": form, "title": title, "button": button, "once_token": once_token}
    return render(request, "referrals/followup_form.html", context)


@require_permission("referrals.manage_idva")
def idva_allocate(request: HttpRequest, case_pk: int) -> HttpResponse:
    allocation = _allocation_for(request, case_pk)
    if finished := _finished_case(request, allocation):
        return finished
    if allocation.declined_by_victim:
        messages.error(request, followup.VictimDeclined.message)
        return _back_to_case(case_pk, "idva")
    form = AllocateForm(request.POST or None, allocation=allocation, prefix="allocate")
    if request.method == "POST" and form.is_valid():
        try:
            followup.idva_allocate(allocation=allocation, idva=form.cleaned_data["idva"], by=request.user)
        except followup.FollowupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{form.cleaned_data['idva'].full_name} allocated as IDVA")
            return _back_to_case(case_pk, "idva")
    return _form_page(request, allocation.case, form, "Allocate an IDVA", "Allocate")


@require_permission("referrals.manage_idva")
def idva_contact(request: HttpRequest, case_pk: int) -> HttpResponse:
    allocation = _allocation_for(request, case_pk)
    if finished := _finished_case(request, allocation):
        return finished
    # Sent twice (no JavaScript to stop a second click), one attempt: a second would be counted as another try.
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again
    initial = {"attempted_at": timezone.localtime()}
    form = ContactAttemptForm(
        request.POST or None,
        prefix="contact",
        initial=initial,
        referral_date=followup.referral_date_of(allocation.case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup.contact_attempt_record(
                allocation=allocation,
                attempted_at=form.cleaned_data["attempted_at"],
                method=form.cleaned_data["method"],
                succeeded=form.cleaned_data["succeeded"] == "yes",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except followup.FollowupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Contact attempt logged")
            return once.done(request, reverse("cases:detail", args=[case_pk]) + "#idva")
    # A form with errors keeps the token it was sent with, so correcting it and sending it still logs it once.
    token = request.POST.get(once.FIELD, "") if request.method == "POST" else once.new_token()
    return _form_page(request, allocation.case, form, "Log a contact attempt", "Log attempt", once_token=token)


@require_permission("referrals.manage_idva")
def idva_declined(request: HttpRequest, case_pk: int) -> HttpResponse:
    allocation = _allocation_for(request, case_pk)
    if finished := _finished_case(request, allocation):
        return finished
    form = DeclineForm(request.POST or None, allocation=allocation, prefix="decline")
    if request.method == "POST" and form.is_valid():
        try:
            followup.idva_declined(allocation=allocation, by=request.user)
        except followup.FollowupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Recorded that the victim declined the IDVA service")
            return _back_to_case(case_pk, "idva")
    return _form_page(request, allocation.case, form, "Victim declined the IDVA service", "Record that they declined")


@require_permission("referrals.confirm_children_notification")
def children_confirm(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for_user(user=request.user, pk=case_pk)
    notification = ChildrenNotification.objects.filter(case=case).select_related("case").first()
    if notification is None or not followup.may_confirm_children_notification(request.user, notification):
        raise Http404
    if request.method == "POST":
        try:
            followup.children_notification_confirm(notification=notification, by=request.user)
        except followup.FollowupRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Recorded that children's social care confirmed the notification")
    return _back_to_case(case_pk, "childrens-services")


# --- Lists ------------------------------------------------------------------------------------------------------------


@require_permission("referrals.manage_idva")
def idva_allocations(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "referrals.manage_idva")
    allocations = followup.allocations_at_marac(user=request.user, marac_id=marac_id, now=timezone.now())
    page = Paginator(allocations, 50).get_page(request.GET.get("page"))
    audit_record(
        action=AuditAction.VIEW,
        object_type="referrals.idvaallocation",
        marac_id=marac_id,
        summary=f"IDVA allocations page {page.number}: {len(page.object_list)} allocations",
    )
    return render(
        request,
        "referrals/idva_allocations.html",
        {
            "marac": Marac.objects.get(pk=marac_id),
            "page": page,
            "rows": [(allocation, _clock(allocation)) for allocation in page.object_list],
        },
    )


@require_permission("referrals.chase_children_notifications")
def children_notifications(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "referrals.chase_children_notifications")
    notifications = followup.unconfirmed_notifications_at_marac(user=request.user, marac_id=marac_id)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    audit_record(
        action=AuditAction.VIEW,
        object_type="referrals.childrennotification",
        marac_id=marac_id,
        summary=f"Unconfirmed children's services notifications page {page.number}: {len(page.object_list)}",
    )
    today = timezone.localdate()
    rows = [
        (
            notification,
            # The list holds no case sent to another MARAC (unconfirmed_notifications_at_marac).
            followup.children_chase_is_due(
                chase_due_on=notification.chase_due_on, confirmed=False, today=today, sent_away=False
            ),
        )
        for notification in page.object_list
    ]
    return render(
        request,
        "referrals/children_notifications.html",
        {"marac": Marac.objects.get(pk=marac_id), "page": page, "rows": rows},
    )
