"""Writing referrals: drafts saved section by section as typed, and submission with the criteria decided.
Every write is audited in its own transaction; audit summaries name sections, never what was typed."""

import secrets
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from referrals import criteria, risk
from referrals.errors import RuleInputError
from referrals.instrument_services import ensure_shipped_instruments
from referrals.models import Referral, ReferralStatus, RiskInstrument
from referrals.sections import SECTIONS, SECTIONS_BY_SLUG, Section, form_for

EDITABLE = {ReferralStatus.DRAFT, ReferralStatus.RETURNED}
MAKE_REFERRAL = "referrals.make_referral"
# The content's entry holding each list section's item keys, in the list's order. Beside the items, not in them:
# the items are what was typed (the API returns them as they are, and refuses a field the form does not have).
ITEM_KEYS = "item_keys"


class StaleReferral(Exception):
    """Someone else (another tab, another device) saved this referral first."""


class ItemMoved(StaleReferral):
    """The item a page was opened for is no longer at that place in its list: removed, or moved up by a removal."""


class NotEditable(Exception):
    """The referral has been submitted and is with the coordinator."""


class NotAllowedAtMarac(PermissionDenied):
    """The user holds no role that makes referrals at this MARAC (a role elsewhere is not enough). The views check
    first (web.access.current_marac_where, selectors.referral_is_editable_by); this is the check under the lock."""


def referral_start(*, marac: Marac, by: Any) -> Referral:
    if not by.has_perm(MAKE_REFERRAL, marac):
        raise NotAllowedAtMarac
    with transaction.atomic():
        referral = Referral.objects.create(marac=marac, referrer=by, referring_agency=by.agency)
        audit_record(action=AuditAction.CREATE, obj=referral, user=by, summary="Started a referral")
    return referral


def _locked(referral: Referral, based_on_version: int | None, *, by: Any) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.status not in EDITABLE:
        raise NotEditable
    if not by.has_perm(MAKE_REFERRAL, current):
        raise NotAllowedAtMarac
    if based_on_version is not None and current.version != based_on_version:
        raise StaleReferral
    return current


def item_keys(content: dict[str, Any], slug: str) -> list[str]:
    """What names each item of a list section for as long as it is there, whatever is removed before it: random,
    so it says nothing about the person. A draft saved before items had keys has its items named by their places,
    as its pages named them; the next write stores those keys, so they last from then on."""
    items = content.get(slug) or []
    keys = (content.get(ITEM_KEYS) or {}).get(slug)
    if isinstance(keys, list) and len(keys) == len(items):
        return [str(key) for key in keys]
    return [f"i{place}" for place in range(len(items))]  # never a random key's: those are hexadecimal


def _with_item_keys(content: dict[str, Any], slug: str, keys: list[str]) -> dict[str, Any]:
    return {**content, ITEM_KEYS: {**(content.get(ITEM_KEYS) or {}), slug: keys}}


def _check_item(keys: list[str], index: int | None, item_key: str | None) -> None:
    """The page's item is still at its place; item_key None (the API, which names items by place) skips this."""
    if item_key is not None and (index is None or not 0 <= index < len(keys) or keys[index] != item_key):
        raise ItemMoved


def referral_save_section(
    *,
    referral: Referral,
    section: Section,
    data: dict[str, Any],
    index: int | None = None,
    item_key: str | None = None,
    based_on_version: int | None,
    by: Any,
) -> tuple[Referral, dict[str, list[str]]]:
    """Keep what was typed, valid or not, and return the section's errors for the page to show. For an item of a
    list, item_key is the key of the item the page was opened for: ItemMoved if that is no longer the one at index."""
    ignored = {"csrfmiddlewaretoken", "version", "action", "item_key"}
    raw = {key: value for key, value in data.items() if key not in ignored}
    errors = section_errors(referral, section, raw)
    with transaction.atomic():
        current = _locked(referral, based_on_version, by=by)
        content = dict(current.content)
        if section.is_list:
            items = list(content.get(section.slug, []))
            keys = item_keys(content, section.slug)
            _check_item(keys, index, item_key)
            if index is None or index >= len(items):
                items.append(raw)
                keys.append(secrets.token_hex(8))
            else:
                items[index] = raw
            content = _with_item_keys(content, section.slug, keys)
            content[section.slug] = items
        else:
            content[section.slug] = raw
        current.content = content
        current.version += 1
        current.save(update_fields=["content", "version", "updated_at"])
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=f"Saved section: {section.slug}")
    return current, errors


def referral_remove_item(
    *,
    referral: Referral,
    section: Section,
    index: int,
    item_key: str | None = None,
    based_on_version: int | None,
    by: Any,
) -> Referral:
    """Remove the item at index; given item_key, ItemMoved (nothing removed) if that is no longer the one there."""
    with transaction.atomic():
        current = _locked(referral, based_on_version, by=by)
        items = list(current.content.get(section.slug, []))
        keys = item_keys(current.content, section.slug)
        _check_item(keys, index, item_key)
        if 0 <= index < len(items):
            del items[index]
            del keys[index]
        current.content = {**_with_item_keys(current.content, section.slug, keys), section.slug: items}
        current.version += 1
        current.save(update_fields=["content", "version", "updated_at"])
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=f"Removed an item from {section.slug}")
    return current


class NotDiscardable(Exception):
    """Only a draft never submitted can be deleted: a submitted one is the MARAC's record (and counted)."""


def referral_discard(*, referral: Referral, based_on_version: int | None, by: Any) -> None:
    """The referrer deletes a draft they no longer need, with everything typed in it (nothing counts a draft).
    StaleReferral if it was saved elsewhere since the page was shown; NotDiscardable once submitted."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.DRAFT or current.submitted_at is not None:
            raise NotDiscardable
        if based_on_version is not None and current.version != based_on_version:
            raise StaleReferral
        audit_record(
            action=AuditAction.DELETE,
            object_type="referrals.referral",
            object_id=str(current.pk),
            marac_id=current.marac_id,
            user=by,
            summary=f"Deleted draft referral {current.pk}, never submitted",
        )
        current.delete()


def instrument_for(referral: Referral) -> RiskInstrument:
    """The version the referral was answered on; for a new one, the current version for the victim's age."""
    if referral.instrument_id:
        return referral.instrument  # type: ignore[return-value]
    code = risk.DASH_RIC.code
    victim_dob = cleaned_section(referral, SECTIONS_BY_SLUG["victim"]).get("date_of_birth")
    if victim_dob:
        choice = risk.checklist_for_victim(victim_dob, timezone.localdate())
        if choice.checklist is not None:
            code = choice.checklist.code
    instrument = RiskInstrument.objects.filter(code=code, is_current=True).order_by("-version").first()
    if instrument is None:  # a database emptied since it was migrated: put the shipped versions back
        ensure_shipped_instruments()
        instrument = RiskInstrument.objects.get(code=code, is_current=True)
    return instrument


def section_errors(referral: Referral, section: Section, raw: dict[str, Any]) -> dict[str, list[str]]:
    raw = _as_submitted(referral, section, raw)
    form = form_for(section, data=raw, questions=instrument_for(referral).questions if section.slug == "risk" else [])
    return {} if form.is_valid() else {field: [str(e) for e in errs] for field, errs in form.errors.items()}


def cleaned_section(referral: Referral, section: Section, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """A section as its form cleans it, or {} while it is not yet valid."""
    data = _as_submitted(referral, section, raw if raw is not None else referral.content.get(section.slug, {}))
    questions = instrument_for(referral).questions if section.slug == "risk" else []
    form = form_for(section, data=data, questions=questions)
    return form.cleaned_data if form.is_valid() else {}


def _as_submitted(referral: Referral, section: Section, stored: dict[str, Any]) -> dict[str, Any]:
    """A submitted referral's answers to a question asked only since, as the referrer meant them then. Before the
    criteria asked "is the abuse escalating in frequency or severity?", describing escalation was what met the
    criterion: read that as yes, as it was decided. A draft (or a returned referral) is not read this way: its
    form asks the question on the next edit."""
    if referral.status in EDITABLE or section.slug != "criteria" or "escalating" in stored:
        return stored
    described = str(stored.get("escalation_evidence") or "").strip()
    return {**stored, "escalating": "yes"} if described else stored


def referral_problems(referral: Referral) -> dict[str, list[str]]:
    """Everything that stops submission, by section slug ("" for the referral as a whole)."""
    problems: dict[str, list[str]] = {}
    for section in SECTIONS:
        stored = referral.content.get(section.slug)
        if section.is_list:
            items = stored or []
            if section.required and not items:
                problems.setdefault(section.slug, []).append(f"Add at least one {section.item_name}")
            for number, item in enumerate(items, start=1):
                if section_errors(referral, section, item):
                    problems.setdefault(section.slug, []).append(f"Complete {section.item_name} {number}")
        elif stored is None:
            if section.required:
                problems.setdefault(section.slug, []).append(f"Complete the section: {section.title.lower()}")
        elif section_errors(referral, section, stored):
            problems.setdefault(section.slug, []).append(f"Correct the errors in: {section.title.lower()}")
    victim_dob = cleaned_section(referral, SECTIONS_BY_SLUG["victim"]).get("date_of_birth")
    if victim_dob:
        choice = risk.checklist_for_victim(victim_dob, timezone.localdate())
        if not choice.accepted:
            problems.setdefault("victim", []).insert(0, choice.reason)
    return problems


def referral_facts(referral: Referral) -> criteria.ReferralFacts:
    answers = cleaned_section(referral, SECTIONS_BY_SLUG["risk"])
    score = (
        sum(1 for key, value in answers.items() if not key.endswith("_comment") and value == "yes") if answers else None
    )
    choices = cleaned_section(referral, SECTIONS_BY_SLUG["criteria"])
    events = [
        criteria.RecordedEvent(kind=criteria.EventKind(item["kind"]), occurred_on=item["happened_on"])
        for raw in referral.content.get("history", [])
        if (item := cleaned_section(referral, SECTIONS_BY_SLUG["history"], raw))
    ]
    judgement = None
    if choices.get("professional_judgement"):
        judgement = criteria.ProfessionalJudgement(
            rationale=choices.get("judgement_rationale", ""),
            marac_representative_consulted=choices.get("representative_consulted") == "yes",
        )
    victim = cleaned_section(referral, SECTIONS_BY_SLUG["victim"])
    return criteria.ReferralFacts(
        dash_score=score,
        events=tuple(events),
        escalating=risk.Answer(choices["escalating"]) if choices.get("escalating") else None,
        escalation_evidence=choices.get("escalation_evidence", ""),
        automatic_concerns=frozenset(criteria.AutomaticCriterion(value) for value in choices.get("automatic", [])),
        professional_judgement=judgement,
        children_in_household=bool(referral.content.get("children")),
        victim_pregnant=victim.get("pregnant") == "yes",
        vulnerable_adult=victim.get("vulnerable_adult") == "yes",
    )


def criteria_decision(referral: Referral, *, today: date | None = None) -> criteria.CriteriaDecision:
    return criteria.decide_criteria(
        referral_facts(referral), criteria.settings_from_marac(referral.marac), today or timezone.localdate()
    )


def decision_as_data(decision: criteria.CriteriaDecision) -> dict[str, Any]:
    data = asdict(decision)
    data["signposts"] = [criteria.SIGNPOST_WORDS[signpost] for signpost in decision.signposts]
    data["results"] = [
        {
            "criterion": str(result.criterion),
            "title": criteria.CRITERION_WORDS[result.criterion],
            "met": result.met,
            "reason": result.reason,
        }
        for result in decision.results
    ]
    return data


def referral_submit(*, referral: Referral, based_on_version: int | None, by: Any) -> dict[str, list[str]]:
    """Submit if complete; otherwise change nothing and return the problems. The draft stays as typed."""
    with transaction.atomic():
        current = _locked(referral, based_on_version, by=by)
        problems = referral_problems(current)
        if problems:
            return problems
        try:
            decision = criteria_decision(current)
        except RuleInputError as error:
            return {"": list(error.problems)}
        if not decision.met:
            return {"": [decision.summary, *(criteria.SIGNPOST_WORDS[signpost] for signpost in decision.signposts)]}
        current.instrument = instrument_for(current)
        current.criteria_result = {**decision_as_data(decision), "dash_score": referral_facts(current).dash_score}
        consent = cleaned_section(current, SECTIONS_BY_SLUG["consent"])
        current.information_sharing_consent = consent.get("information_sharing") or ""
        current.idva_referral_consent = consent.get("idva_referral") or ""
        current.status = ReferralStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Submitted referral; criteria {'met' if decision.met else 'not met'}",
        )
        # The matching model's suggestions are worked out in the background, ready when the coordinator opens it.
        referral_id = current.pk
        transaction.on_commit(lambda: _suggest_matches(referral_id))
    return {}


def _suggest_matches(referral_id: int) -> None:
    from people.tasks import suggest_for_referral

    suggest_for_referral.enqueue(referral_id)
