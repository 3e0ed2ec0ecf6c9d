"""Likely-same-person matching, the Django side: person records read from the database (names and aliases, date
of birth, gender, the postcodes of the address history), training and saving a MARAC's model, the model's
suggestions for the people on a referral and across the MARACs of a region, possible duplicates among the people
held, and the coordinator's decisions on them. The model itself (Splink) is people/linkage_model.py, which knows
nothing of the database."""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import splink
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from people import linkage_model
from people.models import Address, MatchModel, Person, PersonLink, PossibleDuplicate, ReferralSuggestions

# A suggestion is shown to the coordinator from this probability; they decide.
SUGGESTION_THRESHOLD = 0.5
SUGGESTION_LIMIT = 5
# Another MARAC is only told of when the match is likely: the coordinator has to pick up the phone.
ELSEWHERE_THRESHOLD = 0.9
DUPLICATE_THRESHOLD = 0.8
# Below this many people the model has too little to learn from; the exact checks still work.
MINIMUM_PEOPLE_TO_TRAIN = 10
# Retention anonymises people to this name (governance.retention_services.ANONYMISED); they match nothing.
ANONYMISED = "Anonymised"


class TooFewPeople(Exception):
    """The MARAC holds too few people to train a model on."""


class AlreadyDecided(Exception):
    """The pair was decided on since the page asking was shown (by a colleague, or in another window): nothing was
    changed. `link` is the decision standing."""

    def __init__(self, link: PersonLink) -> None:
        super().__init__("These two people were already decided on")
        self.link = link


# One field of a suggestion in words, as the model explains it (stored, then read back for the pages).
Comparison = linkage_model.FieldComparison


@dataclass(frozen=True)
class Suggested:
    person_id: int
    probability: float
    comparisons: tuple[Comparison, ...]

    @property
    def percentage(self) -> str:
        return percentage(self.probability)


def percentage(probability: float) -> str:
    """ "97%": at least 1% and at most 99%, because a model's estimate is never a certainty; a coordinator decides."""
    return f"{min(max(round(probability * 100), 1), 99)}%"


# --- Records ------------------------------------------------------------------------------------------


def held_at(marac_ids: Iterable[int]) -> QuerySet[Person]:
    """The people the model compares against: everyone held at these MARACs except those retention anonymised."""
    return Person.objects.filter(marac_id__in=list(marac_ids)).exclude(given_name=ANONYMISED, family_name=ANONYMISED)


def person_records(
    people: QuerySet[Person], *, with_confidential_addresses: bool = True
) -> list[linkage_model.PersonRecord]:
    """The model's view of each person. Postcodes are encrypted, so they are read and decrypted here, newest
    address first (the model takes the first as the current one). Without confidential addresses (for
    anything leaving the MARAC), those addresses are not read at all."""
    people = people.order_by("pk").prefetch_related("aliases")
    addresses: dict[int, list[tuple[bool, int, str]]] = {}
    held = Address.objects.filter(person__in=people.values("pk"))
    if not with_confidential_addresses:
        held = held.filter(confidential=False)
    rows = held.values_list("person_id", "postcode", "lived_from", "lived_to")
    for person_id, postcode, lived_from, lived_to in rows:
        if postcode:
            # Current addresses (no end date) first, then the most recently moved into.
            moved_in = lived_from.toordinal() if lived_from else 0
            addresses.setdefault(person_id, []).append((lived_to is not None, -moved_in, postcode))
    postcodes = {person_id: [postcode for *_, postcode in sorted(held)] for person_id, held in addresses.items()}
    return [
        linkage_model.PersonRecord(
            unique_id=str(person.pk),
            given_name=person.given_name,
            family_name=person.family_name,
            other_names=tuple((alias.given_name, alias.family_name) for alias in person.aliases.all()),
            date_of_birth=person.date_of_birth,
            gender=person.gender,
            postcodes=tuple(postcodes.get(person.pk, ())),
        )
        for person in people
    ]


def new_record(key: str, data: dict[str, Any]) -> linkage_model.PersonRecord:
    """A person on a referral (not yet held), from the referral's cleaned section."""
    born = data.get("date_of_birth")
    return linkage_model.PersonRecord(
        unique_id=f"new:{key}",
        given_name=data.get("given_name", "") or "",
        family_name=data.get("family_name", "") or "",
        date_of_birth=born if isinstance(born, date) else None,
        gender=data.get("gender") or "not_known",
        postcodes=(data["postcode"],) if data.get("postcode") else (),
    )


def _comparisons(suggestion: linkage_model.Suggestion) -> list[dict[str, Any]]:
    return [{"field": c.field, "agreed": c.agreed, "words": c.words, "close": c.close} for c in suggestion.comparisons]


def _comparison(stored: dict[str, Any]) -> Comparison:
    # "close" is absent from what models before it stored: those read as they did then.
    return Comparison(stored["field"], stored["agreed"], stored["words"], close=bool(stored.get("close", False)))


def _suggested(stored: dict[str, Any]) -> Suggested:
    return Suggested(
        person_id=int(stored["person"]),
        probability=float(stored["probability"]),
        comparisons=tuple(_comparison(c) for c in stored["comparisons"]),
    )


# --- Training -----------------------------------------------------------------------------------------


def current_model(marac_id: int) -> MatchModel | None:
    return MatchModel.objects.filter(marac_id=marac_id, is_current=True).first()


def match_model_train(*, marac: Marac, by: Any = None) -> MatchModel:
    """Train a new version of the MARAC's model on the people it holds, make it current, and look for possible
    duplicates with it. `by` is empty when the scheduled task trains. The slow part runs outside the
    transaction; the new version, its duplicates and the audit entry are written together."""
    records = person_records(held_at([marac.pk]))
    if len(records) < MINIMUM_PEOPLE_TO_TRAIN:
        raise TooFewPeople
    started = time.monotonic()
    model = linkage_model.train_model(records)
    duplicates = linkage_model.dedupe(model, records, threshold=DUPLICATE_THRESHOLD)
    seconds = time.monotonic() - started
    with transaction.atomic():
        Marac.objects.select_for_update().filter(pk=marac.pk).first()  # one training at a time per MARAC
        last = MatchModel.objects.filter(marac=marac).aggregate(Max("version"))["version__max"] or 0
        MatchModel.objects.filter(marac=marac, is_current=True).update(is_current=False)
        saved = MatchModel.objects.create(
            marac=marac,
            version=last + 1,
            trained_at=timezone.now(),
            trained_by=by,
            record_count=len(records),
            seconds_taken=round(seconds, 2),
            model=model,
            format_version=linkage_model.MODEL_FORMAT_VERSION,
            splink_version=splink.__version__,
        )
        _save_duplicates(saved, duplicates)
        audit_record(
            action=AuditAction.CREATE,
            obj=saved,
            user=by,
            summary=f"Trained matching model version {saved.version} on {len(records)} people; "
            f"possible duplicates found: {saved.duplicates.count()}",
        )
    return saved


def _save_duplicates(match_model: MatchModel, found: Sequence[linkage_model.Suggestion]) -> None:
    rows: dict[tuple[int, int], PossibleDuplicate] = {}
    for suggestion in found:
        low, high = sorted((int(suggestion.new_id), int(suggestion.held_id)))
        comparisons: Any = _comparisons(suggestion)  # an encrypted JSON field, typed as the text it is stored as
        rows.setdefault(
            (low, high),
            PossibleDuplicate(
                match_model=match_model,
                person_a_id=low,
                person_b_id=high,
                probability=suggestion.probability,
                comparisons=comparisons,
            ),
        )
    PossibleDuplicate.objects.bulk_create(rows.values())


# --- Suggestions for a referral -----------------------------------------------------------------------


def region_marac_ids(marac: Marac) -> list[int]:
    """The other MARACs of the MARAC's region; none when it has no region."""
    if not marac.region.strip():
        return []
    return list(Marac.objects.filter(region=marac.region).exclude(pk=marac.pk).values_list("pk", flat=True))


def _people_up_to(marac_ids: list[int]) -> int:
    return int(Person.objects.filter(marac_id__in=marac_ids).aggregate(Max("pk"))["pk__max"] or 0)


def referral_suggestions(
    *, referral: Any, parties: Sequence[tuple[str, dict[str, Any]]], by: Any = None
) -> ReferralSuggestions | None:
    """The model's likely matches for each person on the referral, worked out once per model version (and again
    when new people are held in the region) and kept. None when the MARAC has no model yet."""
    model = current_model(referral.marac_id)
    if model is None:
        return None
    elsewhere_ids = region_marac_ids(referral.marac)
    up_to = _people_up_to([referral.marac_id, *elsewhere_ids])
    stored = suggestions_kept(referral)
    if stored is not None and stored.match_model_id == model.pk and stored.people_up_to >= up_to:
        return stored
    new = [new_record(key, data) for key, data in parties if data.get("given_name") or data.get("family_name")]
    by_party = _suggestions_here(model, referral.marac_id, new)
    elsewhere = _suggestions_elsewhere(model, elsewhere_ids, new)
    values: dict[str, Any] = {
        "match_model": model,
        "people_up_to": up_to,
        "computed_at": timezone.now(),
        "by_party": by_party,
        "elsewhere": elsewhere,
    }
    try:
        with transaction.atomic():
            stored, _ = ReferralSuggestions.objects.update_or_create(referral=referral, defaults=values)
            _audit_suggestions(referral, model, by_party, elsewhere, elsewhere_ids, by)
    except IntegrityError:  # worked out at the same moment by another request: theirs is as good
        return ReferralSuggestions.objects.filter(referral=referral).first()
    return stored


def suggestions_kept(referral: Any) -> ReferralSuggestions | None:
    """The suggestions kept for the people on the referral as it was last submitted. Those worked out before (it was
    returned, and may have come back naming someone else, or its perpetrators in other places) are about other
    people: none, to be worked out again. A submitted referral's people cannot change, so the time is enough."""
    stored = ReferralSuggestions.objects.filter(referral=referral).first()
    if stored is None or (referral.submitted_at is not None and stored.computed_at < referral.submitted_at):
        return None
    return stored


# A perpetrator named on a referral is far likelier to be someone already held as the perpetrator in an earlier case
# of the same victim than anyone else held: the model's prior (one pair in thousands) is for two records with nothing
# else known. A repeat referral names the same perpetrator about as often as not, so such a pair starts at even odds
# and the fields' evidence is weighed from there (linkage_model.weighed_from). Pairs scored this low or more are
# looked at for it: below, even a start at even odds leaves them under the suggestion threshold.
EARLIER_PERPETRATOR_PRIOR = 0.5
EARLIER_PERPETRATOR_FLOOR = 0.00001
EARLIER_PERPETRATOR_WORDS = "Perpetrator in an earlier case of a likely match for the victim"


def _suggestions_here(
    model: MatchModel, marac_id: int, new: list[linkage_model.PersonRecord]
) -> dict[str, list[dict[str, Any]]]:
    if not new:
        return {}
    held = person_records(held_at([marac_id]))
    found = linkage_model.find_matches(
        model.model, held, new, threshold=EARLIER_PERPETRATOR_FLOOR, limit=SUGGESTION_LIMIT * 10
    )
    by_party: dict[str, list[dict[str, Any]]] = {}
    for suggestion in found:
        if suggestion.probability >= SUGGESTION_THRESHOLD:
            _suggest(by_party, suggestion, suggestion.probability, _comparisons(suggestion))
    _suggest_earlier_perpetrators(by_party, model, marac_id, found)
    for suggestions in by_party.values():
        suggestions.sort(key=lambda entry: (-entry["probability"], entry["person"]))
        del suggestions[SUGGESTION_LIMIT:]
    return by_party


def _suggest(
    by_party: dict[str, list[dict[str, Any]]],
    suggestion: linkage_model.Suggestion,
    probability: float,
    comparisons: list[dict[str, Any]],
) -> None:
    entries = by_party.setdefault(suggestion.new_id.removeprefix("new:"), [])
    held_id = int(suggestion.held_id)
    entries[:] = [entry for entry in entries if entry["person"] != held_id]
    entries.append({"person": held_id, "probability": probability, "comparisons": comparisons})


def _suggest_earlier_perpetrators(
    by_party: dict[str, list[dict[str, Any]]],
    model: MatchModel,
    marac_id: int,
    found: Sequence[linkage_model.Suggestion],
) -> None:
    """Each perpetrator on the referral who may be the perpetrator of an earlier case of the victim's likely
    matches, weighed from even odds (EARLIER_PERPETRATOR_PRIOR), suggested with that reason if it reaches the
    threshold. Found on the demo: a repeat referral naming the victim's earlier perpetrator by name alone (no date
    of birth, no address) was scored 0.013, as common invented names are, and no one was offered."""
    from cases.models import CaseParty, PartyRole

    victims = [entry["person"] for entry in by_party.get("victim", [])]
    if not victims:
        return
    earlier = set(
        CaseParty.objects.filter(
            case__marac_id=marac_id, case__victim_id__in=victims, role=PartyRole.PERPETRATOR
        ).values_list("person_id", flat=True)
    )
    prior = float(model.model["probability_two_random_records_match"])
    for suggestion in found:
        if not suggestion.new_id.startswith("new:perpetrators.") or int(suggestion.held_id) not in earlier:
            continue
        probability = linkage_model.weighed_from(
            suggestion.probability, prior=prior, new_prior=EARLIER_PERPETRATOR_PRIOR
        )
        if probability >= SUGGESTION_THRESHOLD:
            reason = {"field": "Earlier cases", "agreed": True, "words": EARLIER_PERPETRATOR_WORDS, "close": False}
            _suggest(by_party, suggestion, probability, [*_comparisons(suggestion), reason])


def _suggestions_elsewhere(
    model: MatchModel, marac_ids: list[int], new: list[linkage_model.PersonRecord]
) -> dict[str, list[int]]:
    """For each person on the referral, the other MARACs of the region holding a likely match: MARAC ids only."""
    if not marac_ids or not new:
        return {}
    people = held_at(marac_ids)
    marac_of = dict(people.values_list("pk", "marac_id"))
    found = linkage_model.find_matches(
        model.model, person_records(people), new, threshold=ELSEWHERE_THRESHOLD, limit=SUGGESTION_LIMIT
    )
    elsewhere: dict[str, set[int]] = {}
    for suggestion in found:
        elsewhere.setdefault(suggestion.new_id.removeprefix("new:"), set()).add(marac_of[int(suggestion.held_id)])
    return {key: sorted(ids) for key, ids in elsewhere.items()}


def _audit_suggestions(
    referral: Any,
    model: MatchModel,
    by_party: dict[str, list[dict[str, Any]]],
    elsewhere: dict[str, list[int]],
    elsewhere_ids: list[int],
    by: Any,
) -> None:
    count = sum(len(found) for found in by_party.values())
    audit_record(
        action=AuditAction.VIEW,
        obj=referral,
        user=by,
        summary=f"Likely-same-person check with matching model version {model.version}: {count} suggestions",
    )
    if elsewhere_ids:
        found_at = sorted({marac_id for ids in elsewhere.values() for marac_id in ids})
        audit_record(
            action=AuditAction.VIEW,
            obj=referral,
            user=by,
            summary=f"Checked for likely matches at the region's other MARACs {_ids(elsewhere_ids)}: "
            + (f"possible match at MARAC {_ids(found_at)}" if found_at else "none found"),
            changes={"maracs_checked": elsewhere_ids, "maracs_with_possible_match": found_at},
        )


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(pk) for pk in sorted(ids))


def suggested_for(stored: ReferralSuggestions | None, party_key: str) -> list[Suggested]:
    if stored is None:
        return []
    return [_suggested(entry) for entry in stored.by_party.get(party_key, [])]


@dataclass(frozen=True)
class Elsewhere:
    """A possible match at another MARAC: its name and how to reach its coordinators, nothing about the person."""

    marac: Marac
    coordinators: list[User]


def elsewhere_for(stored: ReferralSuggestions | None, party_key: str) -> list[Elsewhere]:
    if stored is None:
        return []
    ids = stored.elsewhere.get(party_key, [])
    return [Elsewhere(marac, coordinators_of(marac)) for marac in Marac.objects.filter(pk__in=ids)]


def coordinators_of(marac: Marac) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_grants__marac=marac, role_grants__role=Role.COORDINATOR)
        .distinct()
        .order_by("full_name")
    )


def refresh_referral_suggestions(*, marac: Marac) -> int:
    """After training: work out the suggestions of the referrals waiting for a decision with the new version."""
    from referrals.decisions import parties_of
    from referrals.models import Referral, ReferralStatus

    waiting = Referral.objects.filter(marac=marac, status=ReferralStatus.SUBMITTED).select_related("marac")
    for referral in waiting:
        referral_suggestions(referral=referral, parties=[(p.key, p.data) for p in parties_of(referral)])
    return len(waiting)


def match_model_train_and_refresh(*, marac: Marac, by: Any = None) -> MatchModel | None:
    """What the task, the command and the demo call: train a new version, then work out the suggestions of the
    referrals waiting for a decision with it. None when the MARAC holds too few people to train on."""
    try:
        trained = match_model_train(marac=marac, by=by)
    except TooFewPeople:
        return None
    refresh_referral_suggestions(marac=marac)
    return trained


# --- The coordinator's links --------------------------------------------------------------------------


def _pair(first: int, second: int) -> tuple[int, int]:
    low, high = sorted((first, second))
    return low, high


def person_link_decide(
    *, person: Person, other: Person, decision: str, by: Any, probability: float | None = None
) -> PersonLink:
    """Record that two people held at one MARAC are, or are not, the same person. Deciding again replaces the
    earlier decision."""
    if person.pk == other.pk or person.marac_id != other.marac_id:
        raise ValueError("A link joins two different people held at the same MARAC")
    low, high = _pair(person.pk, other.pk)
    with transaction.atomic():
        was = PersonLink.objects.select_for_update().filter(person_a_id=low, person_b_id=high).first()
        link, created = PersonLink.objects.update_or_create(
            person_a_id=low,
            person_b_id=high,
            defaults={
                "marac_id": person.marac_id,
                "decision": decision,
                "probability": probability,
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            obj=link,
            user=by,
            summary=f"People {low} and {high}: {PersonLink.Decision(decision).label.lower()}",
        )
        _repeats_decided_again(link, was_decision=was.decision if was else None, by=by)
    return link


def possible_duplicate_decide(
    *, duplicate: PossibleDuplicate, decision: str, by: Any, replacing: datetime | None = None
) -> PersonLink:
    """The coordinator's decision on a possible duplicate. It drives repeat counting and links to other families, so
    a decision already made is never replaced by a page opened before it (AlreadyDecided, with the decision): only
    by a change asked for with that decision on screen, `replacing` naming when it was made."""
    low, high = _pair(duplicate.person_a_id, duplicate.person_b_id)
    label = PersonLink.Decision(decision).label.lower()
    with transaction.atomic():
        standing = PersonLink.objects.select_for_update().filter(person_a_id=low, person_b_id=high).first()
        if standing is None:
            return _duplicate_link_create(duplicate=duplicate, decision=decision, by=by, pair=(low, high))
        if replacing is None or standing.decided_at != replacing or standing.decision == decision:
            raise AlreadyDecided(standing)
        was, was_decision = standing.get_decision_display().lower(), standing.decision
        standing.decision, standing.probability = decision, duplicate.probability
        standing.decided_by, standing.decided_at = by, timezone.now()
        standing.save(update_fields=["decision", "probability", "decided_by", "decided_at"])
        audit_record(
            action=AuditAction.CHANGE,
            obj=standing,
            user=by,
            summary=f"People {low} and {high}: decision changed from {was} to {label}",
        )
        _repeats_decided_again(standing, was_decision=was_decision, by=by)
    return standing


def _duplicate_link_create(
    *, duplicate: PossibleDuplicate, decision: str, by: Any, pair: tuple[int, int]
) -> PersonLink:
    low, high = pair
    try:
        with transaction.atomic():  # a savepoint: a colleague deciding at the same moment wins the row
            link = PersonLink.objects.create(
                marac_id=duplicate.person_a.marac_id,
                person_a_id=low,
                person_b_id=high,
                decision=decision,
                probability=duplicate.probability,
                decided_by=by,
                decided_at=timezone.now(),
            )
    except IntegrityError:
        raise AlreadyDecided(PersonLink.objects.get(person_a_id=low, person_b_id=high)) from None
    label = PersonLink.Decision(decision).label.lower()
    audit_record(action=AuditAction.CREATE, obj=link, user=by, summary=f"People {low} and {high}: {label}")
    _repeats_decided_again(link, was_decision=None, by=by)
    return link


def _repeats_decided_again(link: PersonLink, *, was_decision: str | None, by: Any) -> None:
    """Whether a case is a repeat counts every record of the same person (referrals.decisions._repeat): when a
    decision joins two records, or parts them, the answer is decided again for their cases, in the same
    transaction. A decision that neither joins nor parts (not the same person, recorded for the first time) changes
    no answer."""
    confirmed = PersonLink.Decision.CONFIRMED
    if (was_decision == confirmed) == (link.decision == confirmed):
        return
    # Imported here: referrals sits above people (referrals.decisions imports this module), as parties_of above.
    from referrals.decisions import case_repeats_recompute

    because = f"people {link.person_a_id} and {link.person_b_id} were recorded as {link.get_decision_display().lower()}"
    case_repeats_recompute(person_ids=[link.person_a_id, link.person_b_id], by=by, because=because)


def rejected_pairs(person_ids: Iterable[int]) -> set[tuple[int, int]]:
    ids = list(person_ids)
    return set(
        PersonLink.objects.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
        .filter(decision=PersonLink.Decision.REJECTED)
        .values_list("person_a_id", "person_b_id")
    )


def is_rejected(pairs: set[tuple[int, int]], first: int, second: int) -> bool:
    return _pair(first, second) in pairs


def same_person_ids(person_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """For each person, everyone confirmed to be the same person, directly or through others (themselves
    included)."""
    # Everyone's links are followed together, a query a step of the longest chain: one query when none is linked.
    found = set(person_ids)
    frontier = set(found)
    pairs: set[tuple[int, int]] = set()
    while frontier:
        links = PersonLink.objects.filter(decision=PersonLink.Decision.CONFIRMED).filter(
            Q(person_a_id__in=frontier) | Q(person_b_id__in=frontier)
        )
        step = set(links.values_list("person_a_id", "person_b_id"))
        pairs |= step
        reached = {pk for pair in step for pk in pair}
        frontier = reached - found
        found |= reached
    return _groups(found, pairs)


def _groups(people: set[int], pairs: set[tuple[int, int]]) -> dict[int, frozenset[int]]:
    """The connected groups of people joined by pairs, each person mapped to their group."""
    neighbours: dict[int, set[int]] = {person: set() for person in people}
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    groups: dict[int, frozenset[int]] = {}
    for start in people:
        if start in groups:
            continue
        group, frontier = {start}, [start]
        while frontier:
            for other in neighbours[frontier.pop()] - group:
                group.add(other)
                frontier.append(other)
        members = frozenset(group)
        for member in members:
            groups[member] = members
    return groups


def directly_linked(person_id: int) -> set[int]:
    """The people confirmed, by a link of their own, to be the same as this person."""
    links = PersonLink.objects.filter(decision=PersonLink.Decision.CONFIRMED).filter(
        Q(person_a_id=person_id) | Q(person_b_id=person_id)
    )
    return {pk for pair in links.values_list("person_a_id", "person_b_id") for pk in pair} - {person_id}


def people_hidden_from(viewer: Any, marac_id: int) -> set[int]:
    """People in a restricted case at the MARAC that the viewer is not named on: never shown to them."""
    from cases.models import Case, CaseParty
    from cases.restriction import visible_given_restrictions

    if viewer is None:
        return set()
    hidden_cases = Case.objects.filter(marac_id=marac_id, restricted=True).exclude(visible_given_restrictions(viewer))
    return set(CaseParty.objects.filter(case__in=hidden_cases).values_list("person_id", flat=True))


def held_count_for(viewer: Any, marac_id: int) -> int:
    """How many people are held at the MARAC (held_at), as the viewer may know of them: those who appear only in
    restricted cases the viewer is not named on are not counted, as if those cases did not exist."""
    from cases.models import Case
    from cases.restriction import visible_given_restrictions

    held = held_at([marac_id])
    hidden_cases = Case.objects.filter(marac_id=marac_id, restricted=True).exclude(visible_given_restrictions(viewer))
    if not hidden_cases.exists():
        return held.count()
    other_cases = Case.objects.filter(marac_id=marac_id).exclude(pk__in=hidden_cases)
    in_hidden = Q(case_parties__case__in=hidden_cases) | Q(pk__in=hidden_cases.values("victim_id"))
    in_other = Q(case_parties__case__in=other_cases) | Q(pk__in=other_cases.values("victim_id"))
    only_in_hidden = Person.objects.filter(in_hidden).exclude(pk__in=Person.objects.filter(in_other).values("pk"))
    return held.exclude(pk__in=only_in_hidden.values("pk")).count()


def duplicates_to_review(*, marac_id: int, hidden: set[int]) -> list[PossibleDuplicate]:
    """The current model's possible duplicates at the MARAC the coordinator has not decided on yet, most likely
    first; a pair with someone in a case hidden from the viewer is left out."""
    model = current_model(marac_id)
    if model is None:
        return []
    decided = set(PersonLink.objects.filter(marac_id=marac_id).values_list("person_a_id", "person_b_id"))
    found = model.duplicates.select_related("person_a", "person_b").order_by("-probability", "pk")
    return [
        duplicate
        for duplicate in found
        if (duplicate.person_a_id, duplicate.person_b_id) not in decided
        and not {duplicate.person_a_id, duplicate.person_b_id} & hidden
    ]


def duplicate_comparisons(duplicate: PossibleDuplicate) -> list[Comparison]:
    return [_comparison(c) for c in duplicate.comparisons]
