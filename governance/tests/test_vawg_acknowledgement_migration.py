"""The migration that brings in the VAWG chair's acknowledgement gives every complaint already escalated and waiting
its due date, 5 working days after the escalation on its MARAC's calendar; it leaves the stored statuses alone."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from governance.models import Complaint, ComplaintStatus
from marac.models import ClosureDay

BEFORE = ("governance", "0002_complaint_escalation_outcome")
AFTER = ("governance", "0003_complaint_vawg_acknowledgement")


@pytest.mark.django_db(transaction=True)
def test_the_migration_dates_the_acknowledgement_of_complaints_already_escalated(marac, chair):
    ClosureDay.objects.create(marac=marac, day=date(2025, 12, 29), reason="Office move")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old_complaint = executor.loader.project_state([BEFORE]).apps.get_model("governance", "Complaint")

        def made(status: str, escalated_on: date | None) -> int:
            return int(
                old_complaint.objects.create(
                    marac_id=marac.pk,
                    recorded_by_id=chair.pk,
                    received_on=date(2025, 12, 1),
                    acknowledge_by=date(2025, 12, 8),
                    from_whom="Housing service",
                    summary="Late minutes",
                    status=status,
                    resolved_on=date(2025, 12, 10) if escalated_on else None,
                    escalated_on=escalated_on,
                ).pk
            )

        waiting = made("escalated", date(2025, 12, 23))
        answered = made("vawg_responded", date(2025, 12, 23))
        responded = made("resolved", None)
        MigrationExecutor(connection).migrate([AFTER])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # Christmas, Boxing Day, the weekend, the closure day and New Year's Day are not working days.
    assert Complaint.objects.get(pk=waiting).vawg_acknowledge_by == date(2026, 1, 5)
    assert Complaint.objects.get(pk=answered).vawg_acknowledge_by is None  # concluded: nothing to be late for
    assert Complaint.objects.get(pk=responded).vawg_acknowledge_by is None
    statuses = dict(Complaint.objects.values_list("pk", "status"))
    assert statuses == {
        waiting: ComplaintStatus.ESCALATED,
        answered: ComplaintStatus.VAWG_RESPONDED,
        responded: ComplaintStatus.RESOLVED,
    }
