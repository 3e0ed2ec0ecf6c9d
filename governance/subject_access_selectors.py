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
from governance.subject_access import Section, SubjectAccessExport, ThirdParty, names_of, redactor
from imports.models import ImportedRecord, ImportRun, RecordKind
from marac.models import Agency, AgencyType
from meetings.minutes_rules import amended_note
from meetings.models import Listing, Research
from people.models import Person
from referrals.models import MatchDecision, Referral
from referrals.sections import SECTIONS_BY_SLUG, readable

Redact = Callable[[str], str]
AgencyName = Callable[[str], str]
OWN_FIELDS = {"given_name", "family_name", "date_of_birth", "address_line_1", "address_line_2", "town", "postcode"}
# The research an agency writes about the subject's role; the rest of it is about other people.
RESEARCH_FIELDS_BY_ROLE = {
    PartyRole.VICTIM: ["about_victim"],
    PartyRole.PERPETRATOR: ["about_perpetrator"],
    PartyRole.CHILD: ["about_children"],
    PartyRole.HOUSEHOLD_MEMBER: [],
}
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
# or IDVA service's name can point to where the victim went. Article 15(1)(c) allows categories of recipient.
AGENCY_NOT_NAMED = "Another agency"


def _agency_name(*, named: bool, marac_id: int) -> AgencyName:
    """How the draft names an agency: by its name in a victim's request, by its type in anyone else's. Two MARACs
    may each have an agency of one name: the MARAC's own member agency's type is taken, and a name that is agencies
    of several types elsewhere is named by no type at all."""
    if named:
        return lambda name: name
    types = dict(AgencyType.choices)
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


def _third_parties(person: Person, subject_parties: list[CaseParty]) -> list[ThirdParty]:
    cases = [party.case for party in subject_parties]
    others = (
        Person.objects.filter(case_parties__case__in=cases)
        .exclude(pk=person.pk)
        .prefetch_related("aliases", "addresses")
        .distinct()
    )
    parties = []
    for other in others:
        names = names_of(other.given_name, other.family_name)
        for alias in other.aliases.all():
            names += names_of(alias.given_name, alias.family_name)
        if other.description:
            names.append(other.description)
        dates = (other.date_of_birth,) if other.date_of_birth else ()
        parties.append(ThirdParty(tuple(names), dates, _places_held(other)))
    referrals = {referral.case_id: referral for referral in Referral.objects.filter(case__in=cases)}
    for party in subject_parties:
        if party.case_id in referrals:
            parties += _referral_third_parties(referrals[party.case_id], person, party.role)
    if any(party.role == PartyRole.CHILD for party in subject_parties):
        parties.append(_child_places(person, [referrals[p.case_id] for p in subject_parties if p.case_id in referrals]))
    return parties


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


def _referral_third_parties(referral: Referral, person: Person, role: str) -> list[ThirdParty]:
    """The other people in a referral as it was made: their names and where they lived or went to school then. The
    person records may not hold it (a victim matched to an earlier record keeps that record's addresses)."""
    own = _own_entry(referral, person, LIST_SECTIONS[role]) if role in LIST_SECTIONS else None
    entries = [] if role == PartyRole.VICTIM else [referral.content.get("victim")]
    for slug in ("children", "perpetrators"):
        entries += [item for item in referral.content.get(slug) or [] if item != own]
    return [
        ThirdParty(
            tuple(names_of(str(entry.get("given_name", "")), str(entry.get("family_name", "")))),
            _entry_date(entry.get("date_of_birth")),
            tuple(str(entry[key]) for key in PLACE_FIELDS if entry.get(key)),
        )
        for entry in entries
        if isinstance(entry, dict)
    ]


def _staff_names(cases: list[Case], person: Person) -> list[str]:
    from accounts.models import User

    ids = set(Research.objects.filter(listing__case__in=cases).values_list("author_id", flat=True))
    ids |= set(Action.objects.filter(case__in=cases).values_list("created_by_id", flat=True))
    ids |= set(ActionResolution.objects.filter(action__case__in=cases).values_list("by_id", flat=True))
    ids |= set(_access_events(person).exclude(actor_id=None).values_list("actor_id", flat=True))
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


def _aliases_and_addresses(person: Person, *, places_left_out: bool) -> list[Section]:
    aliases = [(f"{a.given_name} {a.family_name}".strip(),) for a in person.aliases.all()]
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
        for a in person.addresses.all()
    ]
    return [
        Section("Other names", table=(("Name",), aliases)),
        Section("Addresses", table=(("Address", "Lived there", "Confidential", "Safe to post"), addresses)),
    ]


def _cases_section(parties: list[CaseParty]) -> Section:
    rows = [
        (
            party.case.reference,
            party.get_role_display(),
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


def _listing_texts(listing: Listing, role: str, redact: Redact, agency: AgencyName) -> list[tuple[str, str]]:
    when = _day(timezone.localdate(listing.meeting.starts_at))
    texts: list[tuple[str, str]] = []
    if PartyRole(role) in MINUTES_FOR_ROLES:
        texts += [
            (f"Meeting of {when}: risks discussed", redact(listing.risks_minute)),
            (f"Meeting of {when}: decisions", redact(listing.decisions_minute)),
        ]
        texts += _amended_texts(listing, when, redact)
    for research in listing.research.select_related("agency").order_by("agency__name"):
        for name in RESEARCH_FIELDS_BY_ROLE.get(PartyRole(role), []):
            text = getattr(research, name)
            if text:
                texts.append((f"Meeting of {when}: research by {agency(research.agency.name)}", redact(text)))
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


def _meetings_section(case: Case, role: str, redact: Redact, agency: AgencyName) -> Section:
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
        section.texts += _listing_texts(listing, role, redact, agency)
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


def _access_events(person: Person) -> Any:
    return AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).order_by("at")


def _access_section(person: Person, agency: AgencyName) -> Section:
    rows = [
        (
            f"{timezone.localtime(event.at):%-d %b %Y %H:%M}",
            event.get_action_display(),
            agency(event.agency_label) if event.agency_label else "OpenMARAC",
            event.roles or "system",
        )
        for event in _access_events(person)
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
        roles = ", ".join(Role(role).label if role in Role.values else role for role in event.roles.split(", ") if role)
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


def subject_access_export(*, person: Person) -> SubjectAccessExport:
    parties = list(
        CaseParty.objects.filter(person=person).select_related("case").order_by("case__referred_on", "case_id")
    )
    cases = [party.case for party in parties]
    redact = redactor(_third_parties(person, parties), _staff_names(cases, person))
    roles = {PartyRole(party.role) for party in parties}
    agency = _agency_name(named=roles <= {PartyRole.VICTIM}, marac_id=person.marac_id)
    is_child = PartyRole.CHILD in roles
    sections = [
        _person_section(person),
        *_aliases_and_addresses(person, places_left_out=is_child),
        _cases_section(parties),
    ]
    for party in parties:
        sections += [
            _referral_section(party.case, person, party.role, redact),
            _meetings_section(party.case, party.role, redact, agency),
            _actions_section(party.case, party.role, redact, agency),
        ]
    imported = _imported_section(person, parties, agency)
    if imported is not None:
        sections.append(imported)
    sections.append(_access_section(person, agency))
    return SubjectAccessExport(person.pk, person.marac.name, timezone.localtime(), sections)
