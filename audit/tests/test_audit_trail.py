import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent
from audit.purge import allow_purge
from audit.services import GENESIS_HASH, audit_record, verify_chain
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def append_only():
    """Switch off the test suite's purge allowance, as in production."""
    allow_purge(False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET openmarac.audit_purge = 'off'")
    yield
    allow_purge(True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET openmarac.audit_purge = 'on'")


def test_it_chains_each_entry_to_the_one_before(coordinator, marac):
    first = audit_record(action=AuditAction.CHANGE, obj=marac, user=coordinator, summary="one")
    second = audit_record(action=AuditAction.CHANGE, obj=marac, user=coordinator, summary="two")
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert verify_chain() == (2, None)


def test_it_records_who_with_which_agency_and_role(coordinator, marac):
    event = audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator)
    assert event.actor_label == "cora@example.invalid"
    assert event.agency_label == "Northbrook MARAC Team"
    assert event.roles == "coordinator"
    assert event.marac_id == marac.pk


def test_the_database_refuses_to_change_an_entry(coordinator, marac, append_only):
    event = audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


def test_the_database_refuses_to_delete_an_entry(coordinator, marac, append_only):
    event = audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_verifier_reports_the_first_broken_entry(coordinator, marac):
    audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator)
    tampered = audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator, summary="original")
    audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator)
    # Tampering straight in the database, as an attacker with database access would (the test suite
    # allows the statement; production's trigger would refuse it).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute("UPDATE audit_auditevent SET summary = 'rewritten' WHERE id = %s", [tampered.pk])
    checked, broken = verify_chain()
    assert checked == 1
    assert broken is not None and broken.pk == tampered.pk
    with pytest.raises(CommandError, match=f"broken at entry {tampered.pk}"):
        call_command("audit_verify")


def test_a_failed_change_leaves_no_audit_entry(coordinator, marac):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=AuditAction.CHANGE, obj=marac, user=coordinator)
        raise RuntimeError("the change failed after its audit entry was written")
    assert not AuditEvent.objects.exists()


def test_opening_a_case_is_audited_with_the_request(client_for, coordinator, marac):
    case = CaseFactory(marac=marac)
    response = client_for(coordinator).get(f"/cases/{case.pk}/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert event.action == AuditAction.VIEW
    assert event.request_id == response["X-Request-Id"]
    assert event.client_address == "203.0.113.9"


def test_a_coordinator_filters_the_audit_of_their_own_marac_only(client_for, coordinator, outsider, marac, other_marac):
    audit_record(action=AuditAction.VIEW, obj=marac, user=coordinator, summary="seen at Northbrook")
    audit_record(action=AuditAction.VIEW, obj=other_marac, user=outsider, summary="seen at Southmere")
    audit_record(action=AuditAction.CHANGE, obj=marac, user=coordinator, summary="changed at Northbrook")
    page = client_for(coordinator).get("/audit/", {"action": "view"}).content.decode()
    assert "seen at Northbrook" in page
    assert "seen at Southmere" not in page
    assert "changed at Northbrook" not in page


def test_the_audit_filter_explains_a_backwards_date_range(client_for, coordinator):
    page = client_for(coordinator).get("/audit/", {"date_from": "2026-11-20", "date_to": "2026-11-01"}).content.decode()
    assert "The end date must be the same as or after the start date" in page
    assert "govuk-error-summary" in page
