"""BD Complaints: "The Chair of the VAWG Sub-Committee will acknowledge receipt of the complaint within 5 working days
and respond within a stated time frame." An escalated complaint is due an acknowledgement from the VAWG chair 5
working days after the escalation (the MARAC's working-day calendar); the chair records it, the page shows when it
was due and flags it when late, as for the MARAC chair's own acknowledgement; their outcome follows it."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditAction, AuditEvent
from governance import records_rules, records_services
from governance.models import Complaint, ComplaintStatus
from governance.records_rules import ComplaintStep
from marac.models import ClosureDay
from referrals.calendar import Region, WorkingCalendar, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

BASE = "/governance/records"
ENGLAND = WorkingCalendar(region=Region.ENGLAND, closure_days=frozenset())


def _responded(marac, coordinator, chair, *, on=date(2025, 12, 10)):
    complaint = records_services.complaint_record(
        marac=marac, received_on=on - timedelta(days=9), from_whom="Housing service", summary="Late", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=on - timedelta(days=8), based_on_version=1, by=chair
    )
    return records_services.complaint_resolve(complaint=complaint, resolved_on=on, based_on_version=2, by=chair)


def _escalated(marac, coordinator, chair, *, on=date(2025, 12, 23)):
    complaint = _responded(marac, coordinator, chair, on=min(on, date(2025, 12, 10)))
    return records_services.complaint_escalate(
        complaint=complaint, escalated_on=on, reason="Not satisfied", based_on_version=3, by=chair
    )


def _text(page: str) -> str:
    """The page with its spacing evened out and apostrophes as typed (Django escapes those in values it shows)."""
    return " ".join(page.replace("&#x27;", "'").split())


def _ack_url(complaint: Complaint) -> str:
    return f"{BASE}/complaints/{complaint.pk}/vawg-acknowledge/"


# --- The due date ---------------------------------------------------------------------------------------------------


def test_escalating_sets_the_vawg_chairs_acknowledgement_due_5_working_days_later(
    client_for, marac, coordinator, chair
):
    complaint = _responded(marac, coordinator, chair)
    done = client_for(chair).post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2025-12-23", "escalation_reason": "Not satisfied", "version": 3},
        follow=True,
    )
    page = _text(done.content.decode())
    # Tuesday 23 December: Christmas, Boxing Day, the weekend and New Year's Day are not working days.
    assert "the VAWG chair must acknowledge it by 2 January 2026" in page
    assert "VAWG chair to acknowledge by</dt>" in page and "2 January 2026" in page
    complaint.refresh_from_db()
    assert complaint.vawg_acknowledge_by == date(2026, 1, 2) and complaint.vawg_acknowledged_on is None
    assert AuditEvent.objects.filter(
        object_type="governance.complaint",
        summary="Complaint escalated to the VAWG chair 2025-12-23, to be acknowledged by 2026-01-02",
    ).exists()


def test_the_due_date_skips_the_marac_s_own_closure_days(marac, coordinator, chair):
    ClosureDay.objects.create(marac=marac, day=date(2025, 12, 29), reason="Office move")
    complaint = _escalated(marac, coordinator, chair)
    assert complaint.vawg_acknowledge_by == date(2026, 1, 5)


def test_worked_examples_of_the_due_date():
    due = records_rules.complaint_vawg_acknowledge_by
    assert due(date(2026, 3, 2), calendar=ENGLAND) == date(2026, 3, 9)  # Monday to Monday
    assert due(date(2026, 3, 6), calendar=ENGLAND) == date(2026, 3, 13)  # Friday to Friday
    assert due(date(2026, 3, 7), calendar=ENGLAND) == date(2026, 3, 13)  # asked on a Saturday
    assert due(date(2026, 3, 31), calendar=ENGLAND) == date(2026, 4, 9)  # Good Friday and Easter Monday
    scotland = WorkingCalendar(region=Region.SCOTLAND, closure_days=frozenset())
    assert due(date(2025, 12, 30), calendar=scotland) == date(2026, 1, 8)  # 1 and 2 January in Scotland


@given(st.dates(min_value=date(2003, 1, 1), max_value=date(2030, 12, 31)))
def test_the_due_date_is_always_a_working_day_5_working_days_after_the_escalation(escalated_on):
    due = records_rules.complaint_vawg_acknowledge_by(escalated_on, calendar=ENGLAND)
    assert due > escalated_on
    assert is_working_day(due, ENGLAND)
    assert working_days_between(escalated_on, due, calendar=ENGLAND) == 5


@given(
    st.sampled_from(list(ComplaintStatus)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
)
def test_only_an_escalated_complaint_not_yet_acknowledged_and_past_its_date_is_overdue(status, due, today):
    overdue = records_rules.complaint_vawg_acknowledgement_is_overdue(status=status, acknowledge_by=due, today=today)
    assert overdue == (status == ComplaintStatus.ESCALATED and due < today)
    # Before the escalation there is no date to be late against.
    assert not records_rules.complaint_vawg_acknowledgement_is_overdue(status=status, acknowledge_by=None, today=today)


# --- Overdue, on the pages ------------------------------------------------------------------------------------------


def test_a_late_vawg_acknowledgement_is_flagged_on_the_complaint_the_list_and_the_index(
    client_for, marac, coordinator, chair
):
    complaint = _escalated(marac, coordinator, chair)  # due 2 January 2026, long past
    client = client_for(coordinator)
    page = _text(client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode())
    assert (
        "Not acknowledged by the VAWG chair by 2 January 2026, 5 working days after the complaint was escalated."
        in page
    )
    listing = client.get(f"{BASE}/complaints/").content.decode()
    assert "VAWG acknowledgement overdue" in listing
    index = _text(client.get(f"{BASE}/").content.decode())
    assert "1 not acknowledged by the VAWG chair in time" in index


def test_a_vawg_acknowledgement_still_in_time_is_not_flagged(client_for, marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair, on=timezone.localdate())
    assert complaint.vawg_acknowledge_by > timezone.localdate()
    client = client_for(coordinator)
    page = _text(client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode())
    assert "VAWG chair to acknowledge by" in page and "Not acknowledged by the VAWG chair" not in page
    assert "overdue" not in client.get(f"{BASE}/complaints/").content.decode()
    assert "not acknowledged by the VAWG chair in time" not in _text(client.get(f"{BASE}/").content.decode())


# --- Recording the acknowledgement ----------------------------------------------------------------------------------


def test_the_chair_records_the_vawg_chairs_acknowledgement_and_then_the_outcome(client_for, marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair)
    client = client_for(chair)
    page = _text(client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode())
    assert "Record the VAWG chair's acknowledgement" in page
    assert "Date the VAWG chair acknowledged the complaint" in page
    assert "Record the VAWG chair's outcome" not in page  # the outcome follows the acknowledgement

    done = client.post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-30", "version": 4}, follow=True)
    page = _text(done.content.decode())
    assert "The VAWG chair's acknowledgement is recorded" in page
    assert "Acknowledged by the VAWG chair</dt>" in page and "30 December 2025" in page
    assert "Not acknowledged by the VAWG chair" not in page
    assert "Record the VAWG chair's outcome" in page
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VAWG_ACKNOWLEDGED
    assert (complaint.vawg_acknowledged_on, complaint.version) == (date(2025, 12, 30), 5)
    assert AuditEvent.objects.filter(
        object_type="governance.complaint",
        object_id=str(complaint.pk),
        action=AuditAction.CHANGE,
        summary="VAWG chair acknowledged the complaint 2025-12-30",
        changes={"status": "changed", "vawg_acknowledged_on": "changed"},
    ).exists()
    listing = client.get(f"{BASE}/complaints/").content.decode()
    assert "overdue" not in listing and "Acknowledged by the VAWG chair" in listing
    assert "1 escalated to the VAWG chair" in _text(client.get(f"{BASE}/").content.decode())  # still open

    before = _text(
        client.post(
            f"{BASE}/complaints/{complaint.pk}/vawg-outcome/",
            {"vawg_responded_on": "2025-12-29", "vawg_outcome": "Upheld", "version": 5},
        ).content.decode()
    )
    assert (
        "The date the VAWG chair responded must be the same as or after the date the VAWG chair acknowledged the "
        "complaint" in before
    )
    client.post(
        f"{BASE}/complaints/{complaint.pk}/vawg-outcome/",
        {"vawg_responded_on": "2026-01-20", "vawg_outcome": "Upheld", "version": 5},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VAWG_RESPONDED


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ("", "Enter the date the VAWG chair acknowledged the complaint"),
        ("2025-02-30", "The date the VAWG chair acknowledged the complaint must be a real date"),
        (
            "2025-12-22",
            "The date the VAWG chair acknowledged the complaint must be the same as or after the date the complainant "
            "asked for the complaint to be escalated",
        ),
        ("tomorrow", "The date the VAWG chair acknowledged the complaint must be today or in the past"),
    ],
)
def test_a_wrong_acknowledgement_date_is_refused_with_a_specific_message_and_nothing_saved(
    client_for, marac, coordinator, chair, sent, error
):
    complaint = _escalated(marac, coordinator, chair)
    if sent == "tomorrow":
        sent = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(chair).post(_ack_url(complaint), {"vawg_acknowledged_on": sent, "version": 4})
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert error in page
    assert "Acknowledged by the VAWG chair</dt>" not in page  # the page shows what is saved
    complaint.refresh_from_db()
    assert (complaint.status, complaint.vawg_acknowledged_on, complaint.version) == (ComplaintStatus.ESCALATED, None, 4)


def test_a_stale_acknowledgement_is_refused(client_for, marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair)
    page = client_for(chair).post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-30", "version": 3})
    assert "Someone else changed this record" in page.content.decode()
    complaint.refresh_from_db()
    assert complaint.vawg_acknowledged_on is None and complaint.version == 4


def test_it_is_recorded_once(client_for, marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair)
    client = client_for(chair)
    client.post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-30", "version": 4})
    again = client.post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-31", "version": 5}).content.decode()
    assert "The VAWG chair has already acknowledged this complaint" in again.replace("&#x27;", "'")
    complaint.refresh_from_db()
    assert complaint.vawg_acknowledged_on == date(2025, 12, 30)


def test_only_an_escalated_complaint_takes_the_vawg_chairs_acknowledgement(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    page = client_for(chair).post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-30", "version": 3})
    assert "Only a complaint escalated to the VAWG chair" in page.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.vawg_acknowledged_on is None


def test_the_outcome_waits_for_the_acknowledgement(marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair)
    with pytest.raises(records_services.RecordRefused, match="acknowledgement"):
        records_services.complaint_record_vawg_outcome(
            complaint=complaint, responded_on=date(2026, 1, 20), outcome="Upheld", based_on_version=4, by=chair
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ESCALATED


def test_the_service_refuses_a_wrong_date_whoever_calls_it(marac, coordinator, chair):
    complaint = _escalated(marac, coordinator, chair)
    with pytest.raises(records_services.RecordDatesRefused) as refused, transaction.atomic():
        records_services.complaint_acknowledge_by_vawg_chair(
            complaint=complaint,
            acknowledged_on=timezone.localdate() + timedelta(days=1),
            based_on_version=4,
            by=chair,
        )
    assert refused.value.errors == {
        "vawg_acknowledged_on": "The date the VAWG chair acknowledged the complaint must be today or in the past"
    }
    complaint.refresh_from_db()
    assert complaint.vawg_acknowledged_on is None and complaint.version == 4


def test_the_acknowledgement_is_the_chairs_to_record(client_for, marac, coordinator, chair, outsider):
    complaint = _escalated(marac, coordinator, chair)
    for user in (coordinator, outsider):
        sent = client_for(user).post(_ack_url(complaint), {"vawg_acknowledged_on": "2025-12-30", "version": 4})
        assert sent.status_code == 404, user
    assert client_for(outsider).get(f"{BASE}/complaints/{complaint.pk}/").status_code == 404
    page = client_for(coordinator).get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Date the VAWG chair acknowledged the complaint" not in page
    complaint.refresh_from_db()
    assert complaint.vawg_acknowledged_on is None


def test_the_acknowledgement_step_follows_only_the_escalation():
    after = records_rules.complaint_after
    assert after(ComplaintStatus.ESCALATED, ComplaintStep.ACKNOWLEDGE_VAWG) == ComplaintStatus.VAWG_ACKNOWLEDGED
    others = set(ComplaintStatus) - {ComplaintStatus.ESCALATED}
    assert all(after(status, ComplaintStep.ACKNOWLEDGE_VAWG) is None for status in others)
    assert after(ComplaintStatus.ESCALATED, ComplaintStep.RECORD_VAWG_OUTCOME) is None
    assert after(ComplaintStatus.VAWG_ACKNOWLEDGED, ComplaintStep.RECORD_VAWG_OUTCOME) == ComplaintStatus.VAWG_RESPONDED
