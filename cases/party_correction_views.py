from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases import party_correction
from cases.models import Case, CaseParty, PartyRole
from cases.party_correction_forms import PartyCorrectionForm
from cases.selectors import get_case_for_user
from web.access import require_permission


@require_permission(party_correction.CORRECT)
def party_correction_page(request: HttpRequest, pk: int, role: str, person_pk: int) -> HttpResponse:
    """ "Not this person record?" for one person on the case (by role and the record they are on now): the
    coordinator moves them to a new record made from the referral, or to another record held here."""
    case = get_case_for_user(user=request.user, pk=pk, audit=request.method == "GET")
    if not request.user.has_perm(party_correction.CORRECT, case):
        raise Http404
    case_party = _party_of(case, role, person_pk)
    if case_party is None:
        if request.method == "POST":  # moved by someone else since the page was opened
            messages.error(request, party_correction.STALE)
            return redirect("cases:detail", pk=case.pk)
        raise Http404
    form = PartyCorrectionForm(request.POST if request.method == "POST" else None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            moved_to = party_correction.case_party_correct(
                case=case,
                case_party=case_party,
                based_on_version=form.cleaned_data["version"],
                to_person_id=form.to_person_id(),
                by=request.user,
            )
        except party_correction.PartyCorrectionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _moved_message(case_party, moved_to.pk))
            return redirect("cases:detail", pk=case.pk)
    on_referral = party_correction.referral_party(case_party)
    return render(
        request,
        "cases/party_correction.html",
        {"case": case, "case_party": case_party, "on_referral": on_referral, "form": form},
    )


def _party_of(case: Case, role: str, person_pk: int) -> CaseParty | None:
    if role not in PartyRole.values:
        return None
    return case.parties.select_related("person").filter(role=role, person_id=person_pk).first()


def _moved_message(case_party: CaseParty, new_person_id: int) -> str:
    """Ids only: messages may be kept in a cookie between pages."""
    old = case_party.person
    message = (
        f"This case's {case_party.get_role_display().lower()} is now on person record {new_person_id}. Person record "
        f"{old.pk} keeps its other cases."
    )
    if party_correction.addresses_from_referral(person=old, on_referral=party_correction.referral_party(case_party)):
        message += (
            f" Person record {old.pk} also holds the address this case's referral gave, changed since the referral was "
            "accepted so not taken off it here: check that record's addresses and end any that are not theirs."
        )
    return message
