"""docs/indicators.md, generated from the definitions in reports.indicators and reports.scorecard."""

from reports.figures import Unit
from reports.indicators import GROUPS, INDICATORS
from reports.meeting_return import COLUMNS
from reports.scorecard import NOT_ANSWERED, WHAT_GOOD_LOOKS_LIKE
from reports.suppression import DEFAULT_THRESHOLD

_UNIT_WORDS = {
    Unit.COUNT: "count",
    Unit.PERCENT: "number and %",
    Unit.PER_10K: "a year's rate per 10,000",
    Unit.RATIO: "ratio",
    Unit.CHANGE: "% change",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# Indicators",
        "",
        "Generated from `reports/indicators.py` and `reports/scorecard.py` by `manage.py indicators_doc`; do not",
        "edit by hand.",
        "",
        "Every indicator is worked out in the database for a set of MARACs and a period (a month, a quarter, a",
        "financial year from April, a calendar year, or the rolling 12 months to a day; with small numbers",
        "suppressed, to a quarter's end). Restricted cases are",
        "counted like any other; no case is ever shown. Cases referred are counted by the day of referral, cases",
        "heard by the day of their hearing, and what happened at meetings by the meeting's date.",
        "",
        f"Small numbers: a count of cases or people from 1 to {DEFAULT_THRESHOLD} (setting",
        "`OPENMARAC_SUPPRESSION_THRESHOLD`) is shown as `<6`, and a percentage or rate built on one as",
        "`suppressed`, in every download and on board viewers' pages. Coordinators and chairs see exact counts",
        "on the page. A denominator that counts no one (the adult female population, the IDVAs allocated cases)",
        "is never suppressed.",
        "",
        "Counts that would give a small one away by subtraction are withheld too (secondary suppression,",
        "`reports/suppression.py`, over the totals and their parts declared in `reports/partitions.py`): where a",
        "withheld count could be worked out from the counts shown beside it (a total less its other parts, such as",
        "all the MARACs combined less each MARAC but one), or where the withheld parts of a total could add up to it",
        "only one way, one more count beside it is withheld and shown as `suppressed`; and the withheld counts of",
        "that total read `suppressed` rather than `<6` where the 5 in `<6` would pin them. A percentage or rate",
        "built on a withheld count is `suppressed` as well, and no benchmark is judged on a withheld figure.",
        "",
        "Across periods (`reports/across_periods.py`), figures with small numbers suppressed change only when a",
        "quarter ends: a period not over is counted to the end of its last whole quarter, a rolling 12 months ends",
        "on the last day of a quarter that is over, and a month is shown only once its quarter is over. A month's",
        "counts are decided with its quarter's fixed as the quarter's report shows them, so a quarter less two of",
        "its months never gives the third away; and a change on an earlier period shows that period's count as",
        "that period's own report does. Not yet covered: a year is decided on its own, so a year less three of its",
        "quarters can give away a small count of the fourth (deciding it from its quarters made a national report",
        "about ten times slower); reports of different sets of MARACs can be set against each other in the same",
        "way; and a reader who counts on each withheld count being at least 1 can sometimes narrow a quarter's",
        "small counts from its months.",
        "",
        "One download is exact: the SafeLives meeting-level return exists to be submitted to",
        "SafeLives, so the coordinator who files it (`reports.submit_meeting_return`) downloads it with exact",
        'counts, marked "Unsuppressed: for submission to SafeLives only. Do not publish." and audited as an',
        "export; everyone else's copy, and the meeting return in the indicators workbook, stay suppressed.",
        "",
        'Benchmarks marked *our reading* are where a seed says "consistently", "routinely" or "around"',
        "without a figure or a range: the figure is OpenMARAC's reading of the words, in one place in the code.",
        "",
    ]
    for group in GROUPS:
        lines += [f"## {group.title}", "", group.about, ""]
        lines += ["| key | indicator | what it is | of | measure | benchmark | from |", "|" + " --- |" * 7]
        for indicator in (indicator for indicator in INDICATORS if indicator.group == group.key):
            benchmarks = "; ".join(
                f"{benchmark.wording_in(indicator.unit)}: {benchmark.source}" for benchmark in indicator.benchmarks
            )
            cells = [
                f"`{indicator.key}`",
                indicator.name,
                indicator.definition,
                indicator.denominator or "",
                _UNIT_WORDS[indicator.unit],
                benchmarks,
                "; ".join(indicator.sources),
            ]
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        lines.append("")
    lines += [
        "## West Midlands: what good looks like",
        "",
        "| statement | decided by |",
        "| --- | --- |",
    ]
    for item in WHAT_GOOD_LOOKS_LIKE:
        decided = ", ".join(f"`{key}` ({name} benchmark)" for key, name in item.checks) or item.why_not_decided
        if item.judged_on:
            decided += f". {item.judged_on}"
        lines.append(f"| {_cell(item.statement)} | {_cell(decided)} |")
    lines += [
        "",
        "## The SafeLives meeting-level return",
        "",
        "One row per meeting held in the period (held-over listings left out), with these columns:",
        "",
        *(f"- {column.heading}" for column in COLUMNS),
        "",
        "## Measures the data cannot answer",
        "",
        "| measure | from | why not |",
        "| --- | --- | --- |",
        *(f"| {_cell(item.measure)} | {_cell(item.source)} | {_cell(item.why)} |" for item in NOT_ANSWERED),
    ]
    return "\n".join(lines) + "\n"
