from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from governance.retention_services import RetentionReport, retention_apply, retention_report, retention_report_audit
from marac.models import Marac


class Command(BaseCommand):
    help = (
        "Apply a MARAC's retention policy: anonymise or delete the cases whose last hearing is older than its "
        "retention period, never a case under legal hold. With --dry-run, only report what would happen. "
        "Prints counts and case references, never a name. (apply_retention_all is the scheduled task for every MARAC.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marac", type=int, required=True, help="The MARAC's id.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")

    def handle(self, *args: Any, marac: int, dry_run: bool, **options: Any) -> None:
        found = Marac.objects.filter(pk=marac).first()
        if found is None:
            raise CommandError(f"There is no MARAC with id {marac}.")
        today = timezone.localdate()
        report = retention_report(marac=found, today=today, viewer=None)
        retention_report_audit(report=report, by=None)
        if not dry_run:
            report = retention_apply(marac=found, today=today, by=None)
        self._print(report, applied=not dry_run)

    def _print(self, report: RetentionReport, *, applied: bool) -> None:
        policy = report.policy
        heading = "Applied" if applied else "Dry run (nothing changed)"
        self.stdout.write(
            f"{heading}: MARAC {report.marac_id}, {policy.action} after {policy.years} years, on {report.today}"
        )
        self.stdout.write(report.summary())
        for row in report.due + report.held:
            done = f" -> {row.result}" if row.result else ""
            self.stdout.write(f"  {row.reference} [{row.decision.outcome}] {row.decision.reason}{done}")
        for referral_row in report.referrals_due:
            done = f" -> {referral_row.result}" if referral_row.result else ""
            decision = referral_row.decision
            self.stdout.write(f"  {referral_row.label} [{decision.outcome}] {decision.reason}{done}")
