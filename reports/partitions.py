"""Where one count shown on a report is the sum of others, so that a count withheld as "<6" could be worked out by
subtraction (reports.suppression.withhold uses these to withhold one more where it would be). Declared here, in one
place, with why each holds: a group is declared only where its parts are exhaustive and exclusive, as the code that
counts them makes them (reports/indicators.py for the dashboard, reports/meeting_return.py for the return).

A count is named by a quantity: the numerator or the denominator of an indicator ("referrals_from_police.numerator"),
except where several indicators show the same count, which then share one name (SAME_COUNT): withholding it in one
place must withhold it in all of them."""

from dataclasses import dataclass

from marac.models import AgeBand, AgencyType
from meetings.models import ProcessLinkKind
from referrals.models import Consent
from reports.indicators import ETHNIC_GROUPS, MINORITISED, WORKING_WITH_CHILDREN, Indicator

NUMERATOR = "numerator"
DENOMINATOR = "denominator"


def term(key: str, which: str) -> str:
    return f"{key}.{which}"


@dataclass(frozen=True)
class Partition:
    total: str  # a quantity
    parts: tuple[str, ...]
    why: str


# --- The same count in several places ------------------------------------------------------------------------
# Each is the same Tally over the same rows in reports/indicators.py.

_REFERRED = "cases referred"  # REFERRED counted by ROWS: _count_of(referred), and every _share_*(referred)'s total
_HEARD = "cases heard"  # HEARD counted by ROWS: _count_of(heard), _cases_per_10k, every _share_*(heard)'s total
_BY_CSC = "cases referred by children's social care"  # _referred_from(CHILDRENS_SOCIAL_CARE), in three indicators
_ETHNICITY_RECORDED = "cases referred with the victim's ethnic group recorded"
_AGED_16_PLUS = "cases referred with a victim aged 16 or over"
_AGED_16_17 = "cases referred with a victim aged 16 or 17"  # _aged(REFERRED_AGES, 16, 17) in two indicators


def _consent_recorded(field: str) -> str:
    return f"referrals submitted with {field} recorded"


_CONSENT_FIELDS = ("information_sharing_consent", "idva_referral_consent")
_SHARES_OF_REFERRALS = (
    "non_police_referrals",
    *(f"referrals_from_{agency_type.value}" for agency_type in AgencyType),
    "referrals_bme",
    "referrals_lgbt",
    "referrals_disability",
    "referrals_male",
    "referrals_16_17",
    "referrals_perpetrator_under_18",
)
_SHARES_OF_HEARD = (
    "victims_55_plus",
    "victims_16_17",
    "male_victims",
    "repeat_cases",
    "victims_with_children",
    "data_recorded",
)

SAME_COUNT: dict[str, str] = {
    term("referrals", NUMERATOR): _REFERRED,
    term("referrals_change", NUMERATOR): _REFERRED,
    **{term(key, DENOMINATOR): _REFERRED for key in _SHARES_OF_REFERRALS},
    term("cases_heard", NUMERATOR): _HEARD,
    term("cases_heard_change", NUMERATOR): _HEARD,
    term("cases_per_10k", NUMERATOR): _HEARD,
    **{term(key, DENOMINATOR): _HEARD for key in _SHARES_OF_HEARD},
    term("csc_referrals", NUMERATOR): _BY_CSC,
    term("csc_referrals_growth", NUMERATOR): _BY_CSC,
    term(f"referrals_from_{AgencyType.CHILDRENS_SOCIAL_CARE.value}", NUMERATOR): _BY_CSC,
    **{term(f"population_ethnicity_{group.value}", DENOMINATOR): _ETHNICITY_RECORDED for group in ETHNIC_GROUPS},
    **{term(f"population_age_{band.value}", DENOMINATOR): _AGED_16_PLUS for band in AgeBand},
    term("referrals_16_17", NUMERATOR): _AGED_16_17,
    term(f"population_age_{AgeBand.AGED_16_17.value}", NUMERATOR): _AGED_16_17,
    **{
        term(f"{field}_{answer.value}", DENOMINATOR): _consent_recorded(field)
        for field in _CONSENT_FIELDS
        for answer in Consent
    },
}


def quantity(key: str, which: str) -> str:
    """The count an indicator's numerator or denominator shows."""
    name = term(key, which)
    return SAME_COUNT.get(name, name)


def _numerator(key: str) -> str:
    return quantity(key, NUMERATOR)


# --- Within one MARAC's column ---------------------------------------------------------------------------------
_AGENCY_PARTS = tuple(_numerator(f"referrals_from_{agency_type.value}") for agency_type in AgencyType)

WITHIN_A_COLUMN: tuple[Partition, ...] = (
    Partition(
        _REFERRED,
        _AGENCY_PARTS,
        "Every case has a referring agency (Case.referring_agency is required) and every agency one type "
        "(Agency.agency_type, required, one of AgencyType), so each case referred is counted by exactly one "
        "referrals_from_* indicator.",
    ),
    Partition(
        _REFERRED,
        (_numerator(f"referrals_from_{AgencyType.POLICE.value}"), _numerator("non_police_referrals")),
        "non_police_referrals counts the cases whose referring agency is not of the police type: the rest.",
    ),
    Partition(
        _numerator("non_police_referrals"),
        tuple(part for part in _AGENCY_PARTS if part != _numerator(f"referrals_from_{AgencyType.POLICE.value}")),
        "The cases referred by each agency type other than the police, as for all referrals above.",
    ),
    Partition(
        _numerator("children_agency_referrals_growth"),
        tuple(_numerator(f"referrals_from_{agency_type.value}") for agency_type in WORKING_WITH_CHILDREN),
        "The cases referred by any of WORKING_WITH_CHILDREN are those referred by each of them: one agency a case.",
    ),
    Partition(
        _ETHNICITY_RECORDED,
        tuple(_numerator(f"population_ethnicity_{group.value}") for group in ETHNIC_GROUPS),
        "Person.ethnicity is required, one of Ethnicity: recorded means one of ETHNIC_GROUPS (all but not known).",
    ),
    Partition(
        _numerator("referrals_bme"),
        tuple(_numerator(f"population_ethnicity_{group.value}") for group in MINORITISED),
        "IS_BME is an ethnicity in MINORITISED: each victim one of those groups.",
    ),
    Partition(
        _AGED_16_PLUS,
        tuple(_numerator(f"population_age_{band.value}") for band in AgeBand),
        "AGE_BAND_RANGES runs without gaps from 16 (16-17, 18-24, ..., 55 and over), as _aged's bands from 16 do.",
    ),
    *(
        Partition(
            _consent_recorded(field),
            tuple(_numerator(f"{field}_{answer.value}") for answer in Consent),
            "A recorded answer (not blank) is one of Consent's choices, set on submission from the form.",
        )
        for field in _CONSENT_FIELDS
    ),
    Partition(
        _numerator("other_arrangements"),
        tuple(_numerator(f"links_to_{kind.value}") for kind in ProcessLinkKind),
        "other_arrangements counts every ProcessLink of the meetings minuted; each has one kind (required, one of "
        "ProcessLinkKind), counted by its links_to_* indicator.",
    ),
)
# Not partitions, so not declared: threshold_met and threshold_not_met (a referral's criteria_result can lack
# "met"); victims_55_plus and victims_16_17 of cases heard (other ages, and unknown dates of birth, are not shown);
# referrals_male (other genders and not known); to_other_maracs' denominator (cases referred plus transfers, which
# are not shown on their own: reports.report._transfers_given_away withholds the denominator where they are small).


def people_quantities(indicator: Indicator) -> tuple[str, ...]:
    """The counts of people or cases an indicator shows: its numerator, and its denominator where that counts
    people too (not a population, not staff). A count of meetings or agencies identifies nobody."""
    if not indicator.counts_people:
        return ()
    numerator = quantity(indicator.key, NUMERATOR)
    if indicator.denominator and indicator.denominator_counts_people:
        return (numerator, quantity(indicator.key, DENOMINATOR))
    return (numerator,)


# --- Across MARACs ---------------------------------------------------------------------------------------------
# With several MARACs, each count of the combined column is the sum of the MARACs' (reports.measures.evaluate
# groups each count by MARAC and adds them up; every case, referral and listing is of one MARAC). Where a count
# is of distinct people (a child on two MARACs' cases), the combined can be less than the sum: declaring it a sum
# then only withholds more, never less. reports.report.build_report declares one such group for every quantity.

# --- The SafeLives meeting return ------------------------------------------------------------------------------
# Each meeting's "Cases discussed" is the sum of its "Referred by" columns: it counts the meeting's listings, and
# each listing's case has a referring agency of one type (as above), counted in its "Referred by" column
# (reports/meeting_return.py). Across meetings, the cases discussed and the information-only cases of a MARAC's
# meetings add up to the listings discussed and the information-only listings the dashboard shows beside the
# return (information_only_share), so those columns are declared as parts of a total known to the reader.
MEETING_CASES = "cases"
MEETING_REFERRED_BY = tuple(f"from_{agency_type.value}" for agency_type in AgencyType)
MEETING_COLUMNS_SUMMED = ("cases", "information_only")

# --- Across periods --------------------------------------------------------------------------------------------
# A change on an earlier period shows that period's count as its denominator: the count of cases referred a year
# before, say, which that period's own report shows (or withholds) as its cases referred. It must read here as it
# reads there (reports.across_periods), or the two reports together would give away what one of them withholds.
YEAR_BEFORE = "year_before"
PREVIOUS = "previous"
EARLIER_COUNTS: dict[str, tuple[str, str]] = {
    quantity("referrals_change", DENOMINATOR): (YEAR_BEFORE, _REFERRED),
    quantity("cases_heard_change", DENOMINATOR): (YEAR_BEFORE, _HEARD),
    quantity("csc_referrals_growth", DENOMINATOR): (PREVIOUS, _BY_CSC),
    quantity("children_agency_referrals_growth", DENOMINATOR): (
        PREVIOUS,
        _numerator("children_agency_referrals_growth"),
    ),
}
