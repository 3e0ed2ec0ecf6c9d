"""Synthetic MARAC data written to the database: the demo's area, or many areas for national-scale benchmarks.

Everything comes from one seeded random.Random, so the same seed and dates give the same data. demo.plan
invents the cases as plain data; this module writes them with bulk_create, about a second for the demo year,
or for national runs on PostgreSQL by COPY (demo.bulk).
"""

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseParty, PartyRole
from demo import bulk, fictional
from demo.meeting_history import MeetingHistory
from demo.personas import create_agencies, create_users
from demo.plan import (
    SAFELIVES_2024,
    AreaSpec,
    CasePlan,
    LocalAuthority,
    PersonPlan,
    Planner,
    Shape,
    keep_lookalikes_apart,
    mark_demo_referrer_cases,
    name_siblings_apart,
    one_year_to,
    plant_duplicates,
    years_before,
)
from marac.models import Agency, AgencyType, AutomaticCriterion, EscalationEvent, Marac, PopulationFigure
from meetings.models import Meeting
from people.models import Address, Alias, Person, postcode_district_of

DEMO_SEED = 2024
DEMO_MARAC_NAME = "Northbrook MARAC"
DEMO_LOCAL_AUTHORITIES = ("Northbrook", "Eastvale")
DEMO_POSTCODE_AREAS = ("NB", "EV")
# 120,000 adult women: SafeLives' national 47 cases per 10,000 makes 564 cases a year.
DEMO_ADULT_FEMALE_POPULATION = 120_000
_BATCH_SIZE = 2000
# People recorded twice in the demo (a slip in the name or date of birth), for the matching model to learn from
# and the coordinator to find on the possible duplicates page.
DEMO_DUPLICATES = 11
# 300 MARACs in regions of 30 make 10 regions, about as many as England and Wales have police regions.
MARACS_PER_REGION = 30
# Each national area's women aged 16 and over, drawn evenly from this range: 83,000 on average, so that 300 areas
# hold about the 25 million of England and Wales (2021 census) and, at the referral rate of Shape, a year of the
# nation is about 117,000 cases (10 years about 1.2 million, the scale issue 8 names). The range was 40,000 to
# 160,000 until 2026-11-25, a nation a fifth more populous than the real one (1.46 million cases in 10 years).
NATIONAL_AREA_POPULATIONS = (36_000, 130_000)


@dataclass(frozen=True)
class AreaCounts:
    marac_id: int
    cases: int  # every case written, including the earlier ones that the period's repeats follow
    cases_in_period: int
    people: int
    addresses: int
    aliases: int
    case_parties: int
    meetings: int
    users: int


def stem_of(marac_name: str) -> str:
    return marac_name.removesuffix(" MARAC")


def split_population(rng: random.Random, total: int, parts: int) -> list[int]:
    """Shares of the adult female population, the first authority the largest, adding up to the total."""
    weights = sorted((rng.uniform(0.6, 1.4) for _ in range(parts)), reverse=True)
    shares = [int(total * weight / sum(weights)) for weight in weights]
    shares[0] += total - sum(shares)
    return shares


def generate_area(
    *,
    seed: int,
    start: date,
    end: date,
    name: str = DEMO_MARAC_NAME,
    local_authorities: Sequence[str] = DEMO_LOCAL_AUTHORITIES,
    adult_female_population: int = DEMO_ADULT_FEMALE_POPULATION,
    postcode_areas: Sequence[str] = DEMO_POSTCODE_AREAS,
    reference_prefix: str = "NB",
    with_users: bool = True,
    shape: Shape = SAFELIVES_2024,
    region: str = "",
    use_copy: bool | None = None,
    duplicates: int = 0,
) -> AreaCounts:
    """One MARAC with its agencies, population figures and cases referred from start to end (inclusive),
    plus the earlier cases its repeats follow; with_users adds the personas and agency representatives.
    Without users on PostgreSQL the rows are written by COPY (demo.bulk): the same rows, many times faster
    (use_copy says which way to write them instead; COPY needs PostgreSQL and no users). `duplicates` people are
    recorded a second time with a slip (demo.plan.plant_duplicates), and brothers and sisters are given names of
    their own (demo.plan.name_siblings_apart), drawn from a generator of their own so that everything else is as
    it would be without them."""
    if use_copy is None:
        use_copy = not with_users and connection.vendor == "postgresql"
    if use_copy and (with_users or connection.vendor != "postgresql"):
        raise ValueError("COPY writes areas without users, on PostgreSQL only.")
    rng = random.Random(seed)  # noqa: S311  synthetic data, nothing secret depends on it
    populations = split_population(rng, adult_female_population, len(local_authorities))
    areas = [*postcode_areas, *map(fictional.generated_postcode_area, range(len(local_authorities)))]
    spec = AreaSpec(
        reference_prefix=reference_prefix,
        local_authorities=tuple(map(LocalAuthority, local_authorities, populations, areas)),
        start=start,
        end=end,
    )
    with transaction.atomic():
        marac = _create_marac(name, spec, region)
        agencies = create_agencies(marac=marac, stem=stem_of(name))
        users = create_users(marac=marac, agencies=agencies, stem=stem_of(name), seed=seed) if with_users else {}
        planner = Planner(rng, spec, shape)
        cases = planner.plan()
        if duplicates:
            # Only the demo: national areas stay exactly as the benchmarks have always had them.
            extra = random.Random(f"{seed} duplicates")  # noqa: S311  synthetic data
            name_siblings_apart(extra, cases)
            planted = plant_duplicates(extra, cases, duplicates)
            keep_lookalikes_apart(extra, cases, planted)
        # The same meetings the application's own series would make, so that every hearing date has one.
        meetings = Meeting.objects.bulk_create(Meeting(marac=marac, starts_at=at) for at in planner.calendar.meetings)
        if with_users:
            mark_demo_referrer_cases(rng, cases, start=start)
        if use_copy:
            by_day = {meeting.starts_at.date(): meeting for meeting in meetings}
            counts = bulk.copy_cases(marac, cases, _people_in(cases), agencies, by_day, planner)
            in_period = sum(case.referred_on >= start for case in cases)
            return AreaCounts(marac_id=marac.pk, cases_in_period=in_period, meetings=len(meetings), users=0, **counts)
        counts = _write_cases(marac, cases, agencies, users.get("referrer"))
        # The demo's meetings as if run in OpenMARAC; national runs are left bare, and fast.
        history = (
            MeetingHistory(marac=marac, seed=seed, start=start, end=end, users=users, meetings=meetings)
            if with_users
            else None
        )
        _write_listings(marac, cases, {meeting.starts_at.date(): meeting for meeting in meetings}, planner, history)
        if history is not None:
            history.save()
    in_period = sum(case.referred_on >= start for case in cases)
    return AreaCounts(marac_id=marac.pk, cases_in_period=in_period, meetings=len(meetings), users=len(users), **counts)


def generate_demo(*, seed: int = DEMO_SEED, today: date | None = None) -> AreaCounts:
    """Northbrook MARAC with the twelve months to today."""
    end = today or timezone.localdate()
    return generate_area(seed=seed, start=one_year_to(end), end=end, duplicates=DEMO_DUPLICATES)


def generate_national(
    *,
    maracs: int,
    years: int,
    seed: int,
    end: date | None = None,
    region_size: int = MARACS_PER_REGION,
    progress: Callable[[int, AreaCounts], None] | None = None,
    part: tuple[int, int] = (0, 1),
) -> list[AreaCounts]:
    """Many areas side by side, for benchmarks: no users, each area with its own seed drawn from this one, in
    regions of region_size MARACs ("Region 1", "Region 2"...). progress, if given, hears of each area written.
    part=(k, n) writes only the areas whose index is k modulo n (the same areas as a whole run would), so that
    n processes can share the work."""
    rng = random.Random(seed)  # noqa: S311  synthetic data
    end = end or timezone.localdate()
    start = years_before(end, years) + timedelta(days=1)
    results: list[AreaCounts] = []
    for index, stem in zip(range(maracs), _area_stems(), strict=False):
        authorities = [stem, f"North {stem}", f"South {stem}"][: rng.randint(1, 3)]
        area_seed, population = rng.randrange(2**32), rng.randint(*NATIONAL_AREA_POPULATIONS)
        if index % part[1] != part[0]:
            continue
        results.append(
            generate_area(
                seed=area_seed,
                start=start,
                end=end,
                name=f"{stem} MARAC",
                local_authorities=authorities,
                adult_female_population=population,
                postcode_areas=[fictional.generated_postcode_area(index * 3 + part) for part in range(3)],
                reference_prefix=f"Q{index + 1:03d}",
                with_users=False,
                region=region_name(index, region_size),
            )
        )
        if progress is not None:
            progress(index, results[-1])
    return results


def region_name(index: int, region_size: int = MARACS_PER_REGION) -> str:
    """The region of the index-th national MARAC (from 0): Region 1 for the first region_size, and so on."""
    return f"Region {index // region_size + 1}"


def _area_stems() -> Iterator[str]:
    stems = fictional.area_stems()
    round_number = 1
    while True:
        yield from (stems if round_number == 1 else (f"{stem} {round_number}" for stem in stems))
        round_number += 1


def _create_marac(name: str, spec: AreaSpec, region: str = "") -> Marac:
    marac = Marac.objects.create(
        name=name,
        region=region,
        local_authorities=[authority.name for authority in spec.local_authorities],
        police_force=f"{stem_of(name)} Constabulary",
        meeting_frequency=spec.meeting_frequency,
        meeting_weekday=spec.meeting_weekday,
        escalation_events=[event.value for event in EscalationEvent],
        automatic_criteria=[criterion.value for criterion in AutomaticCriterion],
    )
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            marac=marac,
            local_authority=authority.name,
            year=year,
            adult_female_population=authority.adult_female_population,
        )
        for authority in spec.local_authorities
        for year in range(spec.start.year, spec.end.year + 1)
    )
    return marac


def _people_in(cases: Sequence[CasePlan]) -> list[PersonPlan]:
    seen: dict[PersonPlan, None] = {}
    for case in cases:
        for person in (case.victim, *case.perpetrators, *case.children):
            seen.setdefault(person, None)
    return list(seen)


def _person_row(marac: Marac, person: PersonPlan) -> Person:
    return Person(
        marac=marac,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        gender=person.gender,
        ethnicity=person.ethnicity,
        sexuality=person.sexuality,
        has_disability=person.has_disability,
        disability_details=person.disability_details,
        first_language=person.first_language,
        needs_interpreter=person.needs_interpreter,
    )


def _write_people(marac: Marac, people: list[PersonPlan]) -> dict[PersonPlan, Person]:
    rows = Person.objects.bulk_create((_person_row(marac, person) for person in people), batch_size=_BATCH_SIZE)
    saved = dict(zip(people, rows, strict=True))
    Address.objects.bulk_create(
        # bulk_create skips Address.save, which sets the postcode district: set it here instead.
        (
            Address(person=saved[person], postcode_district=postcode_district_of(address.postcode), **vars(address))
            for person in people
            for address in person.addresses
        ),
        batch_size=_BATCH_SIZE,
    )
    Alias.objects.bulk_create(
        (
            Alias(person=saved[person], given_name=given, family_name=family)
            for person in people
            for given, family in person.aliases
        ),
        batch_size=_BATCH_SIZE,
    )
    return saved


def _case_row(
    marac: Marac, case: CasePlan, victim: Person, agencies: dict[AgencyType, Agency], referrer: User | None
) -> Case:
    return Case(
        marac=marac,
        reference=case.reference,
        victim=victim,
        status=case.status,
        referred_on=case.referred_on,
        heard_on=case.heard_on,
        referring_agency=agencies[case.referring_agency],
        referred_by=referrer if case.by_demo_referrer else None,
        information_only=case.information_only,
        is_repeat=case.is_repeat,
        victim_pregnant=case.victim_pregnant,
        dash_score=case.dash_score,
    )


def _parties(case: CasePlan) -> Iterator[tuple[PersonPlan, PartyRole]]:
    yield case.victim, PartyRole.VICTIM
    yield from ((person, PartyRole.PERPETRATOR) for person in case.perpetrators)
    yield from ((person, PartyRole.CHILD) for person in case.children)


def _write_cases(
    marac: Marac, cases: Sequence[CasePlan], agencies: dict[AgencyType, Agency], referrer: User | None
) -> dict[str, int]:
    people = _write_people(marac, _people_in(cases))
    rows = [_case_row(marac, case, people[case.victim], agencies, referrer) for case in cases]
    Case.objects.bulk_create(rows, batch_size=_BATCH_SIZE)
    parties = [
        CaseParty(case=row, person=people[person], role=role)
        for row, case in zip(rows, cases, strict=True)
        for person, role in _parties(case)
    ]
    CaseParty.objects.bulk_create(parties, batch_size=_BATCH_SIZE)
    return {
        "cases": len(rows),
        "people": len(people),
        "addresses": sum(len(person.addresses) for person in people),
        "aliases": sum(len(person.aliases) for person in people),
        "case_parties": len(parties),
    }


def _write_listings(
    marac: Marac,
    cases: Sequence[CasePlan],
    meetings: dict[date, Meeting],
    planner: Planner,
    history: MeetingHistory | None = None,
) -> None:
    """Each case on the agenda of the meeting that heard it, or will hear it: the agendas of the demo's year,
    minuted first where the demo's meetings were run in OpenMARAC."""
    from meetings.models import Listing, ListingKind, Outcome

    rows = {case.reference: case for case in Case.objects.filter(marac=marac).only("pk", "reference")}
    listings = []
    for plan in cases:
        day = plan.heard_on or planner.calendar.hearing_for(plan.referred_on)
        meeting = meetings.get(day)
        if meeting is None:
            continue
        heard = plan.heard_on is not None
        listings.append(
            Listing(
                meeting=meeting,
                case=rows[plan.reference],
                kind=ListingKind.INFORMATION_ONLY if plan.information_only else ListingKind.FULL,
                outcome=(Outcome.CLOSED if plan.status == "closed" else Outcome.REVIEW) if heard else "",
            )
        )
    if history is not None:
        history.minute(listings)
    Listing.objects.bulk_create(listings, batch_size=_BATCH_SIZE)
