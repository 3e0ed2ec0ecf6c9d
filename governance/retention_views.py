"""The retention pages: the dry-run report for the MARAC being worked in, and applying it after a confirmation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from governance.retention import UNSUBMITTED_REFERRAL_DAYS
from governance.retention_services import retention_apply, retention_report, retention_report_audit
from marac.models import Marac
from web.access import current_marac_where, require_permission

PERMISSION = "governance.manage_retention"


def _marac(request: HttpRequest) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, PERMISSION))


@require_permission(PERMISSION)
def retention_report_view(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    report = retention_report(marac=marac, today=timezone.localdate(), viewer=request.user)
    retention_report_audit(report=report, by=request.user)
    context = {"marac": marac, "report": report, "unsubmitted_days": UNSUBMITTED_REFERRAL_DAYS}
    return render(request, "governance/retention_report.html", context)


@require_permission(PERMISSION)
def retention_apply_view(request: HttpRequest) -> HttpResponse:
    """GET: what will happen, to confirm. POST: apply it to the cases confirmed, if they are still due and the
    coordinator may see them: a restricted case they are not named on is left alone, as one that does not exist."""
    marac, today = _marac(request), timezone.localdate()
    if request.method != "POST":
        report = retention_report(marac=marac, today=today, viewer=request.user)
        return render(request, "governance/retention_confirm.html", {"marac": marac, "report": report})
    report = retention_apply(
        marac=marac,
        today=today,
        by=request.user,
        only_case_ids=_confirmed(request, "case"),
        only_referral_ids=_confirmed(request, "referral"),
    )
    applied = [row for row in report.rows if row.result]
    referrals = [row for row in report.referral_rows if row.result]
    context = {"marac": marac, "applied": applied, "referrals": referrals}
    return render(request, "governance/retention_applied.html", context)


def _confirmed(request: HttpRequest, name: str) -> set[int]:
    return {int(value) for value in request.POST.getlist(name) if value.isdigit()}
