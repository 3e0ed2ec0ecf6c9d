"""The referrer's pages: start a referral, complete it section by section, check it and submit it."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts import kept_form
from accounts.permissions import marac_name
from audit.services import audit_view
from marac.models import Marac
from referrals import risk, services
from referrals.errors import RuleInputError
from referrals.forms import ADDRESS_FIELDS, AT_VICTIM_ADDRESS, ChildForm, at_victim_address_field
from referrals.models import Referral, ReferralStatus, Transfer
from referrals.sections import SECTIONS, SECTIONS_BY_SLUG, Section, form_for, readable, readable_by_name
from referrals.selectors import (
    get_referral_for_user,
    may_refer_at_its_marac,
    referral_answers,
    referral_answers_shown_to_referrer,
    referral_current_meeting,
    referral_is_editable_by,
    referrals_of,
    referrals_with_current_meeting,
)
from web import once
from web.access import current_marac_where, require_permission

STALE_MESSAGE = (
    "This referral was saved somewhere else (another window or device) since you opened this page. "
    "Nothing here has been saved yet: check your answers below, then save again."
)
STALE_DELETE_MESSAGE = (
    "This draft was changed in another window since you opened this page. "
    "Nothing was deleted: check it, then delete it again if you still want to."
)
OUT_OF_DATE_MESSAGE = "The page was out of date: check the referral and save again"
OUT_OF_DATE_DELETE_MESSAGE = (
    "The page was out of date: nothing was deleted. Check the referral, then delete it again if you still want to"
)
ITEM_KEY_FIELD = "item_key"  # the hidden field of an item's pages (section_form.html, item_remove.html)
ITEM_MOVED_MESSAGE = (
    "This {item} is now {item} {number}: since you opened this page, another window removed one before it. "
    "Nothing here has been saved yet: check your answers below against what is saved now for this {item}, "
    "then save again."
)
ITEM_REMOVED_MESSAGE = (
    "This {item} was removed in another window since you opened this page. Nothing here has been saved: what you "
    "typed is below. To keep it, save it as a new {item}; if not, go back to the list."
)
ITEM_NOT_REMOVED_MESSAGE = (
    "This {item} was removed or moved in another window since you opened this page. Nothing was removed: check the "
    "list, then remove it again if you still want to."
)
DRAFT_SAVED_MESSAGE = "Draft saved. You can come back to it later"
NOTHING_TO_SAVE_MESSAGE = "Nothing was typed, so nothing was added. You can come back to it later"
PREGNANCY_PRESELECTED = (
    "Selected for you because the victim's details say the victim is pregnant. Change it if it is wrong."
)
NO_REFERRAL_ROLE_MESSAGE = (
    "This referral cannot be changed or submitted: you do not hold a role that makes referrals at {marac}. "
    "Ask your administrator if you still need to refer there."
)


def _section(slug: str) -> Section:
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    return section


def _editable(request: HttpRequest, pk: int) -> Referral:
    referral = get_referral_for_user(user=request.user, pk=pk)
    if not referral_is_editable_by(user=request.user, referral=referral):
        raise Http404
    return referral


def _version(request: HttpRequest) -> int | None:
    """The version of the referral the page was based on, or None when the page sent none or not a number: every
    page of a referral sends it, so its absence is refused (nothing saved), never taken as "skip the check"."""
    sent = request.POST.get("version", "")
    return int(sent) if sent.isascii() and sent.isdigit() else None


@require_permission("referrals.make_referral")
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = referrals_with_current_meeting(referrals_of(user=request.user))
    context = {
        "referrals": referrals,
        # Where "Start" makes the draft, which may not be the MARAC in the header (a role there that does not refer).
        "start_marac": marac_name(request.user, current_marac_where(request, "referrals.make_referral")),
        "once_field": once.FIELD,
        "once": once.new_token(),
    }
    return render(request, "referrals/referral_list.html", context)


@require_permission("referrals.make_referral")
def referral_start(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("referrals:list")
    if (again := once.already_done(request)) is not None:
        return again  # "Start" sent twice: one draft, not two
    # Where the user may refer: the MARAC chosen this session if they may refer there, else the first where they may.
    marac = Marac.objects.get(pk=current_marac_where(request, "referrals.make_referral"))
    if request.user.agency_id is None:  # type: ignore[union-attr]
        messages.error(request, "Your account has no agency: ask your administrator to add one before you refer.")
        return redirect("referrals:list")
    referral = services.referral_start(marac=marac, by=request.user)
    return once.done(request, reverse("referrals:section", args=[referral.pk, SECTIONS[0].slug]))


@require_permission("referrals.make_referral")
def referral_overview(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(user=request.user, pk=pk, audit=False)
    if not referral_is_editable_by(user=request.user, referral=referral):
        if _stopped_for_want_of_a_role(request, referral):
            messages.warning(request, NO_REFERRAL_ROLE_MESSAGE.format(marac=referral.marac.name))
        return _status(request, referral)
    return _overview(request, referral)


def _stopped_for_want_of_a_role(request: HttpRequest, referral: Referral) -> bool:
    """Their own draft (or returned referral), not theirs to change only because they may not refer at its MARAC: a
    role there removed since they started it, or a referral the MARAC transferred it to returned to them."""
    return (
        referral.referrer_id == request.user.pk
        and referral.status in services.EDITABLE
        and not may_refer_at_its_marac(user=request.user, referral=referral)
    )


def _overview(request: HttpRequest, referral: Referral, *, refused: dict[str, list[str]] | None = None) -> HttpResponse:
    """The referral's sections and where each has got to; after a refused submission, also why, in one summary."""
    audit_view(referral, user=request.user)
    problems = services.referral_problems(referral)
    decision = None
    if not problems:
        try:
            decision = services.decision_as_data(services.criteria_decision(referral))
        except RuleInputError as error:
            problems = {"": list(error.problems)}
    rows = [(section, referral.content.get(section.slug), problems.get(section.slug, [])) for section in SECTIONS]
    return render(
        request,
        "referrals/referral_overview.html",
        {
            "referral": referral,
            "rows": rows,
            "problems": problems,
            "decision": decision,
            "baby_prompt": baby_prompt(referral),
            "refused": _refusal_summary(referral, refused, decision) if refused else None,
        },
    )


def _refusal_summary(
    referral: Referral, refused: dict[str, list[str]], decision: dict[str, Any] | None
) -> list[tuple[str, str]]:
    """Why a submission was refused, as (problem, link) for one error summary: a section's problems link to the
    section; not meeting the criteria links to the criteria below, with what else to do; anything else has no link."""
    summary: list[tuple[str, str]] = []
    for slug, items in refused.items():
        if slug in SECTIONS_BY_SLUG:
            link = reverse("referrals:section", args=[referral.pk, slug])
            summary.extend((problem, link) for problem in items)
        elif decision is not None and not decision["met"]:
            summary.append((decision["summary"], "#criteria-decision"))  # the signposts are shown with it
        else:
            summary.extend((problem, "") for problem in items)
    return summary


def _status(request: HttpRequest, referral: Referral) -> HttpResponse:
    """Where a referral has got to; for its referrer, also what they submitted, read only (and audited as read)."""
    answers = None
    if referral_answers_shown_to_referrer(user=request.user, referral=referral):
        answers = referral_answers(referral)
        audit_view(referral, user=request.user, summary="Read the referral as submitted")
    else:
        audit_view(referral, user=request.user)
    transfer = Transfer.objects.filter(from_referral=referral).select_related("to_marac").first()
    context = {
        "referral": referral,
        "answers": answers,
        "transfer": transfer,
        "current_meeting": referral_current_meeting(referral),
    }
    return render(request, "referrals/referral_status.html", context)


def baby_prompt(referral: Referral) -> str | None:
    """Question 9 yes with no baby or pregnancy recorded (risk.baby_question_prompt), from what has been typed so
    far: the referrer sees it while there is still time to add them."""
    content = referral.content
    return risk.baby_question_prompt(
        baby_answer=(content.get("risk") or {}).get(f"q{risk.BABY_QUESTION}"),
        victim_pregnant=(content.get("victim") or {}).get("pregnant"),
        children_born=[_date_of_birth(child) for child in content.get("children", [])],
        referral_date=timezone.localdate(),
    )


def _date_of_birth(child: dict[str, Any]) -> date | None:
    """A child's date of birth as the child's form reads it, or None while it is missing or not a real date."""
    try:
        born = ChildForm.base_fields["date_of_birth"].clean(child.get("date_of_birth"))
    except forms.ValidationError:
        return None
    return born if isinstance(born, date) else None


@require_permission("referrals.make_referral")
def referral_submit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _editable(request, pk)
    if request.method != "POST":
        return redirect("referrals:overview", pk=pk)
    if (version := _version(request)) is None:
        messages.error(request, OUT_OF_DATE_MESSAGE)
        return redirect("referrals:overview", pk=pk)
    try:
        problems = services.referral_submit(referral=referral, based_on_version=version, by=request.user)
    except services.StaleReferral:
        messages.error(request, STALE_MESSAGE)
        return redirect("referrals:overview", pk=pk)
    if problems:
        return _overview(request, referral, refused=problems)
    messages.success(request, "Referral submitted to the MARAC coordinator")
    return redirect("referrals:overview", pk=pk)


def _next_url(referral: Referral, section: Section) -> Any:
    """After "Save and continue": a list's items, or the next section (the referral's overview after the last)."""
    if section.is_list:
        return redirect("referrals:section", pk=referral.pk, slug=section.slug)
    position = SECTIONS.index(section)
    if position + 1 < len(SECTIONS):
        return redirect("referrals:section", pk=referral.pk, slug=SECTIONS[position + 1].slug)
    return redirect("referrals:overview", pk=referral.pk)


@require_permission("referrals.make_referral")
def referral_section(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    section = _section(slug)
    referral = get_referral_for_user(user=request.user, pk=pk, audit=False)
    if not referral_is_editable_by(user=request.user, referral=referral):
        if request.method == "GET" and referral_answers_shown_to_referrer(user=request.user, referral=referral):
            # Submitted: no longer changed here, but its referrer can still read what they sent (the page it goes
            # to records the read).
            return redirect(reverse("referrals:overview", args=[pk]) + f"#section-{section.slug}")
        raise Http404
    audit_view(referral, user=request.user)
    if section.is_list:
        return render(
            request,
            "referrals/section_list.html",
            {
                "referral": referral,
                "section": section,
                "summaries": [item_summary(item) for item in referral.content.get(slug, [])],
            },
        )
    return _edit(request, referral, section, index=None)


@require_permission("referrals.make_referral")
def referral_item(request: HttpRequest, pk: int, slug: str, index: int | None = None) -> HttpResponse:
    referral = _editable(request, pk)
    section = _section(slug)
    if not section.is_list:
        raise Http404
    return _edit(request, referral, section, index=index)


@require_permission("referrals.make_referral")
def referral_item_remove(request: HttpRequest, pk: int, slug: str, index: int) -> HttpResponse:
    """Asks first (a page of its own, so it works without JavaScript), then removes and says what went. The page
    sends the key of the item it showed: if another window has removed or moved that item since, nothing is removed."""
    referral = _editable(request, pk)
    section = _section(slug)
    items = referral.content.get(slug, [])
    item_key = _item_key_sent(request)
    if not section.is_list or (index >= len(items) and item_key is None):
        raise Http404
    label = f"{section.item_name.capitalize()} {index + 1}"
    if request.method == "POST":
        if (version := _version(request)) is None:
            messages.error(request, OUT_OF_DATE_MESSAGE)
            return redirect("referrals:section", pk=pk, slug=slug)
        try:
            services.referral_remove_item(
                referral=referral,
                section=section,
                index=index,
                item_key=item_key,
                based_on_version=version,
                by=request.user,
            )
        except services.StaleReferral:
            referral.refresh_from_db()
            moved = item_key is not None and _place(referral, section, item_key) != index
            messages.error(request, ITEM_NOT_REMOVED_MESSAGE.format(item=section.item_name) if moved else STALE_MESSAGE)
        else:
            # The item's number, never its name: messages travel in a cookie.
            messages.success(request, f"{label} removed")
        return redirect("referrals:section", pk=pk, slug=slug)
    return render(
        request,
        "referrals/item_remove.html",
        {
            "referral": referral,
            "section": section,
            "label": label,
            "summary": item_summary(items[index]),
            "item_key": services.item_keys(referral.content, slug)[index],
        },
    )


def _item_key_sent(request: HttpRequest) -> str | None:
    """The key of the item a posted page was opened for; None from a page that sent none (the version check alone
    then guards it, as before items had keys)."""
    return (request.POST.get(ITEM_KEY_FIELD) or None) if request.method == "POST" else None


def _place(referral: Referral, section: Section, item_key: str) -> int | None:
    """Where the item with this key is in its list now, or None once it has been removed."""
    keys = services.item_keys(referral.content, section.slug)
    return keys.index(item_key) if item_key in keys else None


@require_permission("referrals.make_referral")
def referral_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft never submitted: asked first, on a page of its own (works without JavaScript)."""
    referral = _editable(request, pk)
    if referral.status != ReferralStatus.DRAFT or referral.submitted_at is not None:
        raise Http404  # a returned referral was submitted: it is the MARAC's record, not the referrer's to delete
    if request.method == "POST":
        if (version := _version(request)) is None:
            messages.error(request, OUT_OF_DATE_DELETE_MESSAGE)
            return redirect("referrals:overview", pk=pk)
        try:
            services.referral_discard(referral=referral, based_on_version=version, by=request.user)
        except services.StaleReferral:
            messages.error(request, STALE_DELETE_MESSAGE)
            return redirect("referrals:overview", pk=pk)
        except services.NotDiscardable:
            raise Http404 from None
        messages.success(request, f"Draft referral {pk} deleted")
        return redirect("referrals:list")
    return render(request, "referrals/referral_discard.html", {"referral": referral})


def item_summary(item: dict[str, Any]) -> str:
    """How the list of a section names an item: the person's name, a description, or the event's date and what it
    was ("1 January 2027: an incident of abuse"), in the words the referral shows them in."""
    name = f"{item.get('given_name', '')} {item.get('family_name', '')}".strip()
    if name or item.get("description"):
        return name or str(item["description"])
    event = readable_by_name(SECTIONS_BY_SLUG["history"], item)
    kind = event.get("kind", "")  # "An incident of abuse", inside a sentence
    return ": ".join(words for words in (event.get("happened_on", ""), kind[:1].lower() + kind[1:]) if words)


def _edit(request: HttpRequest, referral: Referral, section: Section, *, index: int | None) -> HttpResponse:
    """A section, or one item of a list (index None: a new item). An item is also named by its key, carried by the
    page, so a save from a page opened before another window removed an item never lands on a different one."""
    questions = services.instrument_for(referral).questions if section.slug == "risk" else []
    stored = referral.content.get(section.slug)
    item_key = None
    if section.is_list:
        keys = services.item_keys(referral.content, section.slug)
        if index is not None and index < len(keys):
            stored, item_key = stored[index], keys[index]
        else:
            stored = None  # a new item, or one no longer there
    if request.method == "POST":
        sent = (_item_key_sent(request) or item_key) if index is not None else None
        return _save(request, referral, section, questions, index=index, item_key=sent)
    kept = kept_form.take(request)  # typed before the session timed out: shown again, not saved
    if index is not None and stored is None and kept is None:
        raise Http404
    pregnancy = _pregnancy_question(referral, section, questions, stored) if kept is None else None
    data = stored if kept is None else kept
    if pregnancy and data is not None:
        data = {**data, pregnancy: "yes"}  # a copy: the referral's saved answers are left as they are
    form = _form(referral, section, data=data, questions=questions)
    if pregnancy:
        form.fields[pregnancy].initial = "yes"
        form.fields[pregnancy].help_text = PREGNANCY_PRESELECTED
    if stored is not None or kept is not None:
        form.is_valid()  # coming back to a saved section: show what still needs correcting
    if kept is not None and kept.get("version") != str(referral.version):
        kept_key = kept.get(ITEM_KEY_FIELD) if index is not None else None
        return _conflict(request, referral, section, form, questions, index=index, item_key=kept_key or item_key)
    return _render_section(request, referral, section, form, index, item_key=item_key)


def _save(
    request: HttpRequest,
    referral: Referral,
    section: Section,
    questions: list[dict[str, Any]],
    *,
    index: int | None,
    item_key: str | None,
) -> HttpResponse:
    if index is not None and item_key is None:
        raise Http404  # no such item, and the page named none
    posted = _with_victim_address(referral, section, request.POST)
    form = _form(referral, section, data=posted, questions=questions)
    as_draft = request.POST.get("action") == "draft"
    if section.is_list and index is None and not form.has_changed():
        if as_draft:  # nothing typed to keep: back to the referral, with no blank item added
            messages.info(request, NOTHING_TO_SAVE_MESSAGE)
            return redirect("referrals:overview", pk=referral.pk)
        form.is_valid()  # nothing typed: show what is needed, and add no blank item
        return _render_section(request, referral, section, form, index)
    if (version := _version(request)) is None:
        _unsaved(form, OUT_OF_DATE_MESSAGE, as_draft=as_draft)  # what was typed stays in the form, unsaved
        return _render_section(request, referral, section, form, index, item_key=item_key)
    try:
        referral, errors = services.referral_save_section(
            referral=referral,
            section=section,
            data=posted.dict() | _lists(posted, form),
            index=index,
            item_key=item_key,
            based_on_version=version,
            by=request.user,
        )
    except services.StaleReferral:
        referral.refresh_from_db()
        return _conflict(request, referral, section, form, questions, index=index, item_key=item_key, as_draft=as_draft)
    if as_draft:  # kept as typed, valid or not: the errors wait until they save and continue
        messages.success(request, DRAFT_SAVED_MESSAGE)
        return redirect("referrals:overview", pk=referral.pk)
    if not errors:
        return _next_url(referral, section)
    messages.info(request, "Saved as a draft. Some answers need correcting before you can submit.")
    if section.is_list and index is None:
        # The new item now exists: correcting it from here on changes it, never adds another.
        added = len(referral.content[section.slug]) - 1
        return redirect("referrals:item", pk=referral.pk, slug=section.slug, index=added)
    form.is_valid()
    return _render_section(request, referral, section, form, index, item_key=item_key)


def _conflict(
    request: HttpRequest,
    referral: Referral,
    section: Section,
    form: Any,
    questions: list[dict[str, Any]],
    *,
    index: int | None,
    item_key: str | None,
    as_draft: bool = False,
) -> HttpResponse:
    """Refused as out of date: what is saved now beside the user's version, unsaved in the form, the reason first in
    its error summary. For an item of a list, that item wherever it now is, the form then saving it there; if it has
    been removed, the form offers to add it again as a new item. Saving again never replaces a different item."""
    place = _place(referral, section, item_key) if index is not None and item_key is not None else index
    if index is not None and place is None:
        _unsaved(form, ITEM_REMOVED_MESSAGE.format(item=section.item_name), as_draft=as_draft)
        added_at = reverse("referrals:item_add", args=[referral.pk, section.slug])
        conflict = saved_now(referral, section, None, questions)
        return _render_section(request, referral, section, form, None, conflict=conflict, action=added_at)
    action = None
    if place is not None and place != index:
        _unsaved(form, ITEM_MOVED_MESSAGE.format(item=section.item_name, number=place + 1), as_draft=as_draft)
        action = reverse("referrals:item", args=[referral.pk, section.slug, place])
    else:
        _unsaved(form, STALE_MESSAGE, as_draft=as_draft)
    conflict = saved_now(referral, section, place, questions)
    return _render_section(request, referral, section, form, place, conflict=conflict, item_key=item_key, action=action)


def _unsaved(form: Any, reason: str, *, as_draft: bool) -> None:
    """Why nothing was saved, as the form's first error, so the error summary leads with it (WCAG 3.3.1). Saving as a
    draft needs no answer, so a draft's form shows only the reason; "Save and continue" shows what else to correct."""
    form.is_valid()
    if as_draft:
        form.errors.clear()
    form.add_error(None, reason)


def saved_now(
    referral: Referral, section: Section, index: int | None, questions: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """After a conflict, what the other window saved in this section, as the referrer would read it: the answers of
    the section (or of this item of a list), or the items of the list when adding one. Shown above the user's own
    version, which stays in the form unsaved, so saving again is a choice made with both on screen."""
    saved = referral.content.get(section.slug)
    if not section.is_list:
        return readable(section, saved or {}, questions=questions)
    items = saved or []
    if index is None:
        return [
            (f"{section.item_name.capitalize()} {number}", item_summary(item)) for number, item in enumerate(items, 1)
        ]
    if index >= len(items):
        return [(f"{section.item_name.capitalize()} {index + 1}", "Removed")]
    return readable(section, items[index], questions=questions)


def _form(referral: Referral, section: Section, *, data: Any, questions: list[dict[str, Any]]) -> Any:
    """The section's form; on a child's or perpetrator's page, once the victim's address is given, with the offer of
    that address just before their own (WCAG 3.3.7 Redundant Entry). The offer is the page's alone: the API's forms,
    and so what it accepts, are unchanged."""
    form = form_for(section, data=data, questions=questions)
    address = _victim_address(referral)
    if section.slug in ADDRESS_OFFERED and address:
        offer = at_victim_address_field(who=section.item_name, address=address)
        fields = list(form.fields.items())
        fields.insert([name for name, _field in fields].index(ADDRESS_FIELDS[0]), (AT_VICTIM_ADDRESS, offer))
        form.fields = dict(fields)
    return form


ADDRESS_OFFERED = {"children", "perpetrators"}


def _victim_address(referral: Referral) -> str:
    """The victim's address as the referral shows it ("12 Imaginary Row, Nowhereton, NB1 2XY"); "" until given."""
    victim = referral.content.get("victim") or {}
    if not any(victim.get(name) for name in ADDRESS_FIELDS):
        return ""
    words = readable_by_name(SECTIONS_BY_SLUG["victim"], victim)
    return ", ".join(words[name] for name in ADDRESS_FIELDS if words.get(name))


def _with_victim_address(referral: Referral, section: Section, posted: QueryDict) -> QueryDict:
    """What was posted, with the victim's address copied in when "lives at the victim's address" was ticked. Copied,
    not linked: the item keeps this address if the victim's changes later. The tick itself is never kept."""
    if AT_VICTIM_ADDRESS not in posted:
        return posted
    data = posted.copy()
    ticked = forms.BooleanField().to_python(data.pop(AT_VICTIM_ADDRESS)[-1])  # "on" from the tick box
    if ticked and section.slug in ADDRESS_OFFERED and _victim_address(referral):
        victim = referral.content["victim"]
        for name in ADDRESS_FIELDS:
            data[name] = str(victim.get(name) or "")
    return data


def _pregnancy_question(
    referral: Referral, section: Section, questions: list[dict[str, Any]], stored: dict[str, Any] | None
) -> str | None:
    """The risk checklist's pregnancy question (DASH 9: pregnant, or a baby in the last 18 months), to pre-select
    "yes" when the victim's section says the victim is pregnant and it has not been answered yet (WCAG 3.3.7).
    None otherwise: an answer given is never changed."""
    if section.slug != "risk" or (referral.content.get("victim") or {}).get("pregnant") != "yes":
        return None
    name = f"q{risk.BABY_QUESTION}"
    asks = any(q["number"] == risk.BABY_QUESTION and "pregnan" in str(q["text"]).lower() for q in questions)
    return name if asks and not (stored or {}).get(name) else None


def _lists(posted: QueryDict, form: Any) -> dict[str, list[str]]:
    """Fields that take several values (checkboxes) are kept as lists."""
    return {
        name: posted.getlist(name)
        for name, field in form.fields.items()
        if hasattr(field, "choices") and getattr(field.widget, "allow_multiple_selected", False)
    }


def _render_section(
    request: HttpRequest,
    referral: Referral,
    section: Section,
    form: Any,
    index: int | None,
    conflict: list[tuple[str, str]] | None = None,
    *,
    item_key: str | None = None,
    action: str | None = None,
) -> HttpResponse:
    """The section's form; for an item of a list, with the key of the item its answers belong to. `action`: where
    the form posts when that is not this page's own address (its item has moved, or been removed)."""
    instrument = services.instrument_for(referral) if section.slug == "risk" else None
    return render(
        request,
        "referrals/section_form.html",
        {
            "referral": referral,
            "section": section,
            "form": form,
            "index": index,
            "instrument": instrument,
            "is_last": section == SECTIONS[-1],
            "conflict": conflict,
            "item_key": item_key,
            "action": action,
        },
    )
