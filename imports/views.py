"""Pages of the import: upload, the run's progress and report, the report as CSV, the template."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from cases.restriction import RestrictedCaseNeedsReason
from imports.columns import ACTION_COLUMNS, CASE_COLUMNS
from imports.forms import ImportForm
from imports.models import ImportRun
from imports.rules import Problem
from imports.services import import_run_create, import_runs_stop_stalled, problems_of, warnings_of
from imports.stalling import STALLED_AFTER_MINUTES
from imports.tasks import run_import
from imports.template import template_workbook
from marac.models import Marac
from people.selectors import get_person_for_user
from reports import exports
from web.access import current_marac_where, require_permission

PERMISSION = "imports.import_history"
SHOWN_ON_THE_PAGE = 200
RUNS_PER_PAGE = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_run_for_user(request: HttpRequest, pk: int) -> ImportRun:
    """The run, if the user may import at its MARAC; otherwise 404, whether or not it exists."""
    run = ImportRun.objects.select_related("marac", "started_by").filter(pk=pk).first()
    if run is None or not request.user.has_perm(PERMISSION, run):
        raise Http404
    return run


@require_permission(PERMISSION)
def import_start(request: HttpRequest) -> HttpResponse:
    marac = Marac.objects.get(pk=current_marac_where(request, PERMISSION))
    import_runs_stop_stalled(now=timezone.now(), marac=marac)  # so the list says which runs stopped
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        cases, actions = form.cleaned_data["cases_file"], form.cleaned_data["actions_file"]
        run = import_run_create(
            marac=marac,
            by=request.user,
            file_name=cases.name,
            cases=cases.read(),
            actions=actions.read() if actions else None,
            check_only=form.cleaned_data["check_only"],
        )
        run_import.enqueue(run.pk)
        return redirect("imports:run", pk=run.pk)
    context = {
        "form": form,
        "marac": marac,
        "runs": Paginator(ImportRun.objects.filter(marac=marac).select_related("started_by"), RUNS_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "case_columns": CASE_COLUMNS,
        "action_columns": ACTION_COLUMNS,
    }
    return render(request, "imports/start.html", context, status=400 if form.errors else 200)


@require_permission(PERMISSION)
def import_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request, pk)
    if import_runs_stop_stalled(now=timezone.now(), marac=run.marac):
        run.refresh_from_db()
    audit_view(run, summary=f"Import run {run.pk}: {run.status}")
    problems, warnings = _report_for(request, run)
    ignored = [warning for warning in warnings if warning.is_ignored_column]
    joined = [warning for warning in warnings if warning.is_join]
    warnings = [warning for warning in warnings if not (warning.is_ignored_column or warning.is_join)]
    context = {
        "run": run,
        "shows_values": _shows_values(request, run),
        "ignored_columns": ignored,
        "joined": [(note, _may_open_person(request, note.person)) for note in joined[:SHOWN_ON_THE_PAGE]],
        "joined_hidden": max(0, len(joined) - SHOWN_ON_THE_PAGE),
        "problems": problems[:SHOWN_ON_THE_PAGE],
        "problems_hidden": max(0, len(problems) - SHOWN_ON_THE_PAGE),
        "warnings": warnings[:SHOWN_ON_THE_PAGE],
        "warnings_hidden": max(0, len(warnings) - SHOWN_ON_THE_PAGE),
        "stalled_minutes": STALLED_AFTER_MINUTES,
    }
    return render(request, "imports/run.html", context)


def _shows_values(request: HttpRequest, run: ImportRun) -> bool:
    """Whether the run's page and CSV show what came from the file (its values, and its name, which can carry a
    name): to whoever uploaded it and to those who see cases at the MARAC; an administrator who did not upload it
    sees where each problem is, not the values."""
    return request.user.pk == run.started_by_id or request.user.has_perm("cases.view_case", run)


def _report_for(request: HttpRequest, run: ImportRun) -> tuple[list[Problem], list[Problem]]:
    """The problems and warnings, with the values from the file only where _shows_values."""
    problems, warnings = problems_of(run), warnings_of(run)
    if _shows_values(request, run):
        return problems, warnings
    return [problem.redacted() for problem in problems], [warning.redacted() for warning in warnings]


def _may_open_person(request: HttpRequest, pk: int) -> bool:
    """Whether to link a person the import took a row's person as: only for someone the person gate lets through
    (a restricted case's named user after giving a reason), so the link leads nobody to a "not found"."""
    try:
        get_person_for_user(user=request.user, pk=pk, audit=False)
    except RestrictedCaseNeedsReason:
        return True
    except Http404:
        return False
    return True


@require_permission(PERMISSION)
def import_problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request, pk)
    rows: list[list[exports.Cell]] = [["Kind", "Sheet", "Row", "Column", "Value", "Problem"]]
    problems, warnings = _report_for(request, run)
    rows += [["problem", *problem.as_list()] for problem in problems]
    rows += [["warning", *warning.as_list()] for warning in warnings]
    audit_record(action=AuditAction.EXPORT, obj=run, summary=f"Report of import run {run.pk} downloaded as CSV")
    response = HttpResponse(exports.as_csv(rows), content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.csv"'
    return response


@require_permission(PERMISSION)
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="openmarac-history-template.xlsx"'
    return response
