"""West Midlands' "what good looks like", item by item: decided by an indicator's benchmark where the data can
decide it, otherwise left to a person. Also the measures in the seeds that the data cannot answer, and why.
Plain data: the dashboard and docs/indicators.md read it."""

from dataclasses import dataclass

from reports.figures import source_name
from reports.indicators import INDICATORS_BY_KEY, POPULATION_INDICATOR_KEYS


@dataclass(frozen=True)
class ScorecardItem:
    statement: str
    # (indicator key, benchmark name): the item is met when every one of these is met.
    checks: tuple[tuple[str, str], ...] = ()
    # Where no check decides it: why (a person's judgement, or data OpenMARAC does not hold).
    why_not_decided: str = ""
    # Where the checks measure something narrower than the statement: what they judge it on, and why.
    judged_on: str = ""


JUDGEMENT = "needs a person's judgement"
# Contact attempts are in OpenMARAC only where an IDVA logs them on the case, and imported cases have none: judged on
# them, a MARAC whose IDVAs record contact elsewhere would read as never contacting anyone.
IDVA_CONTACT_JUDGED_ON = (
    "Judged on the IDVA being allocated within 48 hours of the referral, not on the contact itself: Barking and "
    "Dagenham's toolkit sets that deadline so the IDVA can contact the victim before the meeting, and OpenMARAC holds "
    "contact attempts only where an IDVA logs them on the case (imported cases have none), so a missing one would "
    "not show that no contact was made."
)

WHAT_GOOD_LOOKS_LIKE: tuple[ScorecardItem, ...] = (
    ScorecardItem(
        "All agencies respond to disclosures and use the same risk assessment tool", why_not_decided=JUDGEMENT
    ),
    ScorecardItem("Thresholds are clear and appropriate", why_not_decided=JUDGEMENT),
    ScorecardItem("Agencies identify and refer repeat cases back to MARAC", checks=(("repeat_cases", "safelives"),)),
    ScorecardItem(
        "Agencies inform victims of their referral to MARAC and IDVA (unless unsafe to)",
        why_not_decided="not held as queryable data: the answer is inside the encrypted referral",
    ),
    ScorecardItem(
        "All high-risk victims are referred to IDVA and MARAC as soon as practicable (eg within 48 hours)",
        why_not_decided="not held: the date of the incident that led to the referral is not recorded as data",
    ),
    ScorecardItem("The IDVA works within a coordinated community response", why_not_decided=JUDGEMENT),
    ScorecardItem(
        "Core agencies consistently attend and participate in the MARAC", checks=(("core_attendance", "seed"),)
    ),
    ScorecardItem("Representatives are appropriately skilled and supported", why_not_decided=JUDGEMENT),
    ScorecardItem(
        "An IDVA proactively contacts and attempts to engage victims within 48 hours of receiving a referral",
        checks=(("idva_within_48_hours", "seed"),),
        judged_on=IDVA_CONTACT_JUDGED_ON,
    ),
    ScorecardItem(
        "Each victim is represented at the MARAC meeting and their safety is clearly advocated for",
        checks=(("victim_voice", "seed"),),
    ),
    ScorecardItem("Where victims' views are absent their safety remains the focus", why_not_decided=JUDGEMENT),
    ScorecardItem("Victims are updated and supported after the meeting", why_not_decided=JUDGEMENT),
    ScorecardItem("MARAC representatives are supported by their agency to research", why_not_decided=JUDGEMENT),
    ScorecardItem("All relevant, proportionate information and risks are succinctly shared", why_not_decided=JUDGEMENT),
    ScorecardItem("Agencies distribute and store information securely", why_not_decided=JUDGEMENT),
    ScorecardItem("Actions are clear, timed and based on good quality assessment of risk", why_not_decided=JUDGEMENT),
    ScorecardItem(
        "Action plans routinely manage, disrupt or divert perpetrators' behaviour",
        checks=(("perpetrator_actions", "seed"),),
    ),
    ScorecardItem(
        "Action plans reflect the needs of the victim and prioritise their safety", why_not_decided=JUDGEMENT
    ),
    ScorecardItem(
        "Action plans routinely link to other multi-agency safeguarding arrangements",
        why_not_decided=JUDGEMENT + " (the count of links is shown under Links to other arrangements)",
    ),
    ScorecardItem(
        "The number of referrals is at least 80% of SafeLives' recommendation", checks=(("cases_per_10k", "wm_floor"),)
    ),
    ScorecardItem(
        "IDVA capacity is sufficient to support all victims referred to MARAC",
        why_not_decided=JUDGEMENT + " (new cases per IDVA is shown)",
    ),
    ScorecardItem(
        "Referrals to MARAC reflect the diversity of your local population",
        checks=tuple((key, "population") for key in POPULATION_INDICATOR_KEYS),
    ),
    ScorecardItem("The MARAC is aware of victims' characteristics and additional needs", why_not_decided=JUDGEMENT),
    ScorecardItem(
        "The IDVA service is able to support the needs of victims with protected characteristics",
        why_not_decided=JUDGEMENT,
    ),
    ScorecardItem("There is effective administration of the MARAC with sufficient resource", why_not_decided=JUDGEMENT),
    ScorecardItem("MARAC data is consistently recorded, reported and analysed", checks=(("data_recorded", "seed"),)),
    ScorecardItem("There is a stable, visible governance structure", why_not_decided=JUDGEMENT),
    ScorecardItem("There is clear responsibility for measuring outcomes", why_not_decided=JUDGEMENT),
    ScorecardItem("There is an information sharing protocol and agreement", why_not_decided=JUDGEMENT),
)


@dataclass(frozen=True)
class Unanswered:
    measure: str
    source: str
    why: str

    @property
    def source_name(self) -> str:
        return source_name(self.source)


NOT_ANSWERED: tuple[Unanswered, ...] = (
    Unanswered(
        "Referrals open to adult social care",
        "002 WM, the quantitative list",
        "only children's social care records a status per child; adult social care's involvement is free text",
    ),
    Unanswered(
        "Number of domestic violence notifications from Police to Social Services (and those leading to a referral)",
        "000 LSCB, Statistics/performance measures",
        "police notifications to social services are not recorded in OpenMARAC",
    ),
    Unanswered(
        "Number of children and young people involved in specialist domestic abuse services",
        "000 LSCB, Statistics/performance measures",
        "services' caseloads outside the MARAC are not recorded",
    ),
    Unanswered(
        "Availability of specialist services for perpetrators and victims",
        "000 LSCB, Statistics/performance measures",
        "a commissioning question, not case data",
    ),
    Unanswered(
        "Consistent provision of accurate Marac data to LSCB", "000 LSCB, Statistics/performance measures", JUDGEMENT
    ),
    Unanswered(
        "Number of agencies using the Young People's DASH Risk Assessment Checklist",
        "000 LSCB, Statistics/performance measures",
        "the checklist an agency uses outside its referrals is not recorded",
    ),
    Unanswered(
        "Number of Young People's Violence Advisors (YPVA) commissioned locally",
        "000 LSCB, Statistics/performance measures",
        "a commissioning question, not case data",
    ),
    Unanswered(
        "Reduction in repeat domestic abuse call outs by Police",
        "000 LSCB, Statistics/performance measures",
        "police call-outs are not recorded",
    ),
    Unanswered(
        "Child's voice: % of children who report an improvement in their family life",
        "000 LSCB, Statistics/performance measures",
        "the child's voice is recorded as text, not as an outcome",
    ),
    Unanswered(
        "Young people using harmful behaviour in IPV and in APVA, separately",
        "000 LSCB, Statistics/performance measures",
        "research records harmful behaviour as one flag; the two are counted together",
    ),
    Unanswered(
        "All victims assessed at high risk are being discussed at Marac (none screened out)",
        "000 LSCB, performing in line with recommendations",
        "high-risk assessments that were never referred are not in OpenMARAC",
    ),
    Unanswered(
        "No cases are closed to children's services before the information sharing at Marac is completed",
        "000 LSCB, performing in line with recommendations",
        "children's services' case closures are not recorded",
    ),
    Unanswered(
        "Children's Social Care take referrals directly from Marac meetings",
        "000 LSCB, performing in line with recommendations",
        "an action for children's social care is recorded, but not whether it was a referral",
    ),
    Unanswered(
        "High levels of professional confidence", "000 LSCB, performing in line with recommendations", JUDGEMENT
    ),
    Unanswered(
        "The Marac is responding appropriately to victims who are children",
        "000 LSCB, performing in line with recommendations",
        JUDGEMENT + " (victims aged 16 and 17 are counted)",
    ),
)


def check_references() -> None:
    """Fail loudly if a scorecard check names an indicator or benchmark that does not exist."""
    for item in WHAT_GOOD_LOOKS_LIKE:
        for key, benchmark in item.checks:
            names = {b.name for b in INDICATORS_BY_KEY[key].benchmarks}
            if benchmark not in names:
                raise LookupError(f"{key} has no benchmark {benchmark}")


check_references()
