"""The board report for a period, as PDF and Word: headline indicators with their benchmarks, bar charts, the
quality assurance summary, and the coordinator's commentary. Always built suppressed: it leaves the system.

Its figures are taken once, when the report is first built (right after it is started: starting one leads to its
page), and stored with it, so that every later download shows what the board saw, even after records for the
period have been added or corrected; the page and the documents give the day they were taken. A board report has
no draft or issued state to take them at instead. They are stored as every viewer sees them, suppressed: the board
report is suppressed for the coordinator and chair too, so no exact small count is ever stored.
Builders take data and return bytes; who may have them, and the audit of the export, is the views' business."""

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from docx.shared import Cm
from fpdf import FPDF

from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from reports.indicators import INDICATORS_BY_KEY
from reports.models import BoardReport
from reports.periods import Period, PeriodKind, not_over_note, whole_quarters_up_to
from reports.quality_selectors import SummaryLine, SummarySection, quality_summary
from reports.report import Report, build_report
from reports.suppression import suppression_threshold

# Marking, header, footer, British English and repeating table headers: as on every document leaving OpenMARAC.
from web.documents import MarkedPdf, docx_bytes, latin1, marked_document, pdf_text, word_table
from web.text import docx_text

# The figures a board asks about first (WM and SafeLives); any not defined are left out.
HEADLINE_KEYS = (
    "referrals",
    "threshold_met",
    "cases_heard",
    "cases_heard_change",
    "cases_per_10k",
    "repeat_cases",
    "non_police_referrals",
    "victims_with_children",
    "core_attendance",
    "idva_within_48_hours",
    "victim_voice",
    "perpetrator_actions",
)


@dataclass(frozen=True)
class Commentary:
    overview: str
    indicators: str
    quality: str


@dataclass(frozen=True)
class IndicatorLine:
    """A headline indicator as the report shows it: its figure as text, suppressed where it must be."""

    name: str
    value: str
    benchmarks: str  # the benchmarks' wordings, or "none"
    results: str  # met, not met, no data or suppressed, one a benchmark; "-" without one


@dataclass(frozen=True)
class BoardReportFigures:
    """Every figure the report shows, as text and bar lengths only, already suppressed: what is stored with it."""

    counted_to: date | None  # where the period had not ended when they were taken: the day they run to
    threshold: int  # the suppression threshold they were taken with, for the note that explains it
    indicators: tuple[IndicatorLine, ...]
    bars: tuple[tuple[str, float], ...]  # (indicator, percentage) for the chart; none for a withheld figure
    quality: tuple[SummarySection, ...]
    # Counted to the end of the last whole quarter (reports.periods.whole_quarters_up_to): figures taken since the
    # evening of 2026-11-25. Taken before, a period not over was counted to the end of the last whole month
    # ("whole_months" in the stored figures) or, earlier still, to the day they were taken.
    whole_quarters: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "counted_to": self.counted_to.isoformat() if self.counted_to else None,
            "whole_quarters": self.whole_quarters,
            "threshold": self.threshold,
            "indicators": [asdict(line) for line in self.indicators],
            "bars": [[label, percent] for label, percent in self.bars],
            "quality": [
                {"title": section.title, "lines": [[line.label, line.value] for line in section.lines]}
                for section in self.quality
            ],
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> "BoardReportFigures":
        counted_to = stored["counted_to"]
        return cls(
            counted_to=date.fromisoformat(counted_to) if counted_to else None,
            threshold=stored["threshold"],
            indicators=tuple(IndicatorLine(**line) for line in stored["indicators"]),
            bars=tuple((label, percent) for label, percent in stored["bars"]),
            quality=tuple(
                SummarySection(section["title"], tuple(SummaryLine(label, value) for label, value in section["lines"]))
                for section in stored["quality"]
            ),
            whole_quarters=stored.get("whole_quarters", False),
        )


@dataclass(frozen=True)
class BoardReportData:
    marac_name: str
    period: Period
    figures: BoardReportFigures
    figures_taken_on: date
    commentary: Commentary

    @property
    def title(self) -> str:
        return f"MARAC board report: {self.period.label}"

    @property
    def not_over(self) -> str:
        """Where the period had not ended: that the figures run to the day taken ("" once it had ended)."""
        return not_over_note(self.period)

    @property
    def figures_taken(self) -> str:
        return (
            f"Figures taken on {self.figures_taken_on:%-d %B %Y}. They are kept as they were then: records for the "
            "period added or corrected since do not change them."
        )

    @property
    def indicators(self) -> tuple[IndicatorLine, ...]:
        return self.figures.indicators

    @property
    def bars(self) -> tuple[tuple[str, float], ...]:
        return self.figures.bars

    @property
    def quality(self) -> tuple[SummarySection, ...]:
        return self.figures.quality


def board_report_data(board_report: BoardReport, *, today: date) -> BoardReportData:
    """The report as stored, its figures taken now (counted up to today) if they have not been yet."""
    if board_report.figures is None:
        board_report_figures_take(board_report=board_report, today=today)
    stored, taken_at = board_report.figures, board_report.figures_taken_at
    assert stored is not None and taken_at is not None  # taken just now, if not before
    figures = BoardReportFigures.from_json(stored)
    period = Period(
        PeriodKind(board_report.period_kind),
        board_report.period_start,
        board_report.period_end,
        figures.counted_to,
        whole_quarters_only=figures.whole_quarters and figures.counted_to is not None,
    )
    marac_name = Marac.objects.values_list("name", flat=True).get(pk=board_report.marac_id)
    commentary = Commentary(board_report.overview, board_report.indicators_commentary, board_report.quality_commentary)
    return BoardReportData(marac_name, period, figures, timezone.localtime(taken_at).date(), commentary)


def board_report_figures_take(*, board_report: BoardReport, today: date, by: Any = None) -> None:
    """Work the figures out and store them with the report, unless someone has just done so: once taken, they are
    never changed. The audit trail records when, and who started the report (by) where they were taken then."""
    figures = board_report_figures(board_report, today=today).as_json()  # slow: outside the row's lock
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=board_report.pk)
        if locked.figures is None:
            locked.figures, locked.figures_taken_at = figures, timezone.now()
            # Not a change of the commentary: its version stays, so a form open on it is not made stale.
            locked.save(update_fields=["figures", "figures_taken_at"])
            summary = f"Board report {locked.pk} figures taken"
            audit_record(action=AuditAction.CHANGE, obj=locked, summary=summary, changes={"figures": "taken"}, user=by)
    board_report.figures, board_report.figures_taken_at = locked.figures, locked.figures_taken_at


def board_report_figures(board_report: BoardReport, *, today: date) -> BoardReportFigures:
    """The figures worked out now, suppressed. A period not over yet is counted to the end of its last whole quarter,
    as every suppressed figure is (reports.periods.whole_quarters_up_to: two counts a day or a month apart would give
    those cases away), and the report says so."""
    stored = Period(PeriodKind(board_report.period_kind), board_report.period_start, board_report.period_end)
    period = whole_quarters_up_to(stored, today=today)
    marac = Marac.objects.get(pk=board_report.marac_id)
    threshold = suppression_threshold()
    keys = [key for key in HEADLINE_KEYS if key in INDICATORS_BY_KEY]
    indicators = build_report(
        maracs=[(marac.pk, marac.name)], period=period, suppress=True, threshold=threshold, keys=keys
    )
    quality = quality_summary(
        marac_id=marac.pk, start=period.start, end=period.last_day, today=today, suppress=True, threshold=threshold
    )
    bars = tuple((bar.label, bar.percent) for group in indicators.groups for bar in group.bars)
    return BoardReportFigures(
        period.counted_to, threshold, _indicator_lines(indicators), bars, tuple(quality), whole_quarters=True
    )


def _indicator_lines(report: Report) -> tuple[IndicatorLine, ...]:
    lines = []
    for group in report.groups:
        for row in group.rows:
            cell = row.cells[0]
            benchmarks = "; ".join(row.indicator.benchmark_wordings) or "none"
            results = "; ".join(result.text for result in cell.results) or "-"
            lines.append(IndicatorLine(row.indicator.name, cell.value_text, benchmarks, results))
    return tuple(lines)


def _indicator_rows(data: BoardReportData) -> list[tuple[str, str, str, str]]:
    return [(line.name, line.value, line.benchmarks, line.results) for line in data.indicators]


_INDICATOR_COLUMNS = ("Indicator", "Value", "Benchmark", "Result")
_NO_COMMENTARY = "No commentary written."
_SUPPRESSION_NOTE = (
    'Counts from 1 to {threshold} are shown as "<{shown}", and percentages, rates or averages built on one as '
    '"suppressed", so that nobody can be identified. A count that could be worked out from the others beside it '
    '(a total less its other parts) is shown as "suppressed" too, and no benchmark is judged on a withheld figure.'
)


def _suppression_note(data: BoardReportData) -> str:
    threshold = data.figures.threshold
    return _SUPPRESSION_NOTE.format(threshold=threshold, shown=threshold + 1)


# --- A bar chart as PNG, with nothing but the standard library --------------------------------------------------------

_CHART_WIDTH = 500
_BAR_HEIGHT = 16
_BAR_GAP = 8
_TRACK = (230, 230, 230)
_BAR = (29, 112, 184)  # GOV.UK blue
_WHITE = (255, 255, 255)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bar_chart_png(percents: list[float]) -> bytes:
    """Horizontal bars (0-100%) on grey tracks, one per figure, top to bottom; the labels go in a table beside."""
    height = max(1, len(percents)) * (_BAR_HEIGHT + _BAR_GAP)
    rows = []
    for y in range(height):
        index, offset = divmod(y, _BAR_HEIGHT + _BAR_GAP)
        if index >= len(percents) or offset >= _BAR_HEIGHT:
            rows.append(b"\x00" + bytes(_WHITE) * _CHART_WIDTH)
            continue
        filled = round(_CHART_WIDTH * max(0.0, min(100.0, percents[index])) / 100)
        rows.append(b"\x00" + bytes(_BAR) * filled + bytes(_TRACK) * (_CHART_WIDTH - filled))
    header = struct.pack(">IIBBBBB", _CHART_WIDTH, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


# --- Word ----------------------------------------------------------------------------------------------------------


def board_report_docx(data: BoardReportData) -> bytes:
    document = marked_document(data.title)
    document.add_paragraph(
        docx_text(f"{data.marac_name}, {data.period.start:%-d %B %Y} to {data.period.end:%-d %B %Y}")
    )
    document.add_paragraph(docx_text(data.figures_taken))
    if data.not_over:
        document.add_paragraph(docx_text(data.not_over))
    document.add_paragraph(docx_text(_suppression_note(data)))
    document.add_heading("Overview", level=1)
    document.add_paragraph(docx_text(data.commentary.overview or _NO_COMMENTARY))
    document.add_heading("Headline indicators", level=1)
    word_table(document, _INDICATOR_COLUMNS, _indicator_rows(data))
    if data.bars:
        document.add_heading("Percentages at a glance", level=2)
        picture = document.add_picture(_png_stream([percent for _, percent in data.bars]), width=Cm(12))
        # Word reads the description (docPr descr) to screen reader users as the picture's alternative text.
        properties = picture._inline.docPr
        properties.set("title", "Percentages at a glance")
        properties.set("descr", chart_description(data.bars))
        word_table(document, ("Bar, top to bottom", "Percentage"), [(label, f"{pct:.1f}%") for label, pct in data.bars])
    document.add_paragraph(docx_text(data.commentary.indicators or _NO_COMMENTARY))
    document.add_heading("Quality assurance", level=1)
    for section in data.quality:
        document.add_heading(docx_text(section.title), level=2)
        word_table(document, ("Measure", "Value"), [(line.label, line.value) for line in section.lines])
    document.add_paragraph(docx_text(data.commentary.quality or _NO_COMMENTARY))
    return docx_bytes(document)


def chart_description(bars: Sequence[tuple[str, float]]) -> str:
    """The chart's alternative text: what it shows, and every bar's figure, as the table below it gives them."""
    figures = "; ".join(f"{label}: {percent:.1f}%" for label, percent in bars)
    return docx_text(f"Bar chart of the headline percentages, each bar out of 100%, top to bottom. {figures}.")


def _png_stream(percents: list[float]) -> io.BytesIO:
    return io.BytesIO(bar_chart_png(percents))


# --- PDF -----------------------------------------------------------------------------------------------------------


def _pdf_table(pdf: FPDF, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=widths, text_align="LEFT") as table:
        table.row(header)
        for row in rows:
            table.row([latin1(text) for text in row])


def _pdf_bars(pdf: FPDF, bars: Sequence[tuple[str, float]]) -> None:
    """Rectangles: a grey track for 100% and a blue bar for the figure, the label and value beside."""
    pdf.set_font("Helvetica", "", 8)
    track = 80
    for label, percent in bars:
        if pdf.will_page_break(8):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(*_TRACK)
        pdf.rect(x, y, track, 5, style="F")
        pdf.set_fill_color(*_BAR)
        pdf.rect(x, y, track * max(0.0, min(100.0, percent)) / 100, 5, style="F")
        pdf.set_xy(x + track + 3, y)
        pdf.cell(0, 5, latin1(f"{percent:.1f}%  {label}"))
        pdf.set_xy(x, y + 7)


def board_report_pdf(data: BoardReportData) -> bytes:
    pdf = MarkedPdf(format="A4")
    pdf.set_title(data.title)
    pdf.add_page()
    pdf_text(pdf, data.title, size=18, style="B")
    pdf_text(pdf, f"{data.marac_name}, {data.period.start:%-d %B %Y} to {data.period.end:%-d %B %Y}")
    pdf_text(pdf, data.figures_taken)
    if data.not_over:
        pdf_text(pdf, data.not_over, style="B")
    pdf_text(pdf, _suppression_note(data), size=9)
    pdf.ln(3)
    pdf_text(pdf, "Overview", size=13, style="B")
    pdf_text(pdf, data.commentary.overview or _NO_COMMENTARY)
    pdf.ln(3)
    pdf_text(pdf, "Headline indicators", size=13, style="B")
    _pdf_table(pdf, _INDICATOR_COLUMNS, _indicator_rows(data), (70, 25, 55, 30))
    if data.bars:
        pdf.ln(3)
        pdf_text(pdf, "Percentages at a glance", size=11, style="B")
        _pdf_bars(pdf, data.bars)
    pdf.ln(2)
    pdf_text(pdf, data.commentary.indicators or _NO_COMMENTARY)
    pdf.ln(3)
    pdf_text(pdf, "Quality assurance", size=13, style="B")
    for section in data.quality:
        pdf_text(pdf, section.title, size=11, style="B")
        _pdf_table(pdf, ("Measure", "Value"), [(line.label, line.value) for line in section.lines], (150, 30))
        pdf.ln(2)
    pdf_text(pdf, data.commentary.quality or _NO_COMMENTARY)
    return bytes(pdf.output())
