"""The coordinator's referral inbox and decision page."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from meetings import agenda_services
from people import linkage
from people.models import Person
from referrals import case_transfers, decisions, jurisdiction
from referrals.case_transfers import WhatTheSenderDid
from referrals.decision_forms import EmergencyMeetingForm, ReturnForm, TransferForm
from referrals.models import MatchDecision, Referral, ReferralStatus, Transfer
from referrals.sections import SECTIONS_BY_SLUG, form_for
from referrals.selectors import (
    Answers,
    get_referral_for_user,
    referral_answers,
    referral_current_meeting,
    referral_inbox,
)
from referrals.transfer_document import ReferralCopy, referral_document
from web.access import current_marac_where, require_permission
from web.documents import DOCX_CONTENT_TYPE

REFERENCE_TAKEN_MESSAGE = (
    "The referral was not accepted: another case took the same case reference at the same moment. "
    "Nothing was saved. Accept the referral again to give it the next reference."
)
# Decided meanwhile, in another window or by a colleague: the page it goes back to shows that decision.
ALREADY_DECIDED_MESSAGE = (
    "This referral has already been decided, in another window or by someone else. Nothing was changed."
)


@require_permission("referrals.decide")
def inbox(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "referrals.decide")
    return render(
        request,
        "referrals/inbox.html",
        {
            "marac": Marac.objects.get(pk=marac_id),
            "referrals": referral_inbox(marac_id=marac_id),
        },
    )


def _deciding(request: HttpRequest, pk: int) -> Referral:
    referral = get_referral_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("referrals.decide", referral):
        raise Http404
    return referral


@require_permission("referrals.decide")
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    check = decisions.match_check(referral, viewer=request.user)
    can_decide = referral.status == ReferralStatus.SUBMITTED
    undecided = decisions.undecided_strong_matches(check.parties) if can_decide else []
    return render(
        request,
        "referrals/decision.html",
        {
            "referral": referral,
            "current_meeting": referral_current_meeting(referral),
            "check": check,
            "can_review_matches": request.user.has_perm("people.review_matches", referral.marac),
            "answers": with_unanswered_address_question(referral_answers(referral)),
            "submitted_at": decisions.first_submitted_at(referral),
            "arrived_from": arrived_from(referral),
            "criteria_met_here": decisions.criteria_met_here(referral),
            "returnable": decisions.referrer_can_correct(referral),
            "cannot_return": decisions.ReferrerCannotCorrect.message,
            "criteria_not_met_here": decisions.CriteriaNotMetHere.message,
            "return_form": ReturnForm(),
            "transfer_form": TransferForm(from_marac=referral.marac),
            "can_decide": can_decide,
            "undecided": [decisions.party_words(key) for key in undecided],
            "emergency_refusal": jurisdiction.case_listing_refusal(referral.case) if referral.case else None,
        },
    )


# The victim's section leaves out a question not answered; the coordinator needs to know what that means here.
KNOWS_ADDRESS_NOT_ANSWERED = "Not answered, so the address is kept confidential"


def with_unanswered_address_question(answers: Answers) -> Answers:
    """The victim's answers, saying so where "Does the perpetrator know this address?" was not answered (API clients
    need not send it): her address is then kept confidential (decisions.victim_address_is_confidential)."""
    victim = SECTIONS_BY_SLUG["victim"]
    fields = form_for(victim, data=None, questions=[]).fields
    asked, after = str(fields["perpetrator_knows_address"].label), str(fields["postcode"].label)
    shown = []
    for slug, title, items in answers:
        if slug == victim.slug:
            items = [_with_row(rows, asked, after) for rows in items]
        shown.append((slug, title, items))
    return shown


def _with_row(rows: list[tuple[str, str]], asked: str, after: str) -> list[tuple[str, str]]:
    labels = [label for label, _words in rows]
    if asked in labels:
        return rows
    place = labels.index(after) + 1 if after in labels else len(rows)
    return [*rows[:place], (asked, KNOWS_ADDRESS_NOT_ANSWERED), *rows[place:]]


@dataclass(frozen=True)
class ArrivedFrom:
    """Where a transferred referral came from, for the receiving coordinator (who has need-to-know)."""

    marac_name: str
    on: date | None = None
    reason: str = ""
    # Within this installation: the coordinator who sent it, "Name (work email)", to ask for what is missing; and, for
    # a case sent on after it was heard, what the sending MARAC held of it then.
    sent_by: str = ""
    what_was_done: WhatTheSenderDid | None = None


def arrived_from(referral: Referral) -> ArrivedFrom | None:
    """The sending MARAC of a transfer within this installation (with its date, reason, coordinator and what it did
    with the case), or the MARAC outside it that the referral says transferred it ("How did the referral arise?")."""
    transfer = (
        Transfer.objects.filter(to_referral=referral).select_related("from_referral__marac", "transferred_by").first()
    )
    if transfer is not None:
        on = timezone.localtime(transfer.transferred_at).date()
        sender = transfer.transferred_by
        what_was_done = case_transfers.what_the_sender_did(transfer)
        sent_by = what_was_done.coordinator if what_was_done is not None else f"{sender.full_name} ({sender.email})"
        return ArrivedFrom(transfer.from_referral.marac.name, on, transfer.reason, sent_by, what_was_done)
    about = referral.content.get("about") or {}
    if about.get("how_arose") == "other_marac" and str(about.get("sending_marac", "")).strip():
        return ArrivedFrom(str(about["sending_marac"]).strip())
    return None


@require_permission("referrals.decide")
def match(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    if request.method == "POST":
        person = Person.objects.filter(pk=request.POST.get("person") or 0, marac=referral.marac).first()
        choice = request.POST.get("decision")
        if person is None or choice not in MatchDecision.Decision.values:
            raise Http404
        if person.pk in linkage.people_hidden_from(request.user, referral.marac_id):
            raise Http404  # in a restricted case the coordinator is not named on: its coordinator decides
        party_key, replacing = request.POST.get("party", ""), _when(request.POST.get("replacing", ""))
        try:
            decisions.match_decide(
                referral=referral,
                party_key=party_key,
                person=person,
                decision=choice,
                by=request.user,
                replacing=replacing,
                shown_version=_version(request.POST.get("version", "")),
            )
        except decisions.MatchingClosed as closed:
            messages.error(request, str(closed))
            return redirect("referrals:decision", pk=pk)
        except decisions.ReferralChangedSinceShown:
            messages.error(request, decisions.ReferralChangedSinceShown.message)
            return redirect("referrals:decision", pk=pk)
        except decisions.MatchAlreadyDecided as already:
            return _match_already_decided(request, referral, already.match, choice)
        messages.success(request, "Same-person check changed" if replacing else "Same-person check recorded")
    return redirect("referrals:decision", pk=pk)


def _version(value: str) -> int | None:
    """The referral's version the page showed; None when not sent (a page from before it was)."""
    return int(value) if value.isdigit() else None


def _when(value: str) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _match_already_decided(request: HttpRequest, referral: Referral, match: MatchDecision, asked: str) -> HttpResponse:
    """A different answer is already recorded for this person on the referral: say by whom, what and when, change
    nothing, and offer the other answer only as a deliberate change."""
    audit_record(
        action=AuditAction.VIEW,
        obj=referral,
        user=request.user,
        summary=f"Shown the same-person check already made for {match.party}: person {match.person_id}",
    )
    party = next((party for party in decisions.parties_of(referral) if party.key == match.party), None)
    context = {
        "referral": referral,
        "match": match,
        "party_label": party.label if party else match.party,
        "asked": MatchDecision.Decision(asked),
    }
    return render(request, "referrals/match_decided.html", context, status=409)


@require_permission("referrals.decide")
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    if request.method == "POST":
        try:
            referral = decisions.referral_accept(
                referral=referral, by=request.user, shown_version=_version(request.POST.get("version", ""))
            )
        except decisions.NotSubmitted:
            messages.error(request, ALREADY_DECIDED_MESSAGE)
        except decisions.ReferralChangedSinceShown:
            messages.error(request, decisions.ReferralChangedSinceShown.message)
        except decisions.ReferenceTaken:
            messages.error(request, REFERENCE_TAKEN_MESSAGE)
        except decisions.CriteriaNotMetHere:
            messages.error(request, decisions.CriteriaNotMetHere.message)
        except (decisions.UndecidedMatches, decisions.MatchDecisionsSetAside) as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Referral accepted as case {referral.case}")
    return redirect("referrals:decision", pk=pk)


@require_permission("referrals.decide")
def return_referral(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.referral_return(referral=referral, reasons=form.cleaned_data["reasons"], by=request.user)
        except decisions.NotSubmitted:
            messages.error(request, ALREADY_DECIDED_MESSAGE)
        except decisions.ReferrerCannotCorrect:
            messages.error(request, decisions.ReferrerCannotCorrect.message)
        else:
            messages.success(request, "Referral returned to the referrer")
        return redirect("referrals:decision", pk=pk)
    return render(
        request, "referrals/decision_form.html", {"referral": referral, "form": form, "title": "Return as incomplete"}
    )


@require_permission("referrals.decide")
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    form = TransferForm(request.POST or None, from_marac=referral.marac)
    if request.method == "POST" and form.is_valid():
        try:
            made = decisions.referral_transfer(
                referral=referral,
                to_marac=form.cleaned_data.get("to_marac"),
                to_marac_name=form.cleaned_data["to_marac_name"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except decisions.NotSubmitted:
            messages.error(request, ALREADY_DECIDED_MESSAGE)
        else:
            messages.success(request, _transferred_message(made))
        return redirect("referrals:decision", pk=pk)
    return render(
        request,
        "referrals/decision_form.html",
        {"referral": referral, "form": form, "title": "Transfer to another MARAC"},
    )


def _transferred_message(made: Transfer) -> str:
    if made.is_outside:
        return (
            f"Referral recorded as transferred to {made.to_marac_label}. That MARAC does not use OpenMARAC here: "
            "send the referral to it by its usual secure route."
        )
    if made.to_referral is not None and not decisions.criteria_met_here(made.to_referral):
        return (
            f"Referral transferred to {made.to_marac_label}. It does not meet that MARAC's criteria as it stands: "
            "its coordinator sees why, and decides what happens next."
        )
    return f"Referral transferred to {made.to_marac_label}"


@require_permission("referrals.decide")
def emergency(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deciding(request, pk)
    if referral.status != ReferralStatus.ACCEPTED:
        raise Http404
    if request.method != "POST" and referral.case and (refusal := jurisdiction.case_listing_refusal(referral.case)):
        messages.error(request, refusal)  # sent to another MARAC: no form to fill in for nothing
        return redirect("referrals:decision", pk=pk)
    form = EmergencyMeetingForm(request.POST or None)
    context: dict[str, Any] = {"referral": referral, "form": form, "title": "List at an emergency MARAC"}
    if request.method == "POST" and form.is_valid():
        try:
            decisions.referral_list_at_emergency_meeting(
                referral=referral,
                starts_at=form.cleaned_data["starts_at"],
                by=request.user,
                non_working_day_confirmed=form.confirms_its_day(),
            )
        except decisions.EmergencyListingRefused as refused:
            form.add_error(None, str(refused))
        except agenda_services.EmergencyDateRefused as refused:
            form.add_error("day", str(refused))
        except agenda_services.EmergencyDayNeedsConfirming as asked:
            confirm = "List at the emergency MARAC anyway"
            context |= {"warning": str(asked), "confirmed_day": form.confirmed_day(), "confirm_label": confirm}
        else:
            messages.success(request, "Listed at the emergency MARAC")
            return redirect("referrals:decision", pk=pk)
    return render(request, "referrals/decision_form.html", context)


@require_permission("referrals.decide")
def referral_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral as a Word document, for the coordinator to send on to a MARAC outside this installation."""
    referral = _deciding(request, pk)
    transfer = Transfer.objects.filter(from_referral=referral).select_related("to_marac").first()
    received = Transfer.objects.filter(to_referral=referral).select_related("from_referral__marac").first()
    came_from = arrived_from(referral) if received is not None else None
    referrer = referral.referrer
    content = referral_document(
        ReferralCopy(
            number=referral.pk,
            marac_name=referral.marac.name,
            submitted_at=decisions.first_submitted_at(referral),
            transferred_to_at=transfer.transferred_at if transfer is not None else None,
            transferred_from=received.from_referral.marac.name if received is not None else "",
            transferred_from_at=received.transferred_at if received is not None else None,
            referred_by=f"{referrer.full_name}, {referral.referring_agency.name} ({referrer.email})",
            criteria_summary=str(referral.criteria_result.get("summary", "")),
            sections=[(title, items) for _slug, title, items in referral_answers(referral)],
            transferred_to=transfer.to_marac_label if transfer is not None else "",
            transferred_from_by=came_from.sent_by if came_from is not None else "",
            what_was_done=came_from.what_was_done if came_from is not None else None,
        )
    )
    audit_record(action=AuditAction.EXPORT, obj=referral, summary=f"Referral {referral.pk} downloaded as docx")
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.docx"'
    return response
