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
        "financial year from April, a calendar year, or the rolling 12 months to a day). Restricted cases are",
        "counted like any other; no case is ever shown. Cases referred are counted by the day of referral, cases",
        "heard by the day of their hearing, and what happened at meetings by the meeting's date.",
        "",
        f"Small numbers: a count of cases or people from 1 to {DEFAULT_THRESHOLD} (setting",
        "`OPENMARAC_SUPPRESSION_THRESHOLD`) is shown as `<6`, and a percentage or rate built on one as",
        "`suppressed`, in every download and on board viewers' pages. Coordinators and chairs see exact counts",
        "on the page. A denominator that counts no one (the adult female population, the IDVAs allocated cases)",
        "is never suppressed. One download is exact: the SafeLives meeting-level return exists to be submitted to",
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
