"""Background jobs of information governance, run by the task worker; a scheduler starts them through commands."""

from django.tasks import task
from django.utils import timezone

from governance.retention_services import retention_apply_all


@task
def apply_retention_all() -> dict[str, dict[str, int]]:
    """Each MARAC's retention policy: the dry run reported in the audit first, then applied. Returns counts per
    MARAC id, never a case or a person."""
    reports = retention_apply_all(today=timezone.localdate())
    return {str(marac_id): report.counts for marac_id, report in reports.items()}
