"""Gathering everything held on one person for a subject access export, third parties redacted. The caller has
already passed the person gate (people.selectors.get_person_for_user) and the governance.subject_access check."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, ActionResolution, ForWhom
from audit.models import AuditAction, AuditEvent
from cases.models import Case, CaseParty, PartyRole
from governance.subject_access import (
    Section,
    SubjectAccessExport,
    ThirdParty,
    names_of,
    other_names_of,
    redactor,
)
from imports.models import ImportedRecord, ImportRun, RecordKind
from marac.models import Agency, AgencyType
from meetings.minutes_rules import amended_note
from meetings.models import ChildResearch, Listing, ProcessLinkKind, Research, VictimVoice
from people.models import Person, PersonLink
from referrals.models import IdvaAllocation, MatchDecision, Referral
from referrals.sections import SECTIONS_BY_SLUG, readable

Redact = Callable[[str], str]
AgencyName = Callable[[str], str]
OWN_FIELDS = {"given_name", "family_name", "date_of_birth", "address_line_1", "address_line_2", "town", "postcode"}
# The research an agency writes about the subject's role, with children's social care's own items (CAM 5.2) that
# are about them; the rest of it is about other people. Support for the non-abusing parent is the victim's; work
# with the abusing parent is the perpetrator's; proceedings, conferences, the child's plan and contact arrangements
# are the child's, and the victim's as the parent the children live with. A perpetrator's draft leaves proceedings,
# conferences and contact out: written for the MARAC, they say what the victim asked for and where the children
# are, and he hears of them from the court and social care. Collusion concerns and links to other families are
# about the parents' dealings with others: the coordinator adds them when they are safe to give.
RESEARCH_FIELDS_BY_ROLE = {
    PartyRole.VICTIM: [
        "about_victim",
        "proceedings",
        "upcoming_conferences",
        "contact_arrangements",
        "non_abusing_parent_support",
    ],
    PartyRole.PERPETRATOR: ["about_perpetrator", "abusing_parent_work"],
    PartyRole.CHILD: ["about_children", "proceedings", "upcoming_conferences", "plan_support", "contact_arrangements"],
    PartyRole.HOUSEHOLD_MEMBER: [],
}
RESEARCH_FIELD_LABELS = {
    "about_victim": "",
    "about_perpetrator": "",
    "about_children": "",
    "proceedings": "child protection proceedings",
    "upcoming_conferences": "upcoming conferences",
    "plan_support": "support in the child's plan",
    "contact_arrangements": "contact arrangements",
    "non_abusing_parent_support": "support for the non-abusing parent",
    "abusing_parent_work": "work with the abusing parent",
}
# Agencies whose research is the victim's own account, given through her advocate or the service supporting her,
# and whose very presence tells that she has support (DOMAIN.md "Before the meeting": the perpetrator must never be
# told). Their research and their views of a record go in the victim's draft only: a child's request may be made by
# the perpetrator as a parent, and a household member may pass it on. Police, probation and housing research is about
# their own dealings with the subject; the reviewer still reads it for what the victim said (FREE_TEXT_WARNING).
VICTIMS_SUPPORT = {AgencyType.IDVA_SERVICE, AgencyType.SPECIALIST}
# Links to other processes whose notes are about the subject's role. Child protection work, MASH and CSE panels are
# the child's and the victim's; MAPPA and offender management are the perpetrator's. A Clare's Law disclosure is made
# to the victim about him: his draft must never show she asked.
PROCESS_LINKS_FOR_ROLE = {
    PartyRole.VICTIM: [
        ProcessLinkKind.MASH,
        ProcessLinkKind.CHILD_PROTECTION_CONFERENCE,
        ProcessLinkKind.STRATEGY_MEETING,
        ProcessLinkKind.CLARES_LAW,
    ],
    PartyRole.PERPETRATOR: [ProcessLinkKind.MAPPA, ProcessLinkKind.SOMM],
    PartyRole.CHILD: [
        ProcessLinkKind.MASH,
        ProcessLinkKind.CHILD_PROTECTION_CONFERENCE,
        ProcessLinkKind.STRATEGY_MEETING,
        ProcessLinkKind.CSE_MACE,
    ],
    PartyRole.HOUSEHOLD_MEMBER: [],
}
LINKED_RECORD = "held under another record of you, which the coordinator confirmed is the same person"
# The actions agreed for the subject's role; the others are other people's safety planning. A perpetrator's request
# must never learn what was agreed to keep the victim and children safe (a move, a refuge, a marker on an address).
ACTIONS_FOR_ROLE = {
    PartyRole.VICTIM: [ForWhom.VICTIM],
    PartyRole.PERPETRATOR: [ForWhom.PERPETRATOR],
    PartyRole.CHILD: [ForWhom.CHILDREN],
    PartyRole.HOUSEHOLD_MEMBER: [],
}
# Whose requests get the meeting's minutes (redacted): the minutes record the risks to the victim and children and
# the plan to keep them safe, so a perpetrator's or household member's draft leaves them out; what the meeting
# decided about them is in their actions, and agencies' research about them is included. A child's request leaves
# them out too: a parent may make it for the child, and that parent may be the perpetrator, who must never be told
# (BD Victim contact). The coordinator adds what can safely go once they know who is asking.
MINUTES_FOR_ROLES = {PartyRole.VICTIM}
_MINUTES_LEFT_OUT = (
    "Left out of this draft: the minutes of what the meeting discussed about the risks and what it decided. They "
    "record the risks to other people and the plans to keep them safe"
)
MINUTES_LEFT_OUT = {
    PartyRole.PERPETRATOR: f"{_MINUTES_LEFT_OUT}. What was agreed about you is under the actions, and what agencies "
    "told the meeting about you is below.",
    PartyRole.CHILD: f"{_MINUTES_LEFT_OUT}, and a child's request may be made by a parent. The coordinator decides "
    "what of them can be released once it is known who is asking. What agencies told the meeting about the children "
    "is below.",
    PartyRole.HOUSEHOLD_MEMBER: f"{_MINUTES_LEFT_OUT}.",
}
# The referral's list of the people in each role, whose entry for the subject is theirs.
LIST_SECTIONS: dict[str, str] = {PartyRole.PERPETRATOR: "perpetrators", PartyRole.CHILD: "children"}
# Where a person lives or can be found, in a referral's entry for them.
PLACE_FIELDS = ("address_line_1", "address_line_2", "town", "postcode", "school_or_setting")
# A child's own addresses and school are left out of a child's draft: a child usually lives where the victim lives
# now, and a parent making the request for the child may be the perpetrator.
CHILD_PLACES_LEFT_OUT = (
    "Left out of this draft: the addresses and the school or setting held for the child. A child usually lives "
    "where the victim now lives, and a child's request may be made by a parent. The coordinator adds them only once "
    "it is known who is asking and that it is safe."
)
# Agencies are named in a victim's request only. For anyone else's, an agency is given by its type: a local refuge's
# or IDVA service's name can point to where the victim went. Article 15(1)(c) allows categories of recipient. The
# victim's own support (VICTIMS_SUPPORT) is not given even by its type: "IDVA service" beside an action about him
# tells a perpetrator she has an advocate.
AGENCY_NOT_NAMED = "Another agency"


def _agency_name(*, named: bool, marac_id: int) -> AgencyName:
    """How the draft names an agency: by its name in a victim's request, by its type in anyone else's. Two MARACs
    may each have an agency of one name: the MARAC's own member agency's type is taken, and a name that is agencies
    of several types elsewhere is named by no type at all, as is the victim's own support."""
    if named:
        return lambda name: name
    types = {kind: label for kind, label in AgencyType.choices if kind not in VICTIMS_SUPPORT}
    kinds: dict[str, set[str]] = {}
    for name, kind in Agency.objects.values_list("name", "agency_type"):
        kinds.setdefault(name, set()).add(kind)
    by_name = {
        name: str(types.get(next(iter(found)), AGENCY_NOT_NAMED)) for name, found in kinds.items() if len(found) == 1
    }
    members = Agency.objects.filter(memberships__marac_id=marac_id).values_list("name", "agency_type")
    by_name.update({name: str(types.get(kind, AGENCY_NOT_NAMED)) for name, kind in members})
    return lambda name: by_name.get(name, AGENCY_NOT_NAMED)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "Not recorded"


def _same_person_records(person: Person) -> list[Person]:
    """The subject's record and every record the coordinator confirmed is the same person (PersonLink), following
    links from record to record: what is held under any of them is the subject's (Article 15)."""
    found = {person.pk: person}
    frontier = {person.pk}
    while frontier:
        links = PersonLink.objects.filter(
            Q(person_a_id__in=frontier) | Q(person_b_id__in=frontier),
            marac_id=person.marac_id,
            decision=PersonLink.Decision.CONFIRMED,
        ).values_list("person_a_id", "person_b_id")
        frontier = {pk for pair in links for pk in pair} - found.keys()
        found.update({other.pk: other for other in Person.objects.filter(pk__in=frontier)})
    return list(found.values())


def _names_held(person: Person) -> list[str]:
    names = names_of(person.given_name, person.family_name)
    for alias in person.aliases.all():
        names += names_of(alias.given_name, alias.family_name)
    return [*names, person.description] if person.description else names


def _third_parties(records: list[Person], subject_parties: list[CaseParty]) -> list[ThirdParty]:
    cases = [party.case for party in subject_parties]
    others = (
        Person.objects.filter(case_parties__case__in=cases)
        .exclude(pk__in=[record.pk for record in records])
        .prefetch_related("aliases", "addresses")
        .distinct()
    )
    parties = []
    for other in others:
        dates = (other.date_of_birth,) if other.date_of_birth else ()
        parties.append(ThirdParty(tuple(_names_held(other)), dates, _places_held(other)))
    referrals = _referrals_of(subject_parties)
    for party in subject_parties:
        if party.case_id in referrals:
            parties += _referral_third_parties(referrals[party.case_id], party.person, party.role)
    if any(party.role == PartyRole.CHILD for party in subject_parties):
        for record in records:
            parties.append(_child_places(record, list(referrals.values())))
    return parties


def _referrals_of(parties: list[CaseParty]) -> dict[int, Referral]:
    referrals = Referral.objects.filter(case__in=[party.case for party in parties])
    return {referral.case_id: referral for referral in referrals if referral.case_id is not None}


def _own_referral_entries(parties: list[CaseParty], referrals: dict[int, Referral]) -> list[dict[str, Any]]:
    entries = []
    for party in parties:
        referral = referrals.get(party.case_id)
        if referral is None:
            continue
        if party.role == PartyRole.VICTIM:
            entries.append(referral.content.get("victim") or {})
        elif party.role in LIST_SECTIONS:
            entries.append(_own_entry(referral, party.person, LIST_SECTIONS[party.role]) or {})
    return [entry for entry in entries if isinstance(entry, dict)]


def _subject_held(records: list[Person], parties: list[CaseParty]) -> ThirdParty:
    """What is the subject's own, never redacted from their draft though another person's record holds it too: their
    names, dates of birth, addresses and safe contact details, on their records and their own referral entries.
    Places are kept in a victim's draft only. A child's are where the victim lives (CHILD_PLACES_LEFT_OUT); and a
    place is matched by its pieces (a town, a postcode district), so a perpetrator's own town kept would leave "she
    moved to Quellhaven" in his draft when she moved to the town he lives in. Over-redacting his is the safe side."""
    entries = _own_referral_entries(parties, _referrals_of(parties))
    names = [name for record in records for name in _names_held(record)]
    names += [name for entry in entries for name in _entry_names(entry)]
    dates = tuple(record.date_of_birth for record in records if record.date_of_birth)
    places: tuple[str, ...] = ()
    if all(party.role == PartyRole.VICTIM for party in parties):
        places = tuple(text for record in records for text in _places_held(record))
        places += tuple(str(entry[key]) for entry in entries for key in PLACE_FIELDS if entry.get(key))
    contacts = tuple(str(entry["safe_contact"]) for entry in entries if entry.get("safe_contact"))
    return ThirdParty(tuple(names), dates, places, contacts)


def _places_held(person: Person) -> tuple[str, ...]:
    """Every address held for a person, earlier and confidential ones too: a refuge, or the town a victim moved to,
    must not reach another person's draft. Address fields are encrypted: read through the model, never filtered on."""
    return tuple(text for a in person.addresses.all() for text in (a.line_1, a.line_2, a.town, a.postcode) if text)


def _child_places(person: Person, referrals: list[Referral]) -> ThirdParty:
    """A child's own addresses and school, redacted like a third party's in a child's draft: they are where the
    victim lives now, and the parent asking may be the perpetrator (CHILD_PLACES_LEFT_OUT)."""
    places = list(_places_held(person))
    for referral in referrals:
        entry = _own_entry(referral, person, LIST_SECTIONS[PartyRole.CHILD]) or {}
        places += [str(entry[key]) for key in PLACE_FIELDS if entry.get(key)]
    return ThirdParty((), (), tuple(places))


def _entry_date(value: Any) -> tuple[date, ...]:
    try:
        return (date.fromisoformat(str(value)),)
    except ValueError:
        return ()


def _entry_names(entry: dict[str, Any]) -> list[str]:
    """Every name a referral's entry gives for a person: given and family names, the other names they use (a victim's
    new name), and a description where the name is not known."""
    names = names_of(str(entry.get("given_name") or ""), str(entry.get("family_name") or ""))
    names += other_names_of(str(entry.get("other_names") or ""))
    return [*names, str(entry["description"])] if entry.get("description") else names


def _referral_third_parties(referral: Referral, person: Person, role: str) -> list[ThirdParty]:
    """The other people in a referral as it was made: every name they were known by and where they lived or went to
    school then. The person records may not hold it (a victim matched to an earlier record keeps that record's
    addresses, and her new name is typed only here)."""
    own = _own_entry(referral, person, LIST_SECTIONS[role]) if role in LIST_SECTIONS else None
    entries = [] if role == PartyRole.VICTIM else [referral.content.get("victim")]
    for slug in ("children", "perpetrators"):
        entries += [item for item in referral.content.get(slug) or [] if item != own]
    return [
        ThirdParty(
            tuple(_entry_names(entry)),
            _entry_date(entry.get("date_of_birth")),
            tuple(str(entry[key]) for key in PLACE_FIELDS if entry.get(key)),
        )
        for entry in entries
        if isinstance(entry, dict)
    ]


def _staff_names(cases: list[Case], records: list[Person]) -> list[str]:
    from accounts.models import User
    from referrals.models import ContactAttempt

    ids = set(Research.objects.filter(listing__case__in=cases).values_list("author_id", flat=True))
    ids |= set(Action.objects.filter(case__in=cases).values_list("created_by_id", flat=True))
    ids |= set(ActionResolution.objects.filter(action__case__in=cases).values_list("by_id", flat=True))
    ids |= set(VictimVoice.objects.filter(listing__case__in=cases).values_list("recorded_by_id", flat=True))
    ids |= set(IdvaAllocation.objects.filter(case__in=cases).exclude(idva=None).values_list("idva_id", flat=True))
    ids |= set(ContactAttempt.objects.filter(allocation__case__in=cases).values_list("by_id", flat=True))
    ids |= set(_access_events(records).exclude(actor_id=None).values_list("actor_id", flat=True))
    return [name for name in User.objects.filter(pk__in=ids).values_list("full_name", flat=True) if name]


def _person_section(person: Person) -> Section:
    return Section(
        "Your record",
        rows=[
            ("Name", f"{person.given_name} {person.family_name}".strip()),
            ("Description", person.description),
            ("Date of birth", _day(person.date_of_birth)),
            ("Gender", person.get_gender_display()),
            ("Transgender", {True: "Yes", False: "No"}.get(person.is_transgender, "Not known")),  # type: ignore[arg-type]
            ("Ethnicity", person.get_ethnicity_display()),
            ("Sexual orientation", person.get_sexuality_display()),
            ("Disability", {True: "Yes", False: "No"}.get(person.has_disability, "Not known")),  # type: ignore[arg-type]
            ("Disability details", person.disability_details),
            ("First language", person.first_language),
            ("Needs an interpreter", "Yes" if person.needs_interpreter else "No"),
        ],
    )


def _aliases_and_addresses(person: Person, linked: list[Person], *, places_left_out: bool) -> list[Section]:
    """The subject's other names and addresses, with the names and addresses of the records confirmed to be the same
    person (LINKED_RECORD)."""
    aliases = [(f"{a.given_name} {a.family_name}".strip(),) for a in person.aliases.all()]
    for record in linked:
        aliases.append((f"{record} ({LINKED_RECORD})",))
        aliases += [(f"{a.given_name} {a.family_name}".strip(),) for a in record.aliases.all()]
    if places_left_out:
        return [
            Section("Other names", table=(("Name",), aliases)),
            Section("Addresses", rows=[], introduction=CHILD_PLACES_LEFT_OUT),
        ]
    addresses = [
        (
            ", ".join(text for text in (a.line_1, a.line_2, a.town, a.postcode) if text),
            f"{_day(a.lived_from)} to {_day(a.lived_to) if a.lived_to else 'now'}",
            "Yes" if a.confidential else "No",
            "Yes" if a.safe_to_post else "No",
        )
        for record in (person, *linked)
        for a in record.addresses.all()
    ]
    return [
        Section("Other names", table=(("Name",), aliases)),
        Section("Addresses", table=(("Address", "Lived there", "Confidential", "Safe to post"), addresses)),
    ]


def _cases_section(parties: list[CaseParty], person: Person) -> Section:
    rows = [
        (
            party.case.reference,
            party.get_role_display() + ("" if party.person_id == person.pk else f" ({LINKED_RECORD})"),
            _day(party.case.referred_on),
            _day(party.case.heard_on),
            party.case.get_status_display(),
        )
        for party in parties
    ]
    return Section("Your cases", table=(("Case", "You are the", "Referred", "Heard", "Status"), rows))


def _section_rows(slug: str, raw: dict[str, Any], questions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    try:
        return readable(SECTIONS_BY_SLUG[slug], raw, questions=questions)
    except (KeyError, TypeError, ValueError):  # an odd draft value: show what was typed, as typed
        return [(key, str(value)) for key, value in raw.items() if value not in (None, "", [])]


def _own_entry(referral: Referral, person: Person, slug: str) -> dict[str, Any] | None:
    """The subject's own item of a list section: the one matched to them on acceptance, else the one with their
    name."""
    items = referral.content.get(slug, [])
    confirmed = MatchDecision.objects.filter(
        referral=referral, person=person, decision=MatchDecision.Decision.CONFIRMED, party__startswith=f"{slug}."
    ).values_list("party", flat=True)
    for party in confirmed:
        index = int(party.split(".")[1])
        if index < len(items):
            return dict(items[index])
    wanted = (person.given_name.lower(), person.family_name.lower())
    for item in items:
        if (str(item.get("given_name", "")).lower(), str(item.get("family_name", "")).lower()) == wanted:
            return dict(item)
    return None


def _referral_parts(referral: Referral, person: Person, role: str) -> list[tuple[str, dict[str, Any]]]:
    if role == PartyRole.VICTIM:
        return [(slug, referral.content.get(slug) or {}) for slug in ("victim", "risk", "about")]
    slug = LIST_SECTIONS.get(role)
    entry = _own_entry(referral, person, slug) if slug else None
    return [(slug, entry)] if slug and entry else []


def _redacted_value(value: Any, redact: Redact, *, keep: bool) -> Any:
    """The subject's own name, date of birth and address in their own entry stay; any other text is redacted."""
    if keep:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact(item) if isinstance(item, str) else item for item in value]
    return value


def _referral_section(case: Case, person: Person, role: str, redact: Redact) -> Section:
    section = Section(f"Case {case.reference}: the referral, about you")
    referral = Referral.objects.filter(case=case).select_related("instrument").first()
    if referral is None:
        section.rows.append(("Referral", "None held"))
        return section
    questions = referral.instrument.questions if referral.instrument else []
    for slug, raw in _referral_parts(referral, person, role):
        own = slug in ("victim", "perpetrators", "children")
        if role == PartyRole.CHILD and any(raw.get(key) for key in PLACE_FIELDS):
            raw = {key: value for key, value in raw.items() if key not in PLACE_FIELDS}
            section.rows.append((f"{SECTIONS_BY_SLUG[slug].title}: address and school", CHILD_PLACES_LEFT_OUT))
        cleaned = {key: _redacted_value(value, redact, keep=own and key in OWN_FIELDS) for key, value in raw.items()}
        for label, value in _section_rows(slug, cleaned, questions if slug == "risk" else []):
            section.rows.append((f"{SECTIONS_BY_SLUG[slug].title}: {label}", value))
    if not section.rows:
        section.rows.append(("Referral", "Nothing in the referral is about you alone"))
    return section


def _listing_texts(listing: Listing, party: CaseParty, redact: Redact, agency: AgencyName) -> list[tuple[str, str]]:
    when = _day(timezone.localdate(listing.meeting.starts_at))
    role = PartyRole(party.role)
    texts: list[tuple[str, str]] = []
    if role in MINUTES_FOR_ROLES:
        texts += [
            (f"Meeting of {when}: risks discussed", redact(listing.risks_minute)),
            (f"Meeting of {when}: decisions", redact(listing.decisions_minute)),
        ]
        texts += _amended_texts(listing, when, redact)
    texts += _voice_texts(listing, role, when, redact)
    texts += [
        (f"Meeting of {when}: link to {link.get_kind_display()}", redact(link.note))
        for link in listing.process_links.filter(kind__in=PROCESS_LINKS_FOR_ROLE[role]).order_by("id")
    ]
    research = listing.research.select_related("agency").order_by("agency__name")
    if role != PartyRole.VICTIM:
        research = research.exclude(agency__agency_type__in=VICTIMS_SUPPORT)
    for item in research:
        by = agency(item.agency.name)
        for name in RESEARCH_FIELDS_BY_ROLE[role]:
            if text := getattr(item, name):
                about = f": {RESEARCH_FIELD_LABELS[name]}" if RESEARCH_FIELD_LABELS[name] else ""
                texts.append((f"Meeting of {when}: research by {by}{about}", redact(text)))
        if role == PartyRole.CHILD:
            texts += _child_research_texts(item, party.person_id, f"Meeting of {when}: research by {by}", redact)
    return texts


def _voice_texts(listing: Listing, role: PartyRole, when: str, redact: Redact) -> list[tuple[str, str]]:
    """The victim's views and wishes are hers, the child's voice the child's: never in anyone else's draft."""
    voice = VictimVoice.objects.filter(listing=listing).first()
    if voice is None:
        return []
    if role == PartyRole.VICTIM and voice.victim_views:
        return [(f"Meeting of {when}: your views and wishes, as given to the meeting", redact(voice.victim_views))]
    if role == PartyRole.CHILD and voice.child_voice:
        return [(f"Meeting of {when}: the children's views, as given to the meeting", redact(voice.child_voice))]
    return []


def _child_research_texts(research: Research, person_id: int, heading: str, redact: Redact) -> list[tuple[str, str]]:
    """Children's social care's status for the child, and its notes: the child's own, in the child's draft."""
    texts = []
    for item in ChildResearch.objects.filter(research=research, child_id=person_id):
        status = item.get_status_display()
        if item.harmful_behaviour:
            status += ". Using harmful behaviour in a relationship or towards a parent"
        texts.append((f"{heading}: your status with children's social care", f"{status}."))
        if item.notes:
            texts.append((f"{heading}: notes about you", redact(item.notes)))
    return texts


def _amended_texts(listing: Listing, when: str, redact: Redact) -> list[tuple[str, str]]:
    """The minute as it read before each correction made after the meeting (meetings.MinuteAmendment): still held,
    so it is the subject's data too (Article 15). Each correction says why, and in which role, never by whom."""
    texts: list[tuple[str, str]] = []
    for amendment in listing.minute_amendments.order_by("amended_at", "id"):
        note = amended_note(
            amended_on=timezone.localdate(amendment.amended_at), role=amendment.amended_as, reason=amendment.reason
        )
        texts.append((f"Meeting of {when}: minute corrected", redact(note)))
        for part, before, after in (
            ("risks discussed", amendment.risks_before, amendment.risks_after),
            ("decisions", amendment.decisions_before, amendment.decisions_after),
        ):
            if before != after:
                texts.append((f"Meeting of {when}: {part}, as recorded before that correction", redact(before)))
    return texts


def _meetings_section(party: CaseParty, redact: Redact, agency: AgencyName) -> Section:
    case, role = party.case, party.role
    listings = case.listings.select_related("meeting").order_by("meeting__starts_at")
    section = Section(f"Case {case.reference}: meetings, minutes and research")
    if PartyRole(role) not in MINUTES_FOR_ROLES and listings:
        section.introduction = MINUTES_LEFT_OUT[PartyRole(role)]
    for listing in listings:
        section.rows.append(
            (
                f"Meeting of {_day(timezone.localdate(listing.meeting.starts_at))}: outcome",
                listing.get_outcome_display(),
            )
        )
        section.texts += _listing_texts(listing, party, redact, agency)
    return section


def _actions_section(case: Case, role: str, redact: Redact, agency: AgencyName) -> Section:
    actions = Action.objects.filter(case=case, for_whom__in=ACTIONS_FOR_ROLE.get(PartyRole(role), []))
    history = ActionResolution.objects.select_related("from_agency", "to_agency").order_by("at", "id")
    rows = [
        (
            agency(a.owner_agency.name),
            redact(a.description),
            a.get_for_whom_display(),
            _day(a.due_on),
            a.get_status_display(),
            "\n".join(_resolution_text(resolution, redact, agency) for resolution in a.resolutions.all()),
        )
        for a in actions.select_related("owner_agency")
        .prefetch_related(Prefetch("resolutions", queryset=history))
        .order_by("due_on", "id")
    ]
    header = ("Agency", "Action", "For whom", "Due", "Status", "What was decided")
    return Section(f"Case {case.reference}: actions agreed", table=(header, rows))


def _resolution_text(resolution: ActionResolution, redact: Redact, agency: AgencyName) -> str:
    """What the coordinator or chair decided about an action the agency could not complete (closed as not completed,
    reopened or passed on), or about one reopened after being marked done: given with the action, wherever the action
    is given. Its reason is free text, redacted as the action's own words are; who decided is not named (staff by
    agency and role only, and a resolution holds neither)."""
    text = f"{resolution.get_kind_display()}, {_day(timezone.localdate(resolution.at))}"
    if resolution.to_agency is not None:
        text += f": from {agency(resolution.from_agency.name)} to {agency(resolution.to_agency.name)}"
    if resolution.due_on:
        text += f", due {_day(resolution.due_on)}"
    text += "."
    if resolution.referred_to_vawg:
        text += " Referred to the VAWG sub group."
    return f"{text} Reason: {redact(resolution.reason)}" if resolution.reason else text


def _access_events(records: list[Person]) -> Any:
    ids = [str(record.pk) for record in records]
    return AuditEvent.objects.filter(object_type="people.person", object_id__in=ids).order_by("at", "id")


def _role_labels(roles: str) -> str:
    return ", ".join(str(Role(role).label) if role in Role.values else role for role in roles.split(", ") if role)


def _access_section(records: list[Person], agency: AgencyName, *, victims_draft: bool) -> Section:
    """Who saw or changed the subject's records, by agency and role. Outside the victim's own draft, views by the
    IDVA service or a specialist domestic abuse service are left out: they would tell that she has support."""
    support = set(Agency.objects.filter(agency_type__in=VICTIMS_SUPPORT).values_list("name", flat=True))
    rows = [
        (
            f"{timezone.localtime(event.at):%-d %b %Y %H:%M}",
            event.get_action_display(),
            agency(event.agency_label) if event.agency_label else "OpenMARAC",
            _role_labels(event.roles) or "System",
        )
        for event in _access_events(records)
        if victims_draft or not (event.agency_label in support or Role.IDVA in event.roles.split(", "))
    ]
    return Section("Who has seen or changed your record", table=(("When", "What", "Agency", "Role"), rows))


IMPORTED_TITLE = "Where your information came from: the MARAC's earlier records"
IMPORTED_INTRODUCTION = (
    "Some of what is held about you was not collected from you or written in OpenMARAC: it was brought in from "
    "the MARAC's earlier records (its case log and action log) when the MARAC moved to OpenMARAC. Each record "
    "below came from there; the person who brought it in is named by agency and role only."
)


def _imported_by(runs: list[ImportRun], agency: AgencyName) -> dict[int, str]:
    """Who brought each import in, by agency and role as they were when the file was uploaded (the upload's audit
    entry); never their name."""
    uploads = AuditEvent.objects.filter(
        object_type="imports.importrun", object_id__in=[str(run.pk) for run in runs], action=AuditAction.CREATE
    ).order_by("at")
    found: dict[int, str] = {}
    for event in uploads:
        roles = _role_labels(event.roles)
        label = agency(event.agency_label) if event.agency_label else "No agency recorded"
        found.setdefault(int(event.object_id), f"{label}: {roles or 'no role'}")
    return found


def _imported_section(person: Person, parties: list[CaseParty], agency: AgencyName) -> Section | None:
    """UK GDPR Article 15(1)(g): the source of data not collected from the subject. Each of the subject's cases,
    and each action on them, that a history import made (ImportedRecord); the subject's own record too when that
    import created it. The import's date and who ran it (agency and role), never the file's name or its report."""
    roles = {party.case_id: party.get_role_display() for party in parties}
    actions_for = {party.case_id: ACTIONS_FOR_ROLE[PartyRole(party.role)] for party in parties}
    records = list(
        ImportedRecord.objects.filter(Q(case_id__in=roles) | Q(action__case_id__in=roles))
        .select_related("run", "case", "action__case", "action__owner_agency")
        .order_by("run__finished_at", "run_id", "pk")  # within a run, its cases were written before its actions
    )
    if not records:
        return None
    runs = list({record.run_id: record.run for record in records}.values())
    by = _imported_by(runs, agency)

    def source(run: ImportRun) -> tuple[str, str]:
        finished = timezone.localtime(run.finished_at).date() if run.finished_at else None
        return f"Imported from the MARAC's earlier records on {_day(finished)}", by.get(run.pk, "Not recorded")

    rows: list[tuple[str, str, str, str]] = []
    for run in runs:  # a person the import created, rather than one it found already held
        if run.started_at and run.finished_at and run.started_at <= person.created_at <= run.finished_at:
            rows.append(("Your record", "Your name, date of birth and the other details about you", *source(run)))
            break
    for record in records:
        if record.kind == RecordKind.CASE and record.case is not None:
            case = record.case
            what = f"The case, you as its {roles[case.pk].lower()}, and its hearing on {_day(case.heard_on)}"
            rows.append((f"Case {case.reference}", what, *source(record.run)))
        # Only the actions the actions section gives: the others are other people's safety planning.
        elif record.action is not None and record.action.for_whom in actions_for[record.action.case_id]:
            action = record.action
            what = f"An action for {agency(action.owner_agency.name)}, due {_day(action.due_on)}"
            rows.append((f"Case {action.case.reference}", what, *source(record.run)))
    header = ("Record", "What", "Source", "Brought in by (agency and role)")
    return Section(IMPORTED_TITLE, table=(header, rows), introduction=IMPORTED_INTRODUCTION)


def _idva_section(case: Case, redact: Redact) -> Section | None:
    """The IDVA allocation and the attempts to contact the victim, with their notes: hers, in her draft only. The
    IDVA is given by role, never by name."""
    allocation = IdvaAllocation.objects.filter(case=case).first()
    if allocation is None:
        return None
    allocated = timezone.localdate(allocation.allocated_at) if allocation.allocated_at else None
    declined = timezone.localdate(allocation.declined_at) if allocation.declined_at else None
    rows = [
        ("IDVA allocated", _day(allocated) if allocated else "Not yet allocated"),
        ("You declined the IDVA service", f"Yes, {_day(declined)}" if allocation.declined_by_victim else "No"),
    ]
    attempts = [
        (
            f"{timezone.localtime(attempt.attempted_at):%-d %b %Y %H:%M}",
            attempt.get_method_display(),
            "Yes" if attempt.succeeded else "No",
            redact(attempt.note),
        )
        for attempt in allocation.contact_attempts.order_by("attempted_at", "id")
    ]
    header = ("When", "How", "Reached you", "Note")
    return Section(f"Case {case.reference}: your IDVA and attempts to contact you", rows=rows, table=(header, attempts))


def _case_sections(party: CaseParty, redact: Redact, agency: AgencyName) -> list[Section]:
    sections = [
        _referral_section(party.case, party.person, party.role, redact),
        _meetings_section(party, redact, agency),
        _actions_section(party.case, party.role, redact, agency),
    ]
    if party.role == PartyRole.VICTIM and (idva := _idva_section(party.case, redact)) is not None:
        sections.append(idva)
    return sections


def subject_access_export(*, person: Person) -> SubjectAccessExport:
    records = _same_person_records(person)
    parties = list(
        CaseParty.objects.filter(person__in=records)
        .select_related("case", "person")
        .order_by("case__referred_on", "case_id")
    )
    cases = [party.case for party in parties]
    redact = redactor(
        _third_parties(records, parties), _staff_names(cases, records), subject=_subject_held(records, parties)
    )
    roles = {PartyRole(party.role) for party in parties}
    victims_draft = roles <= {PartyRole.VICTIM}
    agency = _agency_name(named=victims_draft, marac_id=person.marac_id)
    linked = [record for record in records if record.pk != person.pk]
    sections = [
        _person_section(person),
        *_aliases_and_addresses(person, linked, places_left_out=PartyRole.CHILD in roles),
        _cases_section(parties, person),
    ]
    for party in parties:
        sections += _case_sections(party, redact, agency)
    imported = _imported_section(person, parties, agency)
    if imported is not None:
        sections.append(imported)
    sections.append(_access_section(records, agency, victims_draft=victims_draft))
    return SubjectAccessExport(person.pk, person.marac.name, timezone.localtime(), sections)
