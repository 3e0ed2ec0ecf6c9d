"""The performance dashboard and its downloads. Thin: work out the scope, build the report, render."""

import textwrap
from dataclasses import dataclass, replace
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where, roles_at
from audit.models import AuditAction
from audit.services import audit_record
from config.db_router import replica_reads
from marac.models import Marac
from reports import exports, postcodes
from reports.cohorts import Scope
from reports.forms import ReportForm
from reports.meeting_return import meeting_return
from reports.periods import (
    Period,
    PeriodKind,
    moved_note,
    not_over_note,
    period_containing,
    suppressed_period,
)
from reports.report import GroupRows, Report, build_report
from reports.scorecard import NOT_ANSWERED
from reports.suppression import suppression_threshold
from web.access import require_permission

PERMISSION = "reports.view_aggregates"
# Coordinators and chairs see case data anyway: their pages show exact counts. Board viewers see aggregates
# only, with small numbers suppressed, and so does everything downloaded, whoever downloads it, but for one file:
# the SafeLives meeting-level return exists to be submitted to SafeLives with exact counts, so the coordinator
# who files it downloads it unsuppressed, labelled as not for publication (exports.UNSUPPRESSED_NOTICE).
SEES_EXACT_COUNTS = frozenset({Role.COORDINATOR, Role.CHAIR})
SUBMITS_RETURN = "reports.submit_meeting_return"


@dataclass(frozen=True)
class Choice:
    form: ReportForm
    maracs: list[tuple[int, str]]  # the MARACs chosen, in name order
    period: Period
    # Where a rolling 12 months was moved back to a month's end for figures with small numbers suppressed: the
    # day asked for.
    moved_from: date | None = None


def _suppressed(choice: Choice) -> Choice:
    """The choice as shown with small numbers suppressed (see suppressed_period): a rolling 12 months moved to a
    quarter's end, any other period not over yet counted only to the end of its last whole quarter, and a month only
    once its quarter is over."""
    if choice.moved_from is not None or choice.period.whole_quarters_only:
        return choice
    period, moved_from = suppressed_period(choice.period.kind, choice.period.end, today=timezone.localdate())
    return replace(choice, period=period, moved_from=moved_from)


def _choice(request: HttpRequest) -> Choice:
    """The period and MARACs asked for. A MARAC the user may not report on answers 404, as if unknown."""
    allowed = marac_ids_where(request.user, PERMISSIONS_BY_NAME[PERMISSION].roles)
    if not allowed:
        raise Http404
    names = list(Marac.objects.filter(pk__in=allowed).order_by("name").values_list("pk", "name"))
    requested = {int(value) for value in request.GET.getlist("marac") if value.isdigit()}
    if requested - allowed:
        raise Http404
    initial = {"period": PeriodKind.ROLLING_12_MONTHS.value, "on": timezone.localdate()}
    form = ReportForm(request.GET or None, maracs=names, initial=initial)
    valid = bool(request.GET) and form.is_valid()
    kind = form.period_kind() if valid else PeriodKind.ROLLING_12_MONTHS
    day = form.day() if valid else timezone.localdate()
    chosen = [(pk, name) for pk, name in names if not requested or pk in requested]
    return Choice(form, chosen, period_containing(kind, day, today=timezone.localdate()))


def _sees_exact_counts(request: HttpRequest, marac_ids: list[int]) -> bool:
    return all(roles_at(request.user, marac_id) & SEES_EXACT_COUNTS for marac_id in marac_ids)


def _submits_return(request: HttpRequest, choice: Choice) -> bool:
    """Whether the user files the SafeLives return for every MARAC chosen (and so downloads it unsuppressed)."""
    roles = PERMISSIONS_BY_NAME[SUBMITS_RETURN].roles
    return bool(choice.maracs) and all(roles_at(request.user, marac_id) & roles for marac_id, _ in choice.maracs)


def _report(choice: Choice, *, suppress: bool) -> Report:
    return build_report(
        maracs=choice.maracs, period=choice.period, suppress=suppress, threshold=suppression_threshold()
    )


@require_permission(PERMISSION)
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    choice = _choice(request)
    return _dashboard_page(request, choice, status=200)


# The chart's viewBox is 720 wide, the bars start at 340: a 13px label wraps at 44 characters to stay clear of them.
_LABEL_CHARACTERS = 44
_LINE_HEIGHT = 16
_ROW_PADDING = 6


@dataclass(frozen=True)
class ChartBar:
    lines: tuple[str, ...]  # the indicator's whole name, wrapped to fit beside the bar
    percent: float
    y: int  # the top of its row, from the top of the chart
    length: int  # of the bar


@dataclass(frozen=True)
class Chart:
    bars: tuple[ChartBar, ...]
    height: int
    line_height: int = _LINE_HEIGHT


def bar_chart(group: GroupRows) -> Chart:
    """The group's bars with their whole labels, each wrapped over as many lines as it needs: cut short, several
    ("Referrals with consent to a referral to the IDVA service: ...") would read the same."""
    bars, y = [], 0
    for bar in group.bars:
        lines = tuple(textwrap.wrap(bar.label, _LABEL_CHARACTERS)) or ("",)
        bars.append(ChartBar(lines, bar.percent, y, bar.length))
        y += len(lines) * _LINE_HEIGHT + _ROW_PADDING
    return Chart(tuple(bars), y)


def _dashboard_page(request: HttpRequest, choice: Choice, *, status: int) -> HttpResponse:
    """The page, with the errors of a period or MARAC asked for wrongly above it (and the default period shown)."""
    suppress = not _sees_exact_counts(request, [pk for pk, _ in choice.maracs])
    if suppress:
        choice = _suppressed(choice)
    report = _report(choice, suppress=suppress)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": choice.form,
            "report": report,
            "sections": [(group, bar_chart(group)) for group in report.groups],
            "query": request.GET.urlencode(),
            "not_answered": NOT_ANSWERED,
            "meeting_rows": _meeting_rows(choice, unsuppressed=not suppress),
            "submits_return": _submits_return(request, choice),
            "unsuppressed_notice": exports.UNSUPPRESSED_NOTICE,
            "moved_note": moved_note(choice.period, choice.moved_from),
            "not_over_note": not_over_note(choice.period),
            "change_terms": change_terms(choice.period),
        },
        status=status,
    )


def change_terms(period: Period) -> tuple[str, str]:
    """How a change's two counts are labelled. In a period not over yet the change has no value, but its counts are
    still shown: this period's so far against the whole of the period compared, and they say so, since a board
    member reading "85 in this period, 66 in the period compared" would take the two as like for like."""
    if period.is_over:
        return "in this period", "in the period compared"
    if period.counts_nothing_yet:
        return "in this period so far (no figures yet)", "in the whole of the period compared"
    return f"in this period up to {period.last_day:%-d %B %Y}", "in the whole of the period compared"


def _refused(request: HttpRequest, choice: Choice) -> HttpResponse | None:
    """A download asked for with a wrong period (a day before 2003 or after today) is not made: the page says why,
    with a 400, rather than a file for some other period."""
    return _dashboard_page(request, choice, status=400) if choice.form.errors else None


def _download(
    request: HttpRequest,
    choice: Choice,
    content: bytes,
    content_type: str,
    filename: str,
    *,
    unsuppressed: bool = False,
) -> HttpResponse:
    detail = ", unsuppressed for submission to SafeLives" if unsuppressed else ""
    for marac_id, _ in choice.maracs:  # each MARAC's audit trail shows the export of its figures
        audit_record(
            action=AuditAction.EXPORT,
            object_type="reports.indicators",
            marac_id=marac_id,
            summary=f"Downloaded {filename} for {choice.period.label} ({_maracs(len(choice.maracs))}){detail}",
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _maracs(count: int) -> str:
    return "1 MARAC" if count == 1 else f"{count} MARACs"


def _filename(stem: str, period: Period, extension: str) -> str:
    return f"openmarac-{stem}-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.{extension}"


@require_permission(PERMISSION)
@replica_reads
def indicators_csv(request: HttpRequest) -> HttpResponse:
    choice = _suppressed(_choice(request))
    if refused := _refused(request, choice):
        return refused
    rows = exports.indicator_rows(_report(choice, suppress=True))
    name = _filename("indicators", choice.period, "csv")
    return _download(request, choice, exports.as_csv(rows), exports.CSV_CONTENT_TYPE, name)


@require_permission(PERMISSION)
@replica_reads
def indicators_xlsx(request: HttpRequest) -> HttpResponse:
    choice = _suppressed(_choice(request))
    if refused := _refused(request, choice):
        return refused
    report = _report(choice, suppress=True)
    content = exports.as_xlsx(
        [
            ("Indicators", exports.indicator_rows(report)),
            ("Definitions", exports.definition_rows(report)),
            ("Meeting return", _meeting_rows(choice)),
        ]
    )
    name = _filename("indicators", choice.period, "xlsx")
    return _download(request, choice, content, exports.XLSX_CONTENT_TYPE, name)


def _cut_notice(choice: Choice) -> str:
    """Above a suppressed download without a column for it: how far a period not over is counted, and why."""
    return not_over_note(choice.period, with_indicators=False) if choice.period.whole_quarters_only else ""


def _meeting_rows(choice: Choice, *, unsuppressed: bool = False) -> list[list[exports.Cell]]:
    """The return's rows. Suppressed, each quarter's meetings are decided together (exports.meeting_return_rows):
    a month's are judged with the rest of its quarter's, and only its own shown."""
    maracs = tuple(pk for pk, _ in choice.maracs)
    if unsuppressed:
        return exports.meeting_return_rows(meeting_return(Scope(maracs, choice.period)), threshold=None)
    period = choice.period
    judged = period_containing(PeriodKind.QUARTER, period.start) if period.kind == PeriodKind.MONTH else period
    if period.counts_nothing_yet:
        judged = period
    meetings = meeting_return(Scope(maracs, judged))
    shown = (period.start, period.last_day)
    return exports.meeting_return_rows(meetings, threshold=suppression_threshold(), shown=shown)


def _meeting_return_name(choice: Choice, extension: str, *, unsuppressed: bool) -> str:
    return _filename("meeting-return-unsuppressed" if unsuppressed else "meeting-return", choice.period, extension)


@require_permission(PERMISSION)
@replica_reads
def meeting_return_csv(request: HttpRequest) -> HttpResponse:
    choice = _choice(request)
    if refused := _refused(request, choice):
        return refused
    unsuppressed = _submits_return(request, choice)
    if not unsuppressed:
        choice = _suppressed(choice)
    notice = exports.UNSUPPRESSED_NOTICE if unsuppressed else _cut_notice(choice)
    content = exports.as_csv(_meeting_rows(choice, unsuppressed=unsuppressed), notice=notice)
    name = _meeting_return_name(choice, "csv", unsuppressed=unsuppressed)
    return _download(request, choice, content, exports.CSV_CONTENT_TYPE, name, unsuppressed=unsuppressed)


@require_permission(PERMISSION)
@replica_reads
def meeting_return_xlsx(request: HttpRequest) -> HttpResponse:
    choice = _choice(request)
    if refused := _refused(request, choice):
        return refused
    unsuppressed = _submits_return(request, choice)
    if not unsuppressed:
        choice = _suppressed(choice)
    notice = exports.UNSUPPRESSED_NOTICE if unsuppressed else _cut_notice(choice)
    rows = _meeting_rows(choice, unsuppressed=unsuppressed)
    content = exports.as_xlsx([("SafeLives meeting return", rows)], notice=notice)
    name = _meeting_return_name(choice, "xlsx", unsuppressed=unsuppressed)
    return _download(request, choice, content, exports.XLSX_CONTENT_TYPE, name, unsuppressed=unsuppressed)


@require_permission(PERMISSION)
@replica_reads
def postcode_districts_csv(request: HttpRequest) -> HttpResponse:
    choice = _suppressed(_choice(request))
    if refused := _refused(request, choice):
        return refused
    scope = Scope(tuple(pk for pk, _ in choice.maracs), choice.period)
    rows = postcodes.district_rows(scope, threshold=suppression_threshold())
    name = _filename("referrals-by-postcode-district", choice.period, "csv")
    return _download(request, choice, exports.as_csv(rows, notice=_cut_notice(choice)), exports.CSV_CONTENT_TYPE, name)
