"""The register, the confidentiality agreement and live meeting mode. Thin: parse, call a live service, render.

Meetings and listings are reached only through the agenda's gates (404 outside the MARAC), and every live page
sends anyone who has not signed this meeting's confidentiality agreement to sign it before showing any case."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from actions.models import Action
from actions.services import AgencyNotNamedOnCase, NotThisMaracsAgency, agency_not_named_on_case
from cases.selectors import case_through_gate
from meetings import live_rules, minutes_services
from meetings import live_services as live
from meetings.agenda_services import get_listing_for_user, get_meeting_for_user, may_see_case_list
from meetings.confidentiality import has_signed, sign_first
from meetings.live_forms import (
    ActionForm,
    AttendanceForm,
    CloseForm,
    MinuteForm,
    ObserverForm,
    OutcomeForm,
    ProcessLinkForm,
)
from meetings.minutes_forms import form_after_conflict
from meetings.models import AgreementAfterClose, Attendance, Listing, Meeting, MeetingState, MeetingStatus
from meetings.research_selectors import research_summary
from web import once
from web.access import require_permission


def _state(meeting: Meeting) -> MeetingState:
    # The pages read the state the meeting gate joined in; a meeting without one yet gets it made.
    state = getattr(meeting, "state", None) if Meeting.state.is_cached(meeting) else None
    return state if state is not None else live.state_of(meeting)


def _listing(request: HttpRequest, pk: int, listing_pk: int, permission: str) -> Listing:
    return get_listing_for_user(user=request.user, meeting_pk=pk, listing_pk=listing_pk, permission=permission)


def _read_only(request: HttpRequest, listing: Listing) -> HttpResponseRedirect | None:
    """A closed meeting's case page is read-only: the post is refused, with the reason, before its form is even read
    (the services refuse it again under the meeting's lock, for a close that lands while the post is on its way)."""
    if not live_rules.meeting_is_closed(_state(listing.meeting).status):
        return None
    return _refused(request, listing, live_rules.CLOSED_MEETING_REFUSAL)


def _not_open(request: HttpRequest, listing: Listing) -> HttpResponseRedirect | None:
    """The meeting's record (a minute, an action, a link, an outcome) is written only while the meeting runs: before
    it starts, as once it has closed, the post is refused with the reason before its form is read (the services
    refuse it again under the meeting's lock, for a start or a close that lands while the post is on its way)."""
    if closed := _read_only(request, listing):
        return closed
    if live.meeting_is_running(_state(listing.meeting)):
        return None
    return _refused(request, listing, live_rules.NOT_STARTED_REFUSAL)


def _core_warning(meeting: Meeting, state: MeetingState) -> str:
    """The core agencies no one came for, in the present tense while the meeting may still be joined, in the past
    tense once it has closed."""
    return live_rules.core_agency_warning(
        live.core_agencies_missing(meeting), closed=live_rules.meeting_is_closed(state.status)
    )


def _standard_actions_unseen(listing: Listing, actions: list[Action]) -> list[Action]:
    """A restricted case's standard actions owned by an agency with no one named on the case: made automatically when
    the case was opened, so not refused as one given by hand is (agency_not_named_on_case), but that agency would never
    see them nor be chased for them. Read at each showing, so the warning goes once someone is named or the action
    passed on."""
    if not listing.case.restricted:
        return []
    unseen: dict[int, bool] = {}
    for action in actions:
        if action.is_standard and action.owner_agency_id not in unseen:
            refused = agency_not_named_on_case(case=listing.case, agency=action.owner_agency)
            unseen[action.owner_agency_id] = refused is not None
    return [action for action in actions if action.is_standard and unseen[action.owner_agency_id]]


def _refused(request: HttpRequest, listing: Listing, message: str) -> HttpResponseRedirect:
    messages.error(request, message)
    return redirect("meetings_live:listing", pk=listing.meeting_id, listing_pk=listing.pk)


# --- The register ---------------------------------------------------------------------------------------------------


@require_permission("meetings.manage_attendance")
def register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.manage_attendance")
    form = AttendanceForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            live.attendance_record(meeting=meeting, by=request.user, **form.cleaned_data)
        except live.LiveRefused as refused:  # someone added them since the form was checked
            form.add_error("user", str(refused))
        else:
            messages.success(request, "Added to the register")
            return redirect("meetings_live:register", pk=meeting.pk)
    return _render_register(request, meeting, form, ObserverForm())


def _render_register(
    request: HttpRequest, meeting: Meeting, form: AttendanceForm, observer_form: ObserverForm
) -> HttpResponse:
    state = live.state_of(meeting)
    return render(
        request,
        "meetings/register_detail.html",
        {
            "meeting": meeting,
            "rows": live.register_lines(meeting),
            "observers": live.observers(meeting),
            "form": form,
            # The register view's fresh observer form gets its token here; a posted one keeps the token it came with.
            "observer_form": observer_form if once.FIELD in observer_form.fields else once.with_token(observer_form),
            "core_warning": _core_warning(meeting, state),
            "state": state,
            "read_after_close": live.agreements_after_close(meeting),
        },
    )


@require_permission("meetings.manage_attendance")
@require_POST
def register_observer(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.manage_attendance")
    # Sent twice (no JavaScript to stop a second click), the observer is agreed once: they count towards the limit.
    if (again := once.already_done(request)) is not None:
        return again
    form = once.with_token(ObserverForm(request.POST))
    if form.is_valid():
        try:
            live.observer_add(
                meeting=meeting,
                name=form.cleaned_data["observer_name"],
                organisation=form.cleaned_data["observer_organisation"],
                by=request.user,
            )
        except live.LiveRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Observer agreed and added to the register")
            return once.done(request, reverse("meetings_live:register", args=[meeting.pk]))
    return _render_register(request, meeting, AttendanceForm(meeting=meeting), form)


@require_permission("meetings.manage_attendance")
@require_POST
def register_observer_remove(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    """An observer agreed in error is taken off the register, before the meeting starts."""
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.manage_attendance")
    row = Attendance.objects.filter(pk=attendance_pk, meeting=meeting).first()
    if row is None:  # removed already: the button sent twice, or from a page left open
        messages.info(request, "That observer had already been removed")
        return redirect("meetings_live:register", pk=pk)
    try:
        live.observer_remove(attendance=row, by=request.user)
    except live.LiveRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Observer removed from the register")
    return redirect("meetings_live:register", pk=pk)


def _register_row(request: HttpRequest, pk: int, attendance_pk: int) -> Attendance:
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.manage_attendance")
    return get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting)


@require_permission("meetings.manage_attendance")
@require_POST
def register_observer_signed(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    row = _register_row(request, pk, attendance_pk)
    try:
        live.observer_signature_record(attendance=row, by=request.user)
    except live.LiveRefused:
        raise Http404 from None
    messages.success(request, "Recorded that the observer signed the confidentiality agreement")
    return redirect("meetings_live:register", pk=pk)


@require_permission("meetings.manage_attendance")
@require_POST
def register_mark(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    row = _register_row(request, pk, attendance_pk)
    live.attendance_mark(attendance=row, present=request.POST.get("present") == "yes", by=request.user)
    return redirect("meetings_live:register", pk=pk)


# --- The confidentiality agreement ----------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, meeting: Meeting) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/meetings/{meeting.pk}/"
    # Only back into this meeting's own pages, never to another site.
    return wanted if wanted.startswith(prefix) else reverse("meetings_live:live", args=[meeting.pk])


_SIGNED = "You have signed the confidentiality agreement for this meeting"
_SIGNED_AFTER_CLOSE = (
    "You have signed the confidentiality agreement for this meeting. You can read its minutes; you have not been "
    "added to its register."
)


@require_permission("meetings.view_agenda")
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            signature = live.confidentiality_sign(meeting=meeting, user=request.user)
        except live.LiveRefused:
            raise Http404 from None
        messages.success(request, _SIGNED_AFTER_CLOSE if isinstance(signature, AgreementAfterClose) else _SIGNED)
        return redirect(_safe_next(request, meeting))
    # After the close, signing lets them read the meeting and leaves its register as it was (live_services): the page
    # says so before they sign.
    closed = live_rules.meeting_is_closed(_state(meeting).status)
    context = {"meeting": meeting, "signed": has_signed(user=request.user, meeting=meeting), "closed": closed}
    return render(request, "meetings/live_sign.html", context | {"next": _safe_next(request, meeting)})


# --- Live meeting mode ----------------------------------------------------------------------------------------------


@require_permission("meetings.view_agenda")
def live_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(user=request.user, pk=pk)
    if not may_see_case_list(user=request.user, meeting=meeting):  # its cases, before the list is out
        raise Http404
    if refused := sign_first(request, meeting):
        return refused
    listings = live.listings_in_order(meeting, viewer=request.user)
    current = next((listing for listing in listings if listing.started_at and not listing.ended_at), None)
    state = _state(meeting)
    # Once closed, the cases held over stay on the list, saying where they went, rather than vanish from it.
    closed = live_rules.meeting_is_closed(state.status)
    return render(
        request,
        "meetings/live_meeting.html",
        {
            "meeting": meeting,
            "state": state,
            "listings": listings,
            "held_over": live.held_over(meeting, viewer=request.user) if closed else [],
            "current": current,
            "core_warning": _core_warning(meeting, state),
            "may_run": live.may_run(request.user, meeting),
            "may_keep_register": request.user.has_perm("meetings.manage_attendance", meeting),
        },
    )


@require_permission("meetings.run_meeting")
@require_POST
def live_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the meeting. On a day other than its own, a page naming the day it is scheduled for asks first."""
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.run_meeting")
    if refused := sign_first(request, meeting):
        return refused
    confirmed = request.POST.get("confirmed") == "yes"
    try:
        live.meeting_start(meeting=meeting, by=request.user, other_day_confirmed=confirmed)
    except live.StartNeedsConfirming as asked:
        return render(request, "meetings/live_start_confirm.html", {"meeting": meeting, "warning": str(asked)})
    except live.LiveRefused as refused_step:
        messages.error(request, str(refused_step))
    else:
        messages.success(request, "The meeting has started")
    return redirect("meetings_live:live", pk=pk)


@require_permission("meetings.run_meeting")
@require_POST
def live_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the meeting, always from the page before the close (closing cannot be undone). It lists, with a
    warning, anyone present who has not signed the confidentiality agreement; with cases heard and no outcome, or
    cases not heard, it asks about them: the outcome of each case heard (or a link to record it on the case's page),
    and for those not heard, hold each over or leave it unheard, and say why. The answers come back here with
    `confirmed`."""
    meeting = get_meeting_for_user(user=request.user, pk=pk, permission="meetings.run_meeting")
    if refused := sign_first(request, meeting):
        return refused
    if request.POST.get("confirmed") != "yes":
        # Closing cannot be undone: it always goes through the page before the close, whatever is left to decide.
        state = live.state_of(meeting)
        if not live.meeting_is_running(state):
            closed = live_rules.meeting_is_closed(state.status)
            messages.error(request, live_rules.CLOSED_MEETING_REFUSAL if closed else _NOT_RUNNING)
            return redirect("meetings_live:live", pk=pk)
        return _close_confirm(request, meeting, None)
    unheard, undecided = _asked_at_close(request, meeting)
    form = CloseForm(listings=unheard, undecided=undecided, data=request.POST)
    if _outcomes_changed(request, form):
        messages.warning(request, _CHANGED.format(what="heard with no outcome"))
        return _close_confirm(request, meeting, None, kept=request.POST)
    if not form.is_valid():
        return _close_confirm(request, meeting, form)
    choices, outcomes = form.choices(unheard), form.outcomes(undecided)
    reason = form.cleaned_data.get("reason", "")
    try:
        live.meeting_close(
            meeting=meeting,
            by=request.user,
            choices=choices,
            reason=reason,
            outcomes=outcomes,
            hidden_choice=form.hidden_choice(),
        )
    except (live.UnheardCases, live.CasesWithoutOutcome) as asked:
        what = "not heard" if isinstance(asked, live.UnheardCases) else "heard with no outcome"
        messages.warning(request, _CHANGED.format(what=what))
        return _close_confirm(request, meeting, None, kept=request.POST)
    except live.LiveRefused as refused_step:
        if live.meeting_is_running(live.state_of(meeting)):
            form.add_error(None, str(refused_step))
            return _close_confirm(request, meeting, form)
        messages.error(request, str(refused_step))
        return redirect("meetings_live:live", pk=pk)
    messages.success(request, "The meeting is closed")
    return redirect("meetings_live:live", pk=pk)


_CHANGED = "The cases {what} changed while this page was open. Check them again."
_NOT_RUNNING = "Only a meeting in progress can be closed."


def _outcomes_changed(request: HttpRequest, form: CloseForm) -> bool:
    """An outcome chosen on the close page for a case whose outcome someone has recorded since (on the case's own
    page): the choice is not silently dropped, the page is shown again as it is now."""
    return any(name.startswith("outcome_") and name not in form.fields for name in request.POST)


def _asked_at_close(request: HttpRequest, meeting: Meeting) -> tuple[list[Listing], list[Listing]]:
    """The cases not heard and those heard with no outcome, that the closer may see: a restricted case they are not
    named on is not named, listed or counted to them (live_services.meeting_close settles it)."""
    viewer = request.user
    return live.unheard_listings(meeting, viewer=viewer), live.listings_without_outcome(meeting, viewer=viewer)


def _close_confirm(
    request: HttpRequest, meeting: Meeting, form: CloseForm | None, *, kept: QueryDict | None = None
) -> HttpResponse:
    """The page before the close. Shown fresh (no `form`), the meeting has just refused to close: each case heard
    with no outcome is an error to put right, named in the error summary; the cases not heard are asked about.
    `kept`: the answers just posted, when the cases changed meanwhile: each answer to a question the page still
    asks comes back as it was given (the reason typed, the choice made), not blank."""
    if form is None:
        unheard, undecided = _asked_at_close(request, meeting)
        form = CloseForm(listings=unheard, undecided=undecided, initial={"confirmed": "yes"})
        if kept is not None:
            form.initial.update({name: kept[name] for name in form.fields if name != "confirmed" and kept.get(name)})
        if form.undecided:
            form.refuse_without_outcomes()
    context = {
        "meeting": meeting,
        "form": form,
        "unsigned": live.present_without_agreement(meeting),
        "may_keep_register": request.user.has_perm("meetings.manage_attendance", meeting),
        "unheard": form.listings,
        "undecided": form.undecided,
    }
    return render(request, "meetings/live_close_confirm.html", context)


def _try(request: HttpRequest, step: Any, done: str) -> bool:
    try:
        step()
    except live.LiveRefused as refused:
        messages.error(request, str(refused))
        return False
    messages.success(request, done)
    return True


@require_permission("meetings.view_agenda")
def live_listing(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "meetings.view_agenda")
    facts = live.listing_facts(listing, request.user)
    if refused := sign_first(request, listing.meeting, signed=facts.signed):
        return refused
    case_through_gate(user=request.user, case=listing.case)  # the case gate, and the audit of this viewing
    return render(request, "meetings/live_listing.html", _listing_context(request, listing, children=facts.children))


def _listing_context(
    request: HttpRequest, listing: Listing, children: int | None = None, **forms: Any
) -> dict[str, Any]:
    meeting = listing.meeting
    state = _state(meeting)
    may_run = live.may_run(request.user, meeting)
    read_only = live_rules.meeting_is_closed(state.status)
    # Only what the action plan shows of each action and its agency.
    plan = Action.objects.filter(listing=listing).select_related("owner_agency")
    plan = plan.only("owner_agency__name", "description", "is_standard", "for_whom", "due_on")
    actions = list(plan.order_by("is_standard", "id"))
    # The GOV.UK error pattern: the page's title says "Error", and one summary at the top links to the fields.
    error_form = next((form for form in forms.values() if form is not None and form.errors), None)
    return {
        "error_form": error_form,
        "meeting": meeting,
        "listing": listing,
        "state": state,
        "running": live.meeting_is_running(state),
        "read_only": read_only,
        # A closed meeting's minute may have been amended since: its history, and who may amend it again.
        "history": minutes_services.amendment_history(listing) if read_only else [],
        "timer": live.timer_for(listing),
        "summary": research_summary(listing=listing),
        "actions": actions,
        # Only the chair and coordinator are warned: they can name someone on the case or pass the action on.
        "unseen_standard_actions": _standard_actions_unseen(listing, actions) if may_run else [],
        "links": listing.process_links.order_by("id"),
        "core_warning": _core_warning(meeting, state),
        # Before the meeting starts, its record is not open yet: the page says when it will be.
        "not_started": state.status == MeetingStatus.SCHEDULED,
        "children": live.children_count(listing) if children is None else children,
        "may_run": may_run,
        "may_record_action": request.user.has_perm("actions.record_action", meeting),
        "minute_form": forms.get("minute_form") or MinuteForm.for_listing(listing),
        "action_form": forms.get("action_form") or once.with_token(ActionForm(listing=listing)),
        "link_form": forms.get("link_form") or ProcessLinkForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm.for_listing(listing),
    }


@require_permission("meetings.run_meeting")
@require_POST
def live_open(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "meetings.run_meeting")
    if refused := sign_first(request, listing.meeting) or _read_only(request, listing):
        return refused
    try:
        _, gaps = live.listing_open(listing=listing, by=request.user)
    except live.LiveRefused as refused_step:
        messages.error(request, str(refused_step))
    else:
        for gap in gaps:
            messages.warning(request, gap)
    return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)


@require_permission("meetings.run_meeting")
@require_POST
def live_minutes(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "meetings.run_meeting")
    if refused := sign_first(request, listing.meeting) or _not_open(request, listing):
        return refused
    form = MinuteForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/live_listing.html", _listing_context(request, listing, minute_form=form))
    try:
        live.minute_save(
            listing=listing,
            risks_minute=form.cleaned_data["risks_minute"],
            decisions_minute=form.cleaned_data["decisions_minute"],
            based_on_version=form.cleaned_data["version"],
            based_on_minute=form.cleaned_data["minute_seen"],
            by=request.user,
        )
    except live.StaleMinute as stale:
        return _minute_conflict(request, stale.current, form)
    except live.LiveRefused as refused_step:
        return _refused(request, listing, str(refused_step))
    messages.success(request, "Minute saved")
    return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)


def _minute_conflict(request: HttpRequest, saved: Listing, theirs: MinuteForm) -> HttpResponse:
    """Both versions side by side, and the form again, based now on the saved version: each part they did not change
    is the saved text, each part they changed is theirs, with a hint where the other person changed it too
    (minutes_forms.form_after_conflict), so saving over the other person's change is a choice made with both on
    screen; keeping the saved one just goes back to the case."""
    again = form_after_conflict(MinuteForm.for_listing, saved, theirs.cleaned_data)
    context = {"meeting": saved.meeting, "listing": saved, "theirs": theirs.cleaned_data, "form": again}
    return render(request, "meetings/live_minute_conflict.html", context, status=409)


@require_permission("actions.record_action")
@require_POST
def live_action(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "actions.record_action")
    if refused := sign_first(request, listing.meeting) or _not_open(request, listing):
        return refused
    if (again := once.already_done(request)) is not None:
        return again
    form = once.with_token(ActionForm(request.POST, listing=listing))
    if form.is_valid():
        try:
            live.live_action_record(listing=listing, by=request.user, **once.without_token(form.cleaned_data))
        except NotThisMaracsAgency:
            form.add_error("owner_agency", "Choose one of this MARAC's agencies")
        except AgencyNotNamedOnCase as refused_agency:
            form.add_error("owner_agency", refused_agency.message)  # the case was restricted since the form checked
        except live.LiveRefused as refused_step:
            return _refused(request, listing, str(refused_step))
        else:
            messages.success(request, "Action recorded")
            return once.done(request, reverse("meetings_live:listing", args=[pk, listing.pk]))
    return render(request, "meetings/live_listing.html", _listing_context(request, listing, action_form=form))


@require_permission("meetings.run_meeting")
@require_POST
def live_link(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "meetings.run_meeting")
    if refused := sign_first(request, listing.meeting) or _not_open(request, listing):
        return refused
    form = ProcessLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/live_listing.html", _listing_context(request, listing, link_form=form))
    try:
        live.process_link_add(listing=listing, by=request.user, **form.cleaned_data)
    except (live.MeetingClosed, live.MeetingNotStarted) as refused_step:
        return _refused(request, listing, str(refused_step))
    except live.LiveRefused as refused_step:  # the same link is recorded already
        form.add_error("kind", str(refused_step))
        return render(request, "meetings/live_listing.html", _listing_context(request, listing, link_form=form))
    messages.success(request, "Link to another process recorded")
    return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)


@require_permission("meetings.run_meeting")
@require_POST
def live_outcome(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = _listing(request, pk, listing_pk, "meetings.run_meeting")
    if refused := sign_first(request, listing.meeting) or _not_open(request, listing):
        return refused
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        # The page again, with the error on the radios and the summary at the top linking to them (GOV.UK).
        return render(request, "meetings/live_listing.html", _listing_context(request, listing, outcome_form=form))
    try:
        live.outcome_record(
            listing=listing,
            outcome=form.cleaned_data["outcome"],
            based_on_version=form.cleaned_data["version"],
            based_on_outcome=form.cleaned_data["based_on"],
            by=request.user,
        )
    except live.LiveRefused as refused_step:
        return _refused(request, listing, str(refused_step))
    messages.success(request, "Outcome recorded")
    return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)


@require_permission("meetings.run_meeting")
@require_POST
def live_next(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    """Move on to the next case. A plan without a perpetrator action, or without one for the children where there
    are children, is shown back first with "Go back" and "Move on anyway"."""
    listing = _listing(request, pk, listing_pk, "meetings.run_meeting")
    if refused := sign_first(request, listing.meeting) or _read_only(request, listing):
        return refused
    warnings = live.plan_warnings(listing)
    if warnings and request.POST.get("confirmed") != "yes":
        context = {"listing": listing, "warnings": warnings, "no_outcome": live.needs_outcome(listing)}
        return render(request, "meetings/live_next_confirm.html", context)
    try:
        following = live.listing_move_on(listing=listing, by=request.user)
    except live.LiveRefused as refused_step:
        messages.error(request, str(refused_step))
        return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)
    _warn_if_no_outcome(request, listing)
    if following is None:
        messages.success(request, "Every case has been heard")
        return redirect("meetings_live:live", pk=pk)
    return redirect("meetings_live:listing", pk=pk, listing_pk=following.pk)


def _warn_if_no_outcome(request: HttpRequest, listing: Listing) -> None:
    """Moving on from a case heard with no outcome is allowed (the meeting may come back to it), but the next page
    says so, with a link back to record it: the meeting will not close until it has one."""
    if not live.needs_outcome(listing):
        return
    url = reverse("meetings_live:listing", args=[listing.meeting_id, listing.pk]) + "#outcome"
    link = format_html(
        '<a class="govuk-notification-banner__link" href="{}">Record the outcome of case {}</a>',
        url,
        listing.case.reference,
    )
    messages.warning(request, format_html("{} {}", live_rules.no_outcome_warning(listing.case.reference), link))
