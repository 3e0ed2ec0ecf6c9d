from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from cases.models import CaseParty
from cases.restriction import visible_given_restrictions
from marac.models import Marac
from people import corrections, linkage, national
from people.forms import (
    AddressConfidentialForm,
    AddressEndForm,
    DuplicateDecisionForm,
    NationalNotSameForm,
    NewAddressForm,
    PersonCorrectionForm,
    UnlinkForm,
)
from people.models import Address, NationalPossibleMatch, Person, PersonLink, PossibleDuplicate
from people.selectors import get_person_for_user
from people.tasks import train_match_model
from web.access import current_marac_where, require_permission


@require_permission("people.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk)
    addresses = person.addresses.all()
    cases = person.case_parties.select_related("case").order_by("-case__referred_on")
    same_people, same_cases = _same_person(request, person)
    can_review = request.user.has_perm("people.review_matches", person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "addresses": addresses,
            "cases": cases,
            "same_people": same_people,
            "same_cases": same_cases,
            "directly_linked": linkage.directly_linked(person.pk) if can_review else set(),
            # From a national person-matching run: other MARACs that may hold this person, for the coordinator.
            "elsewhere": national.possible_matches_elsewhere(person) if can_review else [],
            "checked_elsewhere": national.checked_not_same(person) if can_review else [],
            "can_see_confidential": request.user.has_perm("people.view_confidential_address", person),
            "can_correct": request.user.has_perm("people.correct_person", person),
        },
    )


def _same_person(request: HttpRequest, person: Person) -> tuple[list[Person], QuerySet[CaseParty]]:
    """The records confirmed to be the same person, and their cases: only those the viewer may see. A record in a
    restricted case the viewer is not named on is left out altogether, with its cases."""
    same = linkage.same_person_ids([person.pk])[person.pk] - {person.pk}
    shown = sorted(same - linkage.people_hidden_from(request.user, person.marac_id))
    cases = (
        CaseParty.objects.filter(person_id__in=shown)
        .filter(visible_given_restrictions(request.user, through="case"))
        .select_related("case", "person")
        .order_by("-case__referred_on")
    )
    if shown:
        audit_record(
            action=AuditAction.VIEW,
            obj=person,
            user=request.user,
            summary=f"Listed the cases of people {', '.join(map(str, shown))}, confirmed to be the same person",
        )
    return list(Person.objects.filter(pk__in=shown).order_by("pk")), cases


@require_permission("people.review_matches")
def person_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmed link made in error: the coordinator records that the two are not the same person after all."""
    person = get_person_for_user(user=request.user, pk=pk, audit=False)
    if not request.user.has_perm("people.review_matches", person):
        raise Http404
    if request.method != "POST":
        return redirect("people:detail", pk=pk)
    form = UnlinkForm(request.POST)
    if not form.is_valid() or form.cleaned_data["other"] not in linkage.directly_linked(person.pk):
        raise Http404
    other = get_person_for_user(user=request.user, pk=form.cleaned_data["other"], audit=False)
    linkage.person_link_decide(person=person, other=other, decision=PersonLink.Decision.REJECTED, by=request.user)
    messages.success(request, "Recorded as not the same person: their cases no longer count together")
    return redirect("people:detail", pk=pk)


def _reviewing(request: HttpRequest) -> Marac:
    marac = Marac.objects.get(pk=current_marac_where(request, "people.review_matches"))
    if not request.user.has_perm("people.review_matches", marac):
        raise Http404
    return marac


@require_permission("people.review_matches")
def national_not_same(request: HttpRequest, pk: int) -> HttpResponse:
    """A national possible match the two coordinators have talked about: "not the same person". Neither MARAC is
    shown the pair again, in this run or a later one."""
    match = _national_match_for(request, pk)
    if match.not_same_person:
        messages.success(request, "This possible match was already recorded as not the same person")
        return redirect("people:detail", pk=match.person_id)
    data = request.POST if request.method == "POST" else None
    form = NationalNotSameForm(data, other_marac_name=match.other_marac.name)
    if request.method == "POST" and form.is_valid():
        try:
            national.national_match_reject(match=match, by=request.user)
        except national.AlreadyFoundNotSame:
            messages.success(request, "This possible match was already recorded as not the same person")
        else:
            messages.success(
                request, "Recorded as not the same person: neither MARAC will be shown this possible match again"
            )
        return redirect("people:detail", pk=match.person_id)
    audit_view(
        match.person,
        user=request.user,
        summary=f"Opened national possible match {match.pair_reference} to record whether it is the same person",
    )
    context = {
        "match": match,
        "person": match.person,
        "coordinators": linkage.coordinators_of(match.other_marac),
        "form": form,
    }
    return render(request, "people/national_not_same.html", context, status=400 if form.errors else 200)


def _national_match_for(request: HttpRequest, pk: int) -> NationalPossibleMatch:
    """A national possible match of someone the coordinator may review matches of and see; else 404."""
    match = NationalPossibleMatch.objects.select_related("person", "other_marac").filter(pk=pk).first()
    if match is None:
        raise Http404
    person = get_person_for_user(user=request.user, pk=match.person_id, audit=False)
    if not request.user.has_perm("people.review_matches", person):
        raise Http404
    if person.pk in linkage.people_hidden_from(request.user, person.marac_id):
        raise Http404
    return match


@require_permission("people.review_matches")
def matching(request: HttpRequest) -> HttpResponse:
    marac = _reviewing(request)
    audit_view(marac, user=request.user, summary="Viewed the matching model's versions")
    hidden = linkage.people_hidden_from(request.user, marac.pk)
    return render(
        request,
        "people/matching.html",
        {
            "marac": marac,
            "versions": marac.match_models.select_related("trained_by").order_by("-version"),
            # Counted as the coordinator may know of them: not the people only in a restricted case they are not
            # named on. Whether the model can be trained depends on everyone held.
            "held": linkage.held_count_for(request.user, marac.pk),
            "can_train": linkage.held_at([marac.pk]).count() >= linkage.MINIMUM_PEOPLE_TO_TRAIN,
            "minimum": linkage.MINIMUM_PEOPLE_TO_TRAIN,
            "duplicates_waiting": len(linkage.duplicates_to_review(marac_id=marac.pk, hidden=hidden)),
            "national": national.people_to_follow_up(marac, hidden=hidden),
            "national_checked": national.checked_not_same_count(marac, hidden=hidden),
        },
    )


@require_permission("people.review_matches")
def matching_train(request: HttpRequest) -> HttpResponse:
    marac = _reviewing(request)
    if request.method != "POST":
        return redirect("people:matching")
    if linkage.held_at([marac.pk]).count() < linkage.MINIMUM_PEOPLE_TO_TRAIN:
        messages.error(
            request, f"The model needs at least {linkage.MINIMUM_PEOPLE_TO_TRAIN} people held here to learn from"
        )
        return redirect("people:matching")
    audit_record(
        action=AuditAction.CHANGE, obj=marac, user=request.user, summary="Asked for the matching model to be trained"
    )
    train_match_model.enqueue(marac.pk, request.user.pk)
    messages.success(
        request,
        "Training has started. The new version is listed here when it has finished, usually within a few minutes",
    )
    return redirect("people:matching")


@require_permission("people.review_matches")
def duplicates(request: HttpRequest) -> HttpResponse:
    marac = _reviewing(request)
    pairs = linkage.duplicates_to_review(marac_id=marac.pk, hidden=linkage.people_hidden_from(request.user, marac.pk))
    audit_record(
        action=AuditAction.VIEW,
        obj=marac,
        user=request.user,
        summary=f"Viewed {len(pairs)} possible duplicates",
        changes={"people": [[pair.person_a_id, pair.person_b_id] for pair in pairs]},
    )
    return render(
        request,
        "people/duplicates.html",
        {
            "marac": marac,
            "model": linkage.current_model(marac.pk),
            "pairs": [
                (pair, linkage.percentage(pair.probability), linkage.duplicate_comparisons(pair)) for pair in pairs
            ],
        },
    )


@require_permission("people.review_matches")
def duplicate_decide(request: HttpRequest) -> HttpResponse:
    marac = _reviewing(request)
    form = DuplicateDecisionForm(request.POST or None)
    if request.method != "POST":
        return redirect("people:duplicates")
    if not form.is_valid():
        raise Http404
    duplicate = _duplicate_for(request, marac, form.cleaned_data["duplicate"])
    decision, replacing = form.cleaned_data["decision"], form.cleaned_data["replacing"]
    try:
        linkage.possible_duplicate_decide(duplicate=duplicate, decision=decision, by=request.user, replacing=replacing)
    except linkage.AlreadyDecided as already:
        return _already_decided(request, duplicate, already.link, decision)
    changed = "Decision changed. " if replacing is not None else ""
    if decision == PersonLink.Decision.CONFIRMED:
        messages.success(request, f"{changed}Recorded as the same person: their cases now count together")
    else:
        messages.success(request, f"{changed}Recorded as not the same person: they will not be suggested again")
    return redirect("people:duplicates")


def _already_decided(request: HttpRequest, duplicate: PossibleDuplicate, link: PersonLink, asked: str) -> HttpResponse:
    """The pair was decided on since the page was opened: say by whom, what and when, change nothing, and offer the
    other decision only as a deliberate change."""
    audit_record(
        action=AuditAction.VIEW,
        obj=link,
        user=request.user,
        summary=f"Shown the decision already made on people {link.person_a_id} and {link.person_b_id}",
    )
    context = {
        "duplicate": duplicate,
        "link": link,
        "asked": PersonLink.Decision(asked),
        "may_change": asked != link.decision,
    }
    return render(request, "people/duplicate_decided.html", context, status=409)


def _duplicate_for(request: HttpRequest, marac: Marac, pk: int) -> PossibleDuplicate:
    """A possible duplicate of the MARAC's current model that the coordinator may see; else 404."""
    duplicate = (
        PossibleDuplicate.objects.filter(pk=pk, match_model__marac=marac, match_model__is_current=True)
        .select_related("person_a", "person_b")
        .first()
    )
    hidden = linkage.people_hidden_from(request.user, marac.pk)
    if duplicate is None or {duplicate.person_a_id, duplicate.person_b_id} & hidden:
        raise Http404
    return duplicate


# --- Correcting a person's record (UK GDPR Art. 16) ---------------------------------------------------------------

CORRECTION_CONFLICT = (
    "Someone else changed this person's record while you had this page open. Your change has not been saved. "
    "The record as saved now is shown on this page, and what you entered is still in the form: check the two, "
    "then save again."
)
ALREADY_ENDED = "This address was already ended: it is shown below as a past address. Nothing was changed."


def _person_to_correct(request: HttpRequest, pk: int) -> Person:
    """Through the person gate (404 outside need-to-know, a reason first for a restricted case the user is named on),
    then the permission to correct at the person's own MARAC."""
    person = get_person_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("people.correct_person", person):
        raise Http404
    return person


def _address_of(person: Person, address_pk: int) -> Address:
    address = person.addresses.filter(pk=address_pk).first()
    if address is None:
        raise Http404
    return address


def _posted_version(request: HttpRequest, form: Form) -> int | None:
    try:
        return int(request.POST.get(form.add_prefix("version"), ""))
    except ValueError:
        return None


def _on_saved_version[Sent: Form](request: HttpRequest, form_class: type[Sent], person: Person, **kwargs: Any) -> Sent:
    """After a conflict: the form again with what the user entered, now based on the version saved, so saving again
    is a choice made with the saved record on screen (web.forms.onto_saved, for these forms)."""
    person.refresh_from_db()
    data = request.POST.copy()
    prefix = kwargs.get("prefix")
    data[f"{prefix}-version" if prefix else "version"] = str(person.version)
    again = form_class(data, **kwargs)
    again.add_error(None, CORRECTION_CONFLICT)
    return again


def _correction_page(
    request: HttpRequest,
    person: Person,
    *,
    details: PersonCorrectionForm | None = None,
    new_address: NewAddressForm | None = None,
    ending: tuple[int, AddressEndForm] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    """The correction page, with the one form that was sent (bound, with its errors) in place of its empty one."""
    addresses = []
    for address in person.addresses.all():
        end_form = AddressEndForm(prefix=f"end-{address.pk}", initial={"version": person.version})
        if ending is not None and ending[0] == address.pk:
            end_form = ending[1]
        addresses.append((address, end_form))
    sent = next((form for form in (details, new_address, ending and ending[1]) if form is not None), None)
    context = {
        "person": person,
        "details": details if details is not None else PersonCorrectionForm.for_person(person),
        "addresses": addresses,
        "new_address": new_address
        if new_address is not None
        else NewAddressForm(prefix="new", initial={"version": person.version}),
        "sent": sent if sent is not None and sent.errors else None,
        "conflict": sent is not None and CORRECTION_CONFLICT in sent.non_field_errors(),
        "problem": problem,
        "can_see_confidential": request.user.has_perm("people.view_confidential_address", person),
    }
    return render(request, "people/person_correct.html", context, status=status)


@require_permission("people.correct_person")
def person_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a person's names, other names, date of birth, gender and ethnicity."""
    person = _person_to_correct(request, pk)
    if request.method != "POST":
        return _correction_page(request, person)
    form = PersonCorrectionForm(request.POST)
    if _posted_version(request, form) != person.version:
        return _correction_page(
            request, person, details=_on_saved_version(request, PersonCorrectionForm, person), status=409
        )
    if not form.is_valid():
        return _correction_page(request, person, details=form, status=400)
    try:
        changed = corrections.person_correct(
            person=person,
            details=form.details(),
            other_names=form.other_names(),
            based_on_version=person.version,
            by=request.user,
        )
    except corrections.StalePerson:  # saved by someone else between reading it and locking it
        return _correction_page(
            request, person, details=_on_saved_version(request, PersonCorrectionForm, person), status=409
        )
    messages.success(request, "Person's details corrected" if changed else "Nothing was changed")
    return redirect("people:correct", pk=person.pk)


@require_permission("people.correct_person")
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_to_correct(request, pk)
    if request.method != "POST":
        return redirect("people:correct", pk=person.pk)
    form = NewAddressForm(request.POST, prefix="new")
    if _posted_version(request, form) != person.version:
        again = _on_saved_version(request, NewAddressForm, person, prefix="new")
        return _correction_page(request, person, new_address=again, status=409)
    if not form.is_valid():
        return _correction_page(request, person, new_address=form, status=400)
    try:
        corrections.address_add(person=person, address=form.address(), based_on_version=person.version, by=request.user)
    except corrections.StalePerson:
        again = _on_saved_version(request, NewAddressForm, person, prefix="new")
        return _correction_page(request, person, new_address=again, status=409)
    messages.success(request, "Current address added")
    return redirect("people:correct", pk=person.pk)


@require_permission("people.correct_person")
def address_confidential(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    person = _person_to_correct(request, pk)
    address = _address_of(person, address_pk)
    if request.method != "POST":
        return redirect("people:correct", pk=person.pk)
    form = AddressConfidentialForm(request.POST)
    if not form.is_valid():
        raise Http404  # only a tampered form sends anything but the page's two buttons
    confidential = form.cleaned_data["confidential"] == "yes"
    try:
        if form.cleaned_data["version"] != person.version:
            raise corrections.StalePerson
        corrections.address_set_confidential(
            address=address, confidential=confidential, based_on_version=person.version, by=request.user
        )
    except corrections.StalePerson:
        person.refresh_from_db()
        return _correction_page(request, person, problem=CORRECTION_CONFLICT, status=409)
    messages.success(request, "Address marked confidential" if confidential else "Address marked not confidential")
    return redirect("people:correct", pk=person.pk)


@require_permission("people.correct_person")
def address_end(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    person = _person_to_correct(request, pk)
    address = _address_of(person, address_pk)
    if request.method != "POST":
        return redirect("people:correct", pk=person.pk)
    prefix = f"end-{address.pk}"
    form = AddressEndForm(request.POST, prefix=prefix, lived_from=address.lived_from)
    if _posted_version(request, form) != person.version:
        again = _on_saved_version(request, AddressEndForm, person, prefix=prefix, lived_from=address.lived_from)
        return _correction_page(request, person, ending=(address.pk, again), status=409)
    if address.lived_to is not None:
        return _correction_page(request, person, problem=ALREADY_ENDED, status=409)
    if not form.is_valid():
        return _correction_page(request, person, ending=(address.pk, form), status=400)
    try:
        corrections.address_end(
            address=address, lived_to=form.cleaned_data["lived_to"], based_on_version=person.version, by=request.user
        )
    except corrections.StalePerson:
        again = _on_saved_version(request, AddressEndForm, person, prefix=prefix, lived_from=address.lived_from)
        return _correction_page(request, person, ending=(address.pk, again), status=409)
    except corrections.AddressAlreadyEnded:
        person.refresh_from_db()
        return _correction_page(request, person, problem=ALREADY_ENDED, status=409)
    messages.success(request, "Address ended: it is kept as a past address")
    return redirect("people:correct", pk=person.pk)
