"""A fictional MARAC's history planned as plain data, with no database: the same seed gives the same plan.

Each proportion in Shape is met by quota (exactly round(cases x share) cases carry it, chosen by the seeded
random generator) rather than left to chance, so even one area's year has the national shape.
"""

import bisect
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from demo import fictional
from demo.schedule import Calendar, status_on
from marac.models import AgencyType, MeetingFrequency
from people.models import Ethnicity, Gender, Sexuality

# DOMAIN.md "The life of a case" 5: a repeat is a further referral within 12 months of the last hearing.
REPEAT_WINDOW_DAYS = 365
# How far back an earlier case's referral may go so that its hearing still falls inside that window.
_EARLIER_REFERRAL_MAX_DAYS = 330
_EARLIER_REFERRAL_MIN_DAYS = 60
# A mother's children other than twins are born at least this far apart.
SIBLING_SPACING = timedelta(days=300)


@dataclass(frozen=True)
class Shape:
    """SafeLives' national MARAC data for the 12 months to September 2024, plus a few choices of our own."""

    cases_per_10k_adult_women: float = 47.0
    repeat_share: float = 0.31
    non_police_share: float = 0.36
    # How many children a case has, 0 to 4; these weights average 1.2 children a case, as nationally.
    children_weights: tuple[float, ...] = (0.38, 0.25, 0.21, 0.11, 0.05)
    male_share: float = 0.06
    disabled_share: float = 0.10
    minoritised_share: float = 0.14
    aged_16_17_share: float = 0.013
    # Our choices, not SafeLives figures.
    information_only_share: float = 0.05
    pregnant_share: float = 0.05
    two_perpetrators_share: float = 0.10
    confidential_address_share: float = 0.12


SAFELIVES_2024 = Shape()

# Who refers when the police do not, weighted; the IDVA service and children's social care lead nationally.
NON_POLICE_REFERRERS: dict[AgencyType, float] = {
    AgencyType.IDVA_SERVICE: 30,
    AgencyType.CHILDRENS_SOCIAL_CARE: 15,
    AgencyType.SECONDARY_HEALTH: 12,
    AgencyType.PRIMARY_HEALTH: 8,
    AgencyType.HOUSING: 8,
    AgencyType.MENTAL_HEALTH: 7,
    AgencyType.ADULT_SOCIAL_CARE: 5,
    AgencyType.SPECIALIST: 5,
    AgencyType.PROBATION: 4,
    AgencyType.SUBSTANCE_MISUSE: 3,
    AgencyType.EDUCATION: 2,
    AgencyType.EARLY_YEARS: 1,
}

# DASH scores: mostly visible high risk (14 or more); the lower ones are professional judgement or escalation.
DASH_WEIGHTS: dict[int, float] = {
    **{score: 1.4 for score in range(8, 14)},
    **dict(zip(range(14, 23), (12, 13, 13, 12, 10, 8, 6, 5, 4), strict=True)),
    23: 2,
    24: 1,
}

# Ages of adult victims: (youngest, oldest) and weight.
ADULT_AGE_BANDS: dict[tuple[int, int], float] = {(18, 24): 20, (25, 34): 35, (35, 44): 25, (45, 54): 12, (55, 80): 8}

MINORITISED_ETHNICITIES: dict[Ethnicity, float] = {
    Ethnicity.ASIAN: 45,
    Ethnicity.BLACK: 25,
    Ethnicity.MIXED: 15,
    Ethnicity.OTHER: 15,
}


@dataclass(frozen=True)
class LocalAuthority:
    name: str
    adult_female_population: int
    postcode_area: str


@dataclass(frozen=True)
class AreaSpec:
    reference_prefix: str
    local_authorities: tuple[LocalAuthority, ...]
    start: date
    end: date
    meeting_frequency: str = MeetingFrequency.THREE_WEEKLY
    meeting_weekday: int = 1
    bank_holiday_region: str = "ENG"

    @property
    def adult_female_population(self) -> int:
        return sum(authority.adult_female_population for authority in self.local_authorities)

    def case_count(self, shape: Shape) -> int:
        years = ((self.end - self.start).days + 1) / 365.25
        return round(self.adult_female_population * shape.cases_per_10k_adult_women / 10_000 * years)


@dataclass
class AddressPlan:
    line_1: str
    town: str
    postcode: str
    lived_from: date
    lived_to: date | None = None
    safe_to_post: bool = False
    confidential: bool = False


@dataclass(eq=False)  # compared by identity: one plan is one person, however many cases they are in
class PersonPlan:
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str
    ethnicity: str = Ethnicity.WHITE
    sexuality: str = Sexuality.NOT_KNOWN
    has_disability: bool | None = False
    disability_details: str = ""
    first_language: str = "English"
    needs_interpreter: bool = False
    addresses: list[AddressPlan] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class CasePlan:
    victim: PersonPlan
    perpetrators: list[PersonPlan]
    children: list[PersonPlan]
    referred_on: date
    referring_agency: AgencyType
    dash_score: int
    heard_on: date | None = None
    status: str = ""
    information_only: bool = False
    is_repeat: bool = False
    victim_pregnant: bool = False
    by_demo_referrer: bool = False
    reference: str = ""


@dataclass(frozen=True)
class VictimProfile:
    male: bool
    disabled: bool
    minoritised: bool
    aged_16_17: bool


@dataclass(frozen=True)
class Slot:
    """What the quotas decided for one case in the period, before anyone is invented for it."""

    referred_on: date
    profile: VictimProfile
    children: int
    repeat: bool
    pregnant: bool
    information_only: bool
    police_referral: bool


def quota(rng: random.Random, candidates: Iterable[int], share: float, total: int) -> set[int]:
    """Exactly round(total x share) of the candidates (or all of them, if there are fewer)."""
    pool = list(candidates)
    return set(rng.sample(pool, min(len(pool), round(total * share))))


def children_counts(rng: random.Random, count: int, weights: Sequence[float], young: set[int]) -> list[int]:
    counts = [children for children, weight in enumerate(weights) for _ in range(round(count * weight))]
    counts = (counts + [1] * count)[:count]
    rng.shuffle(counts)
    # A victim of 16 or 17 has at most one (young) child: swap any larger family with an adult's.
    for index in sorted(young):
        if counts[index] > 1:
            swap = rng.choice([other for other in range(count) if other not in young and counts[other] <= 1])
            counts[index], counts[swap] = counts[swap], counts[index]
    return counts


def plan_slots(rng: random.Random, days: Sequence[date], shape: Shape) -> list[Slot]:
    count = len(days)
    every = range(count)
    young = quota(rng, every, shape.aged_16_17_share, count)
    male = quota(rng, every, shape.male_share, count)
    disabled = quota(rng, every, shape.disabled_share, count)
    minoritised = quota(rng, every, shape.minoritised_share, count)
    pregnant = quota(rng, (i for i in every if i not in male), shape.pregnant_share, count)
    # Victims of 16 or 17 are kept out of repeats so that a repeat never finds them still 15 the year before.
    repeat = quota(rng, (i for i in every if i not in young), shape.repeat_share, count)
    children = children_counts(rng, count, shape.children_weights, young)
    # BD Cases for information only: never with children, a pregnant victim or a victim who is a child (16 or 17).
    # The young are taken out after the draw, so that the draws after it (and the demo) stay as they were.
    info = quota(rng, (i for i in every if not children[i] and i not in pregnant), shape.information_only_share, count)
    info -= young
    non_police = quota(rng, every, shape.non_police_share, count)
    return [
        Slot(
            referred_on=days[i],
            profile=VictimProfile(i in male, i in disabled, i in minoritised, i in young),
            children=children[i],
            repeat=i in repeat,
            pregnant=i in pregnant,
            information_only=i in info,
            police_referral=i not in non_police,
        )
        for i in every
    ]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def one_year_to(end: date) -> date:
    """The first day of the twelve months that end on `end`."""
    return years_before(end, 1) + timedelta(days=1)


class _Chains:
    """The latest heard, full-listing case of each victim with a given profile: who a repeat can follow."""

    def __init__(self) -> None:
        self.heard: list[date] = []
        self.cases: list[CasePlan] = []

    def add(self, case: CasePlan) -> None:
        # Cases arrive in referral order and the hearing date never goes back, so the lists stay sorted.
        assert case.heard_on is not None
        self.heard.append(case.heard_on)
        self.cases.append(case)

    def take(self, rng: random.Random, day: date) -> CasePlan | None:
        stale = bisect.bisect_left(self.heard, day - timedelta(days=REPEAT_WINDOW_DAYS))
        del self.heard[:stale], self.cases[:stale]
        eligible = bisect.bisect_left(self.heard, day)
        if not eligible:
            return None
        index = rng.randrange(eligible)
        del self.heard[index]
        return self.cases.pop(index)


def _birth_date(rng: random.Random, day: date, age: int) -> date:
    latest = years_before(day, age)
    earliest = years_before(day, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _spaced_birth(
    first: date, draw: Callable[[random.Random], date], siblings: Sequence[PersonPlan], *, seed: tuple[object, ...]
) -> date | None:
    """A child's date of birth at least SIBLING_SPACING from each sibling's, or None where none is found.

    `first` is drawn by the caller from the plan's generator, as it always was; any redraw comes from a generator
    seeded by the family, so that spacing one family's children leaves the rest of the plan as it was."""
    if _apart(first, siblings):
        return first
    family = random.Random(repr(seed) + str(len(siblings)))  # noqa: S311  synthetic data
    for _ in range(50):
        born = draw(family)
        if _apart(born, siblings):
            return born
    return None


def _family(parent: PersonPlan) -> tuple[str, str, date]:
    return parent.given_name, parent.family_name, parent.date_of_birth


def _apart(born: date, siblings: Sequence[PersonPlan]) -> bool:
    return all(abs(born - sibling.date_of_birth) >= SIBLING_SPACING for sibling in siblings)


def _weighted[T](rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Planner:
    """Plans one area's cases for its period, plus the earlier cases that its repeats follow."""

    def __init__(self, rng: random.Random, spec: AreaSpec, shape: Shape = SAFELIVES_2024) -> None:
        self.rng, self.spec, self.shape = rng, spec, shape
        self.calendar = Calendar(
            frequency=spec.meeting_frequency,
            weekday=spec.meeting_weekday,
            region=spec.bank_holiday_region,
            first=spec.start - timedelta(days=REPEAT_WINDOW_DAYS + 60),
            last=spec.end + timedelta(days=120),
        )
        self.chains: dict[tuple[bool, bool, bool], _Chains] = {}
        self.cases: list[CasePlan] = []

    def plan(self) -> list[CasePlan]:
        working_days = self.calendar.working_days(self.spec.start, self.spec.end)
        days = sorted(self.rng.choice(working_days) for _ in range(self.spec.case_count(self.shape)))
        for slot in plan_slots(self.rng, days, self.shape):
            case = self._repeat(slot) if slot.repeat else self._new_case(slot, slot.referred_on)
            self._settle(case, slot)
        self.cases.sort(key=lambda case: case.referred_on)
        number_cases(self.cases, self.spec.reference_prefix)
        return self.cases

    def _settle(self, case: CasePlan, slot: Slot) -> None:
        case.information_only = slot.information_only
        case.victim_pregnant = slot.pregnant and case.victim.gender == Gender.FEMALE
        case.referring_agency = AgencyType.POLICE if slot.police_referral else _weighted(self.rng, NON_POLICE_REFERRERS)
        self._schedule(case)
        # Victims of 16 or 17 start no chain either, so that nobody is counted twice as a 16-17 year old.
        if case.heard_on and not case.information_only and not slot.profile.aged_16_17:
            self._chain(slot.profile).add(case)

    def _schedule(self, case: CasePlan) -> None:
        hearing = self.calendar.hearing_for(case.referred_on)
        case.heard_on, case.status = status_on(referred_on=case.referred_on, hearing=hearing, today=self.spec.end)
        self.cases.append(case)

    # Repeats

    def _repeat(self, slot: Slot) -> CasePlan:
        day = slot.referred_on
        earlier = None
        if self.rng.random() >= self._share_before_period(day):
            earlier = self._chain(slot.profile).take(self.rng, day)
        earlier = earlier or self._earlier_case_before_period(slot) or self._any_chain(day)
        if earlier is None:  # nobody to follow (only when the period is far shorter than a year)
            return self._new_case(slot, day)
        return self._follow_on(earlier, slot)

    def _share_before_period(self, day: date) -> float:
        """How likely the earlier hearing falls before the period: the part of its window that lies there."""
        elapsed = (day - self.spec.start).days
        return max(0.0, (_EARLIER_REFERRAL_MAX_DAYS - elapsed) / _EARLIER_REFERRAL_MAX_DAYS)

    def _chain(self, profile: VictimProfile) -> _Chains:
        return self.chains.setdefault(_chain_key(profile), _Chains())

    def _any_chain(self, day: date) -> CasePlan | None:
        for key in sorted(self.chains):
            earlier = self.chains[key].take(self.rng, day)
            if earlier:
                return earlier
        return None

    def _earlier_case_before_period(self, slot: Slot) -> CasePlan | None:
        latest = min(self.spec.start, slot.referred_on - timedelta(days=_EARLIER_REFERRAL_MIN_DAYS))
        days = self.calendar.working_days(slot.referred_on - timedelta(days=_EARLIER_REFERRAL_MAX_DAYS), latest)
        days = [day for day in days if day < self.spec.start]
        if not days:
            return None
        case = self._new_case(slot, self.rng.choice(days))
        case.referring_agency = AgencyType.POLICE if self.rng.random() < 0.64 else AgencyType.IDVA_SERVICE
        self._schedule(case)
        return case

    def _follow_on(self, earlier: CasePlan, slot: Slot) -> CasePlan:
        victim = earlier.victim
        children = earlier.children[: slot.children]
        for _ in range(slot.children - len(children)):
            children.append(self._newborn(victim, earlier.referred_on, slot.referred_on, children))
        return CasePlan(
            victim=victim,
            perpetrators=earlier.perpetrators,
            children=children,
            referred_on=slot.referred_on,
            referring_agency=AgencyType.POLICE,
            dash_score=_weighted(self.rng, DASH_WEIGHTS),
            is_repeat=True,
        )

    # New cases and the people in them

    def _new_case(self, slot: Slot, day: date) -> CasePlan:
        victim = self._victim(slot.profile, day, slot.children)
        perpetrators = self._perpetrators(victim, day, young=slot.profile.aged_16_17)
        children: list[PersonPlan] = []
        for _ in range(slot.children):
            children.append(self._child(victim, day, children))
        self._house(victim, perpetrators, children, day)
        return CasePlan(
            victim=victim,
            perpetrators=perpetrators,
            children=children,
            referred_on=day,
            referring_agency=AgencyType.POLICE,
            dash_score=_weighted(self.rng, DASH_WEIGHTS),
        )

    def _victim_age(self, profile: VictimProfile, children: int) -> int:
        if profile.aged_16_17:
            return self.rng.choice((16, 17))
        youngest, oldest = _weighted(self.rng, ADULT_AGE_BANDS)
        return max(self.rng.randint(youngest, oldest), 18 + children)

    def _victim(self, profile: VictimProfile, day: date, children: int) -> PersonPlan:
        rng = self.rng
        victim = PersonPlan(
            given_name=fictional.given_name(rng, male=profile.male),
            family_name=fictional.family_name(rng),
            date_of_birth=_birth_date(rng, day, self._victim_age(profile, children)),
            gender=Gender.MALE if profile.male else Gender.FEMALE,
            ethnicity=self._ethnicity(minoritised=profile.minoritised),
            has_disability=True if profile.disabled else (None if rng.random() < 0.1 else False),
            disability_details=rng.choice(fictional.DISABILITY_DETAILS) if profile.disabled else "",
        )
        self._language(victim)
        if rng.random() < 0.04:  # a former family name
            victim.aliases.append((victim.given_name, fictional.family_name(rng)))
        return victim

    def _ethnicity(self, *, minoritised: bool) -> str:
        if minoritised:
            return _weighted(self.rng, MINORITISED_ETHNICITIES)
        return Ethnicity.NOT_KNOWN if self.rng.random() < 0.04 else Ethnicity.WHITE

    def _language(self, person: PersonPlan) -> None:
        share = 0.3 if person.ethnicity not in (Ethnicity.WHITE, Ethnicity.NOT_KNOWN) else 0.04
        if self.rng.random() < share:
            person.first_language = self.rng.choice(fictional.OTHER_FIRST_LANGUAGES)
            person.needs_interpreter = self.rng.random() < 0.5

    def _perpetrators(self, victim: PersonPlan, day: date, *, young: bool) -> list[PersonPlan]:
        partner = self._partner(victim, day, young=young)
        perpetrators = [partner]
        if self.rng.random() < self.shape.two_perpetrators_share:
            perpetrators.append(self._relative(partner, victim, day))
        return perpetrators

    def _partner(self, victim: PersonPlan, day: date, *, young: bool) -> PersonPlan:
        rng = self.rng
        victim_male = victim.gender == Gender.MALE
        male = rng.random() < (0.35 if victim_male else 0.95)
        victim_age = day.year - victim.date_of_birth.year
        age = rng.randint(16, 24) if young else max(18, victim_age + rng.randint(-4, 8))
        partner = PersonPlan(
            given_name=fictional.given_name(rng, male=male),
            family_name=fictional.family_name(rng),
            date_of_birth=_birth_date(rng, day, age),
            gender=Gender.MALE if male else Gender.FEMALE,
            ethnicity=victim.ethnicity if rng.random() < 0.85 else self._ethnicity(minoritised=rng.random() < 0.3),
        )
        same_sex = male == victim_male
        victim.sexuality = partner.sexuality = _sexuality(rng, same_sex=same_sex)
        if rng.random() < 0.1:
            partner.aliases.append((fictional.given_name(rng, male=male), fictional.family_name(rng)))
        return partner

    def _relative(self, partner: PersonPlan, victim: PersonPlan, day: date) -> PersonPlan:
        """A second perpetrator: one of the partner's family, a generation older."""
        male = self.rng.random() < 0.5
        age = day.year - partner.date_of_birth.year + self.rng.randint(20, 30)
        return PersonPlan(
            given_name=fictional.given_name(self.rng, male=male),
            family_name=partner.family_name,
            date_of_birth=_birth_date(self.rng, day, age),
            gender=Gender.MALE if male else Gender.FEMALE,
            ethnicity=partner.ethnicity,
        )

    def _child(self, parent: PersonPlan, day: date, siblings: Sequence[PersonPlan]) -> PersonPlan:
        return self._child_born(parent, self._child_birth(parent, day, siblings, self.rng))

    def _child_birth(self, parent: PersonPlan, day: date, siblings: Sequence[PersonPlan], rng: random.Random) -> date:
        parent_age = day.year - parent.date_of_birth.year
        # Kept to 16 or under so that a child is still a child at a repeat within the year.
        oldest = max(0, min(16, parent_age - 17))

        def draw(rng: random.Random) -> date:
            return _birth_date(rng, day, rng.randint(0, oldest))

        first = draw(rng)
        born = _spaced_birth(first, draw, siblings, seed=(*_family(parent), day))
        # Only where the parent is too young for children this far apart: twins.
        return born or min(siblings, key=lambda sibling: abs(sibling.date_of_birth - first)).date_of_birth

    def _newborn(self, parent: PersonPlan, after: date, before: date, siblings: Sequence[PersonPlan]) -> PersonPlan:
        def draw(rng: random.Random) -> date:
            return after + timedelta(days=rng.randrange(max(1, (before - after).days)))

        born = _spaced_birth(draw(self.rng), draw, siblings, seed=(*_family(parent), after))
        if born is None:
            # No room for a baby since the last referral: a child that referral did not record.
            family = random.Random(repr((*_family(parent), before)))  # noqa: S311  synthetic data
            born = self._child_birth(parent, before, siblings, family)
        child = self._child_born(parent, born)
        current = parent.addresses[-1]
        child.addresses.append(replace(current, lived_from=max(born, current.lived_from), lived_to=None))
        return child

    def _child_born(self, parent: PersonPlan, born: date) -> PersonPlan:
        return PersonPlan(
            given_name=self.rng.choice(fictional.CHILD_GIVEN_NAMES),
            family_name=parent.family_name,
            date_of_birth=born,
            gender=self.rng.choice((Gender.FEMALE, Gender.MALE)),
            ethnicity=parent.ethnicity,
        )

    # Addresses

    def _local_authority(self) -> LocalAuthority:
        authorities = self.spec.local_authorities
        weights = [authority.adult_female_population for authority in authorities]
        return self.rng.choices(authorities, weights=weights)[0]

    def _address(self, day: date, *, years_lived: tuple[int, int] = (1, 10)) -> AddressPlan:
        authority = self._local_authority()
        lived_days = self.rng.randint(years_lived[0] * 365, years_lived[1] * 365)
        return AddressPlan(
            line_1=fictional.street_line(self.rng),
            town=authority.name,
            postcode=fictional.postcode(self.rng, authority.postcode_area),
            lived_from=day - timedelta(days=lived_days),
        )

    def _house(self, victim: PersonPlan, perpetrators: list[PersonPlan], children: list[PersonPlan], day: date) -> None:
        rng = self.rng
        home = self._address(day)
        if rng.random() < self.shape.confidential_address_share:
            # Fled, to a refuge or somewhere the perpetrator must not learn: confidential.
            moved = day - timedelta(days=rng.randint(1, 60))
            victim_now = replace(
                self._address(day), lived_from=moved, confidential=True, safe_to_post=rng.random() < 0.5
            )
            victim.addresses += [replace(home, lived_to=moved - timedelta(days=1)), victim_now]
            perpetrators[0].addresses.append(replace(home))
        elif rng.random() < 0.35:
            # Still living together: letters to the home could be read by the perpetrator.
            victim_now = home
            victim.addresses.append(home)
            perpetrators[0].addresses.append(replace(home))
        else:
            victim_now = replace(home, safe_to_post=rng.random() < 0.6)
            victim.addresses.append(victim_now)
            perpetrators[0].addresses.append(self._address(day))
        for person in perpetrators[1:]:
            person.addresses.append(self._address(day, years_lived=(3, 30)))
        for child in children:
            child.addresses.append(replace(victim_now, lived_from=max(victim_now.lived_from, child.date_of_birth)))


def _chain_key(profile: VictimProfile) -> tuple[bool, bool, bool]:
    return profile.male, profile.disabled, profile.minoritised


def _sexuality(rng: random.Random, *, same_sex: bool) -> str:
    if same_sex:
        return Sexuality.GAY_OR_LESBIAN if rng.random() < 0.8 else Sexuality.BISEXUAL
    return Sexuality.HETEROSEXUAL if rng.random() < 0.85 else Sexuality.NOT_KNOWN


def number_cases(cases: Sequence[CasePlan], prefix: str) -> None:
    """References like NB-2026-0001: numbered afresh each calendar year, in order of referral."""
    numbers: dict[int, int] = {}
    for case in cases:
        year = case.referred_on.year
        numbers[year] = numbers.get(year, 0) + 1
        case.reference = f"{prefix}-{year}-{numbers[year]:04d}"


def mark_demo_referrer_cases(rng: random.Random, cases: Sequence[CasePlan], *, start: date, count: int = 8) -> None:
    """Give the demo referrer (a health visitor) a handful of their agency's referrals, the latest among them,
    so that persona has referrals to follow."""
    own = [case for case in cases if case.referred_on >= start and case.referring_agency == AgencyType.PRIMARY_HEALTH]
    latest, earlier = own[-3:], own[:-3]
    for case in latest + rng.sample(earlier, min(len(earlier), count - len(latest))):
        case.by_demo_referrer = True


def _retyped_date(born: date) -> date:
    """The date of birth as retyped: day and month the wrong way round where that makes another date, otherwise
    one digit wrong (the last of the day, or else of the year)."""
    if born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month)
    for day in (born.day + 1, born.day - 1):
        if day // 10 == born.day // 10 and day > 0:
            try:
                return born.replace(day=day)
            except ValueError:  # the 31st of a 30-day month
                continue
    return years_before(born, 1 if born.year % 10 else -1)


# What differs when someone already held is recorded again, in turn (a quota, as for the plan's other shares):
# mostly a slip of the keyboard, sometimes nothing but the address (they moved, and the new agency did not find
# the old record).
RETYPINGS = ("family", "given", "born", "moved", "family", "born", "given", "family", "born", "moved", "given")


def retyped(rng: random.Random, person: PersonPlan, day: date, change: str) -> PersonPlan:
    """The same person recorded again by someone else on `day`, with one change (RETYPINGS): a slip in the given
    name, the family name or the date of birth, or a new address; in one record in ten a second slip. None of
    the other names the first record holds (the new agency did not know them)."""
    changes = {change, *(rng.sample(["given", "family", "born"], 1) if rng.random() < 0.1 else [])}
    addresses = [replace(address) for address in person.addresses]
    if "moved" in changes:
        current = addresses[-1]
        moved = day - timedelta(days=rng.randint(30, 300))
        addresses = [
            replace(
                current,
                line_1=fictional.street_line(rng),
                postcode=fictional.postcode(rng, current.postcode[:2]),
                lived_from=moved,
                lived_to=None,
            )
        ]
    return PersonPlan(
        given_name=fictional.mistyped(rng, person.given_name) if "given" in changes else person.given_name,
        family_name=fictional.mistyped(rng, person.family_name) if "family" in changes else person.family_name,
        date_of_birth=_retyped_date(person.date_of_birth) if "born" in changes else person.date_of_birth,
        gender=person.gender,
        ethnicity=person.ethnicity,
        sexuality=person.sexuality,
        first_language=person.first_language,
        addresses=addresses,
    )


def plant_duplicates(rng: random.Random, cases: Sequence[CasePlan], count: int) -> list[tuple[PersonPlan, PersonPlan]]:
    """Someone already held recorded a second time as a new person, as happens: a perpetrator who goes on to
    abuse a new partner, referred by another agency that typed the name or date of birth differently, or did not
    find the record made at an old address. For `count` new (not repeat) cases with one perpetrator, that
    perpetrator becomes a retyped copy of the perpetrator of an earlier case with another victim. Repeats are left
    alone: a repeat that follows one of these cases shares its list of perpetrators, so it follows the same
    (retyped) person. Returns the pairs (first record, second record), for checking that the model finds them."""
    used: set[int] = set()  # people already in a planted pair, or dropped for one: never picked again
    planted: list[tuple[PersonPlan, PersonPlan]] = []
    later = [case for case in cases if not case.is_repeat and len(case.perpetrators) == 1]
    for case in rng.sample(later, len(later)):
        if len(planted) == count:
            break
        if id(case.perpetrators[0]) in used:
            continue
        earlier = [
            other.perpetrators[0]
            for other in cases
            if other.referred_on < case.referred_on
            and other.victim is not case.victim
            and other.perpetrators is not case.perpetrators
            and other.perpetrators[0].gender == case.perpetrators[0].gender
            and id(other.perpetrators[0]) not in used
        ]
        if not earlier:
            continue
        first = rng.choice(earlier)
        second = retyped(rng, first, case.referred_on, RETYPINGS[len(planted) % len(RETYPINGS)])
        used |= {id(first), id(second), id(case.perpetrators[0])}
        case.perpetrators[0] = second  # in place: a repeat of this case holds the same list
        planted.append((first, second))
    return planted


def name_siblings_apart(rng: random.Random, cases: Sequence[CasePlan]) -> int:
    """Brothers and sisters with given names of their own: the planner draws each child's name on its own, so a
    family can have two children of one name (born years apart at one address), which real families almost never
    do and which looks to the matching model like one child recorded twice. Renames the later of any two
    children of one victim sharing a given name; returns how many were renamed."""
    families: dict[int, list[PersonPlan]] = {}
    for case in cases:
        family = families.setdefault(id(case.victim), [])
        family += [child for child in case.children if all(child is not other for other in family)]
    renamed = 0
    for children in families.values():
        taken: set[str] = set()
        for child in children:
            if child.given_name in taken:
                child.given_name = rng.choice([name for name in fictional.CHILD_GIVEN_NAMES if name not in taken])
                renamed += 1
            taken.add(child.given_name)
    return renamed


def keep_lookalikes_apart(
    rng: random.Random, cases: Sequence[CasePlan], planted: Sequence[tuple[PersonPlan, PersonPlan]]
) -> int:
    """Two different people drawn with the same names and nearly the same date of birth: the fictional name lists
    are short, so the planner makes such pairs far more often than real life does, and to anyone reading the
    possible duplicates (or checking the model) they look like one person recorded twice. Gives the later of any
    such pair, not one of the planted duplicates (plant_duplicates), another family name; returns how many."""
    people: dict[int, PersonPlan] = {}
    for case in cases:
        for person in (case.victim, *case.perpetrators, *case.children):
            people.setdefault(id(person), person)
    kept = {id(person) for pair in planted for person in pair}
    renamed = 0
    for later in _lookalikes(list(people.values()), kept):
        taken = {person.family_name for person in people.values() if person.given_name == later.given_name}
        later.family_name = rng.choice([name for name in fictional.FAMILY_NAMES if name not in taken])
        renamed += 1
    return renamed


def _lookalikes(people: list[PersonPlan], kept: set[int]) -> list[PersonPlan]:
    """The second of each pair of people one or two keyboard slips apart (names and date of birth), same gender
    and initial, where it may be renamed (not in kept)."""
    by_year: dict[tuple[str, int], list[PersonPlan]] = {}
    for person in people:
        if person.date_of_birth is not None:
            by_year.setdefault((person.gender, person.date_of_birth.year), []).append(person)
    found: dict[int, PersonPlan] = {}
    for (gender, year), group in by_year.items():
        near = group + by_year.get((gender, year + 1), [])
        for index, first in enumerate(group):
            for second in near[index + 1 :]:
                if first.given_name[:1] != second.given_name[:1] or _slips(first, second) > 2:
                    continue
                if id(second) not in kept:
                    found.setdefault(id(second), second)
                elif id(first) not in kept:
                    found.setdefault(id(first), first)
    return list(found.values())


def _slips(first: PersonPlan, second: PersonPlan) -> int:
    return (
        _edits(first.given_name, second.given_name)
        + _edits(first.family_name, second.family_name)
        + _edits(first.date_of_birth.isoformat(), second.date_of_birth.isoformat())
    )


def _edits(first: str, second: str) -> int:
    """Levenshtein distance (each slip of a key one edit)."""
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b)))
        row = current
    return row[-1]
