"""Amending a case's minute after its meeting has closed, for its chair and coordinator. Thin: parse, call
minutes_services, render. The listing is reached only through the agenda's gate (404 outside the MARAC, or on a
restricted case the user is not named on), and the case through its own gate, which audits the viewing."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases.selectors import case_through_gate
from meetings import live_rules, minutes_rules
from meetings import minutes_services as minutes
from meetings.agenda_services import get_listing_for_user, meeting_state
from meetings.confidentiality import sign_first
from meetings.minutes_forms import AmendMinuteForm, form_after_conflict
from meetings.models import Listing
from web.access import require_permission

PERMISSION = "meetings.run_meeting"  # the chair and the coordinator: those who run the meeting and minute it


@require_permission(PERMISSION)
def amend_minute(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    listing = get_listing_for_user(user=request.user, meeting_pk=pk, listing_pk=listing_pk, permission=PERMISSION)
    if refused := sign_first(request, listing.meeting):
        return refused
    case_through_gate(user=request.user, case=listing.case)  # the case gate, and the audit of this viewing
    if not live_rules.meeting_is_closed(meeting_state(listing.meeting).status):
        messages.error(request, minutes_rules.NOT_CLOSED_REFUSAL)
        return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)
    if request.method != "POST":
        return _page(request, listing, AmendMinuteForm.for_listing(listing))
    form = AmendMinuteForm(request.POST)
    if not form.is_valid():
        return _page(request, listing, form)
    try:
        minutes.minute_amend(
            listing=listing,
            risks_minute=form.cleaned_data["risks_minute"],
            decisions_minute=form.cleaned_data["decisions_minute"],
            reason=form.cleaned_data["reason"],
            based_on_version=form.cleaned_data["version"],
            based_on_minute=form.cleaned_data["minute_seen"],
            by=request.user,
        )
    except minutes.StaleAmendment as stale:
        return _conflict(request, stale.current, form)
    except minutes.AmendmentRefused as refusal:
        form.add_error(None, str(refusal))
        return _page(request, listing, form)
    messages.success(request, "Minute amended. The minute as it was is kept with the reason.")
    return redirect("meetings_live:listing", pk=pk, listing_pk=listing.pk)


def _page(
    request: HttpRequest, listing: Listing, form: AmendMinuteForm, *, theirs: dict[str, Any] | None = None
) -> HttpResponse:
    context = {
        "meeting": listing.meeting,
        "listing": listing,
        "form": form,
        "history": minutes.amendment_history(listing),
        "theirs": theirs,
    }
    return render(request, "meetings/minutes_amend.html", context, status=409 if theirs else 200)


def _conflict(request: HttpRequest, saved: Listing, theirs: AmendMinuteForm) -> HttpResponse:
    """Someone amended the minute first: the minute as saved now beside theirs, and the form again, based now on the
    saved minute, each part merged as minutes_forms.form_after_conflict says, so saving over the other person's
    correction is a choice made with both on screen."""
    data = theirs.cleaned_data
    again = form_after_conflict(AmendMinuteForm.for_listing, saved, data, reason=data["reason"])
    return _page(request, saved, again, theirs=data)
