"""Pages for research before the meeting: an agency's research on a listed case, the IDVA's account of the
victim's voice, and the coordinator's grid of who has researched what. Thin: parse, call a service, render."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render

from audit.services import audit_view
from marac.models import Agency
from meetings import research_selectors as selectors
from meetings.models import ChildResearch, ChildStatus, Listing, Research, VictimVoice
from meetings.research_forms import KNOWN_CHOICES, ChildResearchForm, ResearchForm, VictimVoiceForm
from meetings.research_services import (
    MEETING_CLOSED_MESSAGE,
    VICTIM_VOICE_FIELDS,
    MeetingClosed,
    NotYourAgency,
    StaleResearch,
    research_fields_for,
    research_save,
    victim_voice_save,
)
from referrals.calendar import format_moment
from web.access import require_permission

STALE_MESSAGE = (
    "Someone else saved this while you were editing it. Your changes have not been saved. "
    "What is saved now is shown below, and your text is still in the form: bring the two together, then save again."
)


def _agency(request: HttpRequest, listing: Listing, agency_id: int | None) -> Agency:
    agency = request.user.agency if agency_id is None else get_object_or_404(Agency, pk=agency_id)  # type: ignore[union-attr]
    if agency is None or not selectors.may_record_for(user=request.user, listing=listing, agency=agency):
        raise Http404
    return agency


def _with_version(data: QueryDict, version: int) -> QueryDict:
    # After a conflict the form keeps the user's text but is now based on what is saved, so saving again is a
    # deliberate choice made with both versions on screen.
    data = data.copy()
    data["version"] = str(version)
    return data


@require_permission("meetings.record_research")
def research_edit(request: HttpRequest, pk: int, agency_id: int | None = None) -> HttpResponse:
    listing = selectors.get_listing_for_user(user=request.user, pk=pk)
    agency = _agency(request, listing, agency_id)
    if selectors.meeting_has_closed(listing):
        return _closed_research(request, listing, agency)
    is_csc = selectors.is_childrens_social_care(agency)
    data = request.POST if request.method == "POST" else None
    # The page shows every agency's research below the form, so the agency's own comes with it. A save does not
    # read it at all: a bound form ignores what was saved, and the service reads the record again under its lock.
    summary = selectors.research_summary(listing=listing) if data is None else None
    own = summary.entry_of(agency) if summary is not None else None
    research = own.research if own is not None else None
    form = ResearchForm(data, research=research, is_csc=is_csc)
    child_forms = _child_forms(data, listing, own.children if own is not None else []) if is_csc else []
    conflict: Research | None = None
    if data is not None and form.is_valid() and all(child.is_valid() for child in child_forms):
        try:
            saved = research_save(
                listing=listing,
                agency=agency,
                data=_research_data(form, child_forms, agency),
                based_on_version=form.cleaned_data["version"],
                by=request.user,
            )
        except NotYourAgency:
            raise Http404 from None
        except MeetingClosed:  # closed while the form was being filled in
            return _closed_research(request, listing, agency)
        except StaleResearch as stale:
            conflict = stale.current  # type: ignore[assignment]
            form = ResearchForm(
                _with_version(data, conflict.version if conflict else 0), research=conflict, is_csc=is_csc
            )
            form.add_error(None, STALE_MESSAGE)
        else:
            _confirm_saved(request, saved, listing)
            return redirect(request.path)
    if summary is None:  # a form with errors or a save refused: the page again, with what is saved now
        summary = selectors.research_summary(listing=listing)
        own = summary.entry_of(agency)
        research = own.research if own is not None else None
    return render(
        request,
        "meetings/research_edit.html",
        _edit_context(request, listing, agency, research, form, child_forms, conflict) | {"summary": summary},
    )


def _closed_research(request: HttpRequest, listing: Listing, agency: Agency) -> HttpResponse:
    """The meeting has closed: its research is the record of what was known, shown read only. A save sent to it
    (a page opened before the close) is refused with the reason, and nothing is saved."""
    context = {
        "listing": listing,
        "agency": agency,
        "closed": True,
        "refused": MEETING_CLOSED_MESSAGE if request.method == "POST" else "",
        "not_saved": _research_sent(request.POST, listing, agency) if request.method == "POST" else [],
        "summary": selectors.research_summary(listing=listing),
        "people": selectors.people_to_research(listing=listing),
    }
    return render(request, "meetings/research_edit.html", context)


def _research_sent(data: QueryDict, listing: Listing, agency: Agency) -> list[tuple[str, str]]:
    """What the representative sent after the close, to show back once (never saved): so they can give it to the
    coordinator another way. Only the form's own fields, by their labels; blank ones left out."""
    is_csc = selectors.is_childrens_social_care(agency)
    form = ResearchForm(None, research=None, is_csc=is_csc)
    sent: list[tuple[str, str]] = []
    known = dict(KNOWN_CHOICES).get(data.get("known_to_agency", ""))
    if known:
        sent.append((str(form.fields["known_to_agency"].label), known))
    sent += [(str(form.fields[name].label), data.get(name, "")) for name in form.text_fields]
    for child_form in _child_forms(None, listing, []) if is_csc else []:
        status = dict(ChildStatus.choices).get(data.get(child_form.add_prefix("status"), ""), "")
        notes = data.get(child_form.add_prefix("notes"), "")
        sent.append((str(child_form.child), "\n".join(part for part in (status, notes) if part.strip())))
    return [(label, text) for label, text in sent if text.strip()]


def _child_forms(data: QueryDict | None, listing: Listing, rows: list[ChildResearch]) -> list[ChildResearchForm]:
    saved = {row.child_id: row for row in rows}
    return [ChildResearchForm(data, child=child, saved=saved.get(child.pk)) for child in selectors.children_of(listing)]


def _research_data(form: ResearchForm, child_forms: list[ChildResearchForm], agency: Agency) -> dict[str, Any]:
    data = {name: form.cleaned_data[name] for name in research_fields_for(agency)}
    data["children"] = {child.child.pk: child.cleaned_data for child in child_forms}
    return data


def _confirm_saved(request: HttpRequest, research: Research, listing: Listing) -> None:
    deadline = selectors.deadline_for(listing)
    if selectors.research_is_late(research, deadline):
        messages.warning(
            request,
            f"Research saved. This written submission was late: it was due by {format_moment(deadline)}, "
            "so tell the coordinator it has arrived.",
        )
    else:
        messages.success(request, "Research saved")


def _edit_context(
    request: HttpRequest,
    listing: Listing,
    agency: Agency,
    research: Research | None,
    form: ResearchForm,
    child_forms: list[ChildResearchForm],
    conflict: Research | None,
) -> dict[str, Any]:
    deadline = selectors.deadline_for(listing)
    due = "were" if selectors.deadline_has_passed(deadline) else "are"
    form.fields["is_written_submission"].help_text = f"Written submissions {due} due by {format_moment(deadline)}."
    return {
        "listing": listing,
        "agency": agency,
        "research": research,
        "form": form,
        "child_forms": child_forms,
        "conflict": conflict,
        "conflict_fields": [(form.fields[name].label, getattr(conflict, name)) for name in form.text_fields]
        if conflict
        else [],
        "people": selectors.people_to_research(listing=listing),
        "deadline": deadline,
        "deadline_passed": selectors.deadline_has_passed(deadline),
        "is_late": research is not None and selectors.research_is_late(research, deadline),
        "may_record_victim_voice": selectors.may_record_victim_voice(user=request.user, listing=listing),
    }


@require_permission("meetings.record_research")
def victim_voice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.get_listing_for_user(user=request.user, pk=pk)
    if not selectors.may_record_victim_voice(user=request.user, listing=listing):
        raise Http404
    voice = selectors.victim_voice_for(listing=listing)
    if selectors.meeting_has_closed(listing):
        return _closed_victim_voice(request, listing, voice)
    data = request.POST if request.method == "POST" else None
    form = VictimVoiceForm(data, voice=voice)
    conflict = None
    if data is not None and form.is_valid():
        try:
            victim_voice_save(
                listing=listing, data=form.cleaned_data, based_on_version=form.cleaned_data["version"], by=request.user
            )
        except MeetingClosed:
            return _closed_victim_voice(request, listing, selectors.victim_voice_for(listing=listing))
        except StaleResearch as stale:
            conflict = stale.current
            form = VictimVoiceForm(_with_version(data, conflict.version if conflict else 0), voice=None)
            form.add_error(None, STALE_MESSAGE)
        else:
            messages.success(request, "The victim's voice is saved")
            return redirect("meetings_research:research", pk=listing.pk)
    return render(
        request, "meetings/research_victim_voice.html", {"listing": listing, "form": form, "conflict": conflict}
    )


def _closed_victim_voice(request: HttpRequest, listing: Listing, voice: VictimVoice | None) -> HttpResponse:
    context = {
        "listing": listing,
        "voice": voice,
        "closed": True,
        "refused": MEETING_CLOSED_MESSAGE if request.method == "POST" else "",
        "not_saved": _victim_voice_sent(request.POST) if request.method == "POST" else [],
    }
    return render(request, "meetings/research_victim_voice.html", context)


def _victim_voice_sent(data: QueryDict) -> list[tuple[str, str]]:
    """The victim's voice sent after the close, shown back once and never saved (as _research_sent)."""
    form = VictimVoiceForm(None, voice=None)
    sent = [(str(form.fields[name].label), data.get(name, "")) for name in VICTIM_VOICE_FIELDS]
    return [(label, text) for label, text in sent if text.strip()]


@require_permission("meetings.view_research_grid")
def research_grid(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_grid(user=request.user, pk=pk)
    audit_view(meeting, user=request.user, summary="Viewed the research grid")
    grid = selectors.research_grid(meeting=meeting, viewer=request.user)
    may_record = request.user.has_perm("meetings.record_research", meeting)
    return render(request, "meetings/research_grid.html", {"grid": grid, "meeting": meeting, "may_record": may_record})
