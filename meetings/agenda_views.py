"""Meetings, each meeting's agenda, and its case list. Thin: every meeting comes through the gate in agenda_services,
and every change through one of its services."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import defaultfilters as filters
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.permissions import roles_at
from audit.models import AuditAction
from audit.services import audit_cases_seen, audit_view
from marac.models import Marac
from meetings import agenda, agenda_services
from meetings.agenda_services import AgendaRefused, get_listing_for_user, get_meeting_for_user
from meetings.case_list_document import COLUMNS, CaseListRow, case_list_document
from meetings.models import Listing, ListingKind, Meeting, MeetingStatus
from referrals.calendar import format_moment
from referrals.decision_forms import EmergencyMeetingForm
from web import once
from web.access import current_marac_where, require_permission
from web.widget_html import escaped

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, help_text=help_text, error_messages={"required": message}
    )


class InformationOnlyForm(forms.Form):
    referrer_view = forms.CharField(
        label="What the referrer or referring agency said",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The decision is made with the referrer. Record their view, and who gave it.",
        error_messages={"required": "Record what the referrer said"},
    )
    referrer_agrees = _yes_no(
        "Does the referrer agree with listing the case for information only?", "Select whether the referrer agrees"
    )
    vulnerable_adult = _yes_no(
        "Is a vulnerable adult involved?",
        "Select yes if a vulnerable adult is involved, or no if not",
        help_text="As defined by adult social care.",
    )
    specific_actions_requested = _yes_no(
        "Did the referrer identify or ask for specific actions?",
        "Select yes if the referrer identified or asked for specific actions, or no if they did not",
    )


class HoldOverForm(forms.Form):
    reason = forms.CharField(
        label="Why the case is held over",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the case at the next meeting. Do not write personal details here.",
        error_messages={"required": "Say why the case is held over"},
    )


class TakeOffAgendaForm(forms.Form):
    reason = forms.CharField(
        label="Why the case is taken off the agenda",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the victim has moved away for good and the case is to be referred to their new "
        "MARAC. Kept in the case's history. Do not write personal details here.",
        error_messages={"required": "Say why the case is taken off the agenda"},
    )


@require_permission("meetings.view_agenda")
def meeting_list(request: HttpRequest) -> HttpResponse:
    marac = Marac.objects.get(pk=current_marac_where(request, "meetings.view_agenda"))
    upcoming, past = agenda_services.meetings_of_marac(marac=marac)
    return render(
        request,
        "meetings/agenda_meeting_list.html",
        {
            "marac": marac,
            "upcoming": upcoming,
            "past": past,
            "can_manage": request.user.has_perm("meetings.manage_agenda", marac),
        },
    )


@require_permission("meetings.manage_agenda")
def emergency_new(request: HttpRequest) -> HttpResponse:
    marac = Marac.objects.get(pk=current_marac_where(request, "meetings.manage_agenda"))
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice (a double click): called once, and the second goes to the meeting it called
    form = once.with_token(EmergencyMeetingForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = agenda_services.meeting_call_emergency(
                marac=marac,
                starts_at=form.cleaned_data["starts_at"],
                by=request.user,
                non_working_day_confirmed=form.confirms_its_day(),
            )
        except agenda_services.EmergencyDayNeedsConfirming as asked:
            context = {"marac": marac, "form": form, "warning": str(asked), "confirmed_day": form.confirmed_day()}
            return render(request, "meetings/agenda_emergency_form.html", context)
        except AgendaRefused as refused:
            form.add_error("day", " ".join(refused.reasons))
        else:
            messages.success(request, f"Emergency MARAC called for {format_moment(meeting.starts_at)}")
            return once.done(request, reverse("meetings_agenda:detail", args=[meeting.pk]))
    return render(request, "meetings/agenda_emergency_form.html", {"marac": marac, "form": form})


def _entries(request: HttpRequest, meeting: Meeting, meeting_agenda: agenda_services.Agenda | None) -> list[Any]:
    """Each slot with its number and the side of the information-only decision this user may still agree for."""
    if meeting_agenda is None:
        return []
    roles = roles_at(request.user, meeting.marac_id)
    entries = []
    for number, slot in enumerate(meeting_agenda.slots, start=1):
        listing = slot.item.listing
        capacity = agenda.information_only_capacity(
            roles=roles,
            user_id=request.user.pk or 0,
            chair_id=listing.information_only_decided_by_chair_id,
            coordinator_id=listing.information_only_decided_by_coordinator_id,
        )
        entries.append({"number": number, "slot": slot, "row": slot.item, "listing": listing, "capacity": capacity})
    return entries


@require_permission("meetings.view_agenda")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk)
    visible = agenda_services.may_see_case_list(user=request.user, meeting=meeting)
    meeting_agenda = agenda_services.meeting_agenda(meeting=meeting, viewer=request.user) if visible else None
    if meeting_agenda is not None:
        # The agenda names every listed case's victim and children, so reading it is recorded as the case list is.
        # Not agenda_services.case_list_opened: a receipt says its recipient opened the list they were sent (the
        # case list page the email links to), which reading this page is not.
        with transaction.atomic():
            audit_view(meeting, user=request.user, summary="Viewed the agenda")
            audit_cases_seen(
                case_ids=agenda_services.case_ids_on(meeting_agenda),
                action=AuditAction.VIEW,
                summary=f"Seen on the agenda of meeting {meeting.pk}",
            )
    release_time = agenda_services.case_list_release_time(meeting)
    state = agenda_services.meeting_state_if_any(meeting)
    can_release = request.user.has_perm("meetings.release_case_list", meeting)
    additions = None
    if can_release and state is not None and state.case_list_released_at and state.status != MeetingStatus.CLOSED:
        additions = agenda_services.case_list_additions(meeting=meeting, viewer=request.user)
    return render(
        request,
        "meetings/agenda_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting_agenda,
            "visible": visible,
            "state": state,
            "release_time": release_time,
            "release_due": agenda_services.case_list_is_due(meeting=meeting, now=timezone.now()),
            "can_manage": request.user.has_perm("meetings.manage_agenda", meeting),
            "can_release": can_release,
            "still_to_start": meeting.starts_at > timezone.now()
            and (state is None or state.status == MeetingStatus.SCHEDULED),
            "additions": additions,
            "entries": _entries(request, meeting, meeting_agenda),
            "information_only": ListingKind.INFORMATION_ONLY,
        },
    )


def _listing(request: HttpRequest, pk: int, listing_pk: int) -> Listing:
    return get_listing_for_user(
        user=request.user, meeting_pk=pk, listing_pk=listing_pk, permission="meetings.manage_agenda"
    )


def _post_only(request: HttpRequest) -> None:
    if request.method != "POST":
        raise Http404


def _refused(request: HttpRequest, refused: AgendaRefused) -> None:
    messages.error(request, " ".join(refused.reasons))


@require_permission("meetings.manage_agenda")
def bring_forward(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    _post_only(request)
    try:
        agenda_services.listing_bring_forward(listing=listing, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        messages.success(request, f"Case {listing.case.reference} brought forward")
    return redirect("meetings_agenda:detail", pk=pk)


@require_permission("meetings.manage_agenda")
def send_back(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    _post_only(request)
    try:
        agenda_services.listing_send_back(listing=listing, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        messages.success(request, f"Case {listing.case.reference} returned to its place on the agenda")
    return redirect("meetings_agenda:detail", pk=pk)


def _information_only_answers(listing: Listing) -> dict[str, Any]:
    """What has been answered before, and nothing more: no radio is chosen for the user (GOV.UK radios). A vulnerable
    adult and specific actions each rule information only out (BD Cases for information only), so a "no" stands only
    once someone has given it. The answers were given when the referrer's view was recorded with them; a referral
    that asked for actions is a "yes" from the start."""
    answered = bool(listing.referrer_view)

    def yes_no(value: bool) -> str | None:
        return "yes" if value else ("no" if answered else None)

    return {
        "referrer_view": listing.referrer_view,
        "referrer_agrees": "no" if listing.referrer_disagrees else ("yes" if answered else None),
        "vulnerable_adult": yes_no(listing.vulnerable_adult),
        "specific_actions_requested": yes_no(listing.specific_actions_requested),
    }


@require_permission("meetings.manage_agenda")
def information_only(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    form = InformationOnlyForm(request.POST or None, initial=_information_only_answers(listing))
    refusals: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            refusals = agenda_services.listing_propose_information_only(
                listing=listing,
                referrer_view=form.cleaned_data["referrer_view"],
                referrer_disagrees=form.cleaned_data["referrer_agrees"] == "no",
                vulnerable_adult=form.cleaned_data["vulnerable_adult"] == "yes",
                specific_actions_requested=form.cleaned_data["specific_actions_requested"] == "yes",
                by=request.user,
            )
        except AgendaRefused as refused:
            refusals = refused.reasons
        if not refusals:
            messages.success(
                request, f"Your agreement to list case {listing.case.reference} for information only is recorded"
            )
            return redirect("meetings_agenda:detail", pk=pk)
    return render(
        request, "meetings/agenda_information_only.html", {"listing": listing, "form": form, "refusals": refusals}
    )


@require_permission("meetings.manage_agenda")
def information_only_agree(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    _post_only(request)
    try:
        listing = agenda_services.listing_agree_information_only(listing=listing, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        done = listing.kind == ListingKind.INFORMATION_ONLY
        messages.success(
            request,
            f"Case {listing.case.reference} is listed for information only"
            if done
            else "Your agreement is recorded; the listing changes once the chair and the coordinator have both agreed",
        )
    return redirect("meetings_agenda:detail", pk=pk)


@require_permission("meetings.manage_agenda")
def recheck(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    _post_only(request)
    try:
        reasons = agenda_services.listing_recheck_information_only(listing=listing, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        reference = listing.case.reference
        if reasons:
            messages.success(request, f"Case {reference} moved back to a full case: {' '.join(reasons)}")
        else:
            messages.success(request, f"Case {reference} may stay as it is listed")
    return redirect("meetings_agenda:detail", pk=pk)


@require_permission("meetings.manage_agenda")
def hold_over(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice (a double click): held over once, and the second goes where the first went
    form = once.with_token(HoldOverForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            held = agenda_services.listing_hold_over(
                listing=listing, reason=form.cleaned_data["reason"], by=request.user
            )
        except AgendaRefused as refused:
            form.add_error(None, " ".join(refused.reasons))
        else:
            when = format_moment(held.meeting.starts_at)
            messages.success(request, f"Case {listing.case.reference} held over to the meeting at {when}")
            return once.done(request, reverse("meetings_agenda:detail", args=[pk]))
    return render(request, "meetings/agenda_hold_over.html", {"listing": listing, "form": form})


@require_permission("meetings.manage_agenda")
def take_off_agenda(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk)
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice (a double click): taken off once, and the second goes where the first went
    form = once.with_token(TakeOffAgendaForm(request.POST or None))
    refusal = agenda_services.listing_removal_refusal(listing)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_services.listing_take_off_agenda(
                listing=listing, reason=form.cleaned_data["reason"], by=request.user
            )
        except AgendaRefused as refused:
            refusal = " ".join(refused.reasons)
        else:
            messages.success(request, f"Case {listing.case.reference} taken off the agenda")
            return once.done(request, reverse("meetings_agenda:detail", args=[pk]))
    context = {
        "listing": listing,
        "form": form,
        "refusal": refusal,
        "released": agenda_services.case_list_released(listing.meeting),
    }
    return render(request, "meetings/agenda_take_off.html", context)


@require_permission("meetings.release_case_list")
def release(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.release_case_list")
    _post_only(request)
    try:
        made = agenda_services.case_list_release(meeting=meeting, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        if made:
            messages.success(request, f"Case list sent to {_representatives(len(made))}")
        else:
            messages.info(request, "There was nobody to send the case list to: every representative has had it.")
    return redirect("meetings_agenda:detail", pk=pk)


def _representatives(count: int) -> str:
    return f"{count} representative{'' if count == 1 else 's'}"


@require_permission("meetings.release_case_list")
def send_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.release_case_list")
    _post_only(request)
    try:
        sent = agenda_services.case_list_send_update(meeting=meeting, by=request.user)
    except AgendaRefused as refused:
        _refused(request, refused)
    else:
        if sent:
            messages.success(request, f"The updated case list was sent to {_representatives(len(sent))}")
        else:
            messages.info(request, "There was nobody to send the updated case list to: everyone has had it.")
    return redirect("meetings_agenda:detail", pk=pk)


def _visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_meeting_for_user(user=request.user, pk=pk)
    if not agenda_services.may_see_case_list(user=request.user, meeting=meeting):
        raise Http404
    return meeting


def _cell(value: Any) -> str:
    # format_html('<td ...>{}</td>', value) without its overhead (two hundred cells a page).
    return f'\n    <td class="govuk-table__cell">{escaped(value)}</td>'


def _case_list_row_html(row: CaseListRow) -> SafeString:
    """One row of the case list table. Written out here rather than in the template: a full meeting's list is
    two dozen rows of nine cells, which cost the template engine more than everything else on the page (the
    filters are Django's own, so the text is what the template gave)."""
    victim = conditional_escape(row.victim_name)
    if row.victim_date_of_birth:
        victim = format_html("{}, {}", victim, filters.date(row.victim_date_of_birth, "d/m/Y"))
    children = format_html_join(
        "", "{}{}<br>", ((name, "" if age is None else f" ({age})") for name, age in row.children)
    )
    cells = [
        row.number,
        row.reference,
        victim,
        filters.join(row.perpetrators, ", ", autoescape=True) or "None recorded",
        children or "None",
        row.referring_agency,
        filters.yesno(row.repeat, "Y,N"),
        filters.yesno(row.information_only, "Information only,Full"),
        filters.time(timezone.localtime(row.slot_starts_at), "H:i"),
    ]
    html = "".join(_cell(cell) for cell in cells)
    return mark_safe(f'<tr class="govuk-table__row">{html}\n  </tr>')  # noqa: S308 - every part escaped above


@require_permission("meetings.view_agenda")
def case_list(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    agenda = agenda_services.meeting_agenda(meeting=meeting, viewer=request.user, with_held_over=False)
    rows = agenda_services.case_list_rows(agenda)
    agenda_services.case_list_opened(meeting=meeting, user=request.user, case_ids=agenda_services.case_ids_on(agenda))
    context: dict[str, Any] = {
        "meeting": meeting,
        "rows": [_case_list_row_html(row) for row in rows],
        "columns": COLUMNS,
    }
    if request.user.has_perm("meetings.release_case_list", meeting):
        context["receipts"] = agenda_services.case_list_receipts(meeting=meeting)
    return render(request, "meetings/agenda_case_list.html", context)


@require_permission("meetings.view_agenda")
def case_list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    agenda = agenda_services.meeting_agenda(meeting=meeting, viewer=request.user)
    rows = agenda_services.case_list_rows(agenda)
    content = case_list_document(
        marac_name=meeting.marac.name,
        meeting_starts_at=timezone.localtime(meeting.starts_at),
        rows=rows,
        is_emergency=meeting.is_emergency,
    )
    agenda_services.case_list_opened(
        meeting=meeting, user=request.user, case_ids=agenda_services.case_ids_on(agenda), as_document=True
    )
    response = HttpResponse(content, content_type=DOCX)
    filename = f"case-list-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
