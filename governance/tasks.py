"""Background jobs of information governance, run by the task worker; a scheduler starts them through commands."""

from django.tasks import task
from django.utils import timezone

from governance.retention_services import retention_apply_all
from imports.services import import_reports_redact


@task
def apply_retention_all() -> dict[str, dict[str, int]]:
    """Each MARAC's retention policy: the dry run reported in the audit first, then applied; and the values from
    history files removed from import reports past their time. Returns counts per MARAC id (and of the import
    reports), never a case or a person."""
    reports = retention_apply_all(today=timezone.localdate())
    redacted = import_reports_redact(now=timezone.now())
    return {
        **{str(marac_id): {**report.counts, **report.referral_counts} for marac_id, report in reports.items()},
        "import_reports": {"values_removed": redacted},
    }
