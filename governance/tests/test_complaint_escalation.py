"""BD Complaints: the chair acknowledges, investigates and responds; "If the complainant is not satisfied with the
initial response from the MARAC Chair, then an escalated letter of complaint can be sent to the chair of the VAWG
Sub Group", who acknowledges it and responds in turn. Escalation follows the chair's response, is confirmed on a page
of its own, and the complaint stays open until the VAWG chair's outcome is recorded (test_vawg_acknowledgement.py has
the VAWG chair's acknowledgement)."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.models import AuditAction, AuditEvent
from governance import records_rules, records_services
from governance.models import Complaint, ComplaintStatus
from governance.records_rules import ComplaintStep
from testing.factories import MaracFactory, UserFactory

BASE = "/governance/records"


def _complaint(marac, by):
    return records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=by
    )


def _acknowledged(marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    return records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )


def _responded(marac, coordinator, chair):
    complaint = _acknowledged(marac, coordinator, chair)
    return records_services.complaint_resolve(
        complaint=complaint, resolved_on=date(2026, 1, 8), based_on_version=2, by=chair
    )


def _open_count(client):
    index = client.get(f"{BASE}/").content.decode()
    return " ".join(index.split()).split("Complaints</a>: ")[1].split(" open")[0]


# --- Worked examples: the pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_acknowledged_complaint_offers_no_escalation_before_the_chairs_response(
    client_for, marac, coordinator, chair
):
    complaint = _acknowledged(marac, coordinator, chair)
    client = client_for(chair)
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Record the response" in page
    assert "Escalate to the VAWG chair" not in page

    # Asking for the escalation page goes back to the complaint; sending the form anyway is refused, nothing saved.
    asked = client.get(f"{BASE}/complaints/{complaint.pk}/escalate/")
    assert asked.status_code == 302 and asked["Location"] == f"{BASE}/complaints/{complaint.pk}/"
    sent = client.post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2025-12-29", "escalation_reason": "Not satisfied", "version": 2},
    )
    assert "Only a complaint the chair has responded to can be escalated" in sent.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED and complaint.escalated_on is None


@pytest.mark.django_db
def test_the_chair_escalates_a_responded_complaint_after_confirming_it(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    client = client_for(chair)
    assert _open_count(client) == "0"

    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Chair's response sent" in page and "8 January 2026" in page
    assert f'href="{BASE}/complaints/{complaint.pk}/escalate/"' in page  # a link to a page, not a one-click form

    confirm = client.get(f"{BASE}/complaints/{complaint.pk}/escalate/").content.decode()
    assert "Escalate the complaint to the VAWG chair" in confirm
    assert "Date the complainant asked for the complaint to be escalated" in confirm
    assert "Why the complainant is not satisfied with your response" in confirm
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED  # looking at the page changes nothing

    empty = client.post(f"{BASE}/complaints/{complaint.pk}/escalate/", {"version": 3}).content.decode()
    assert "Enter the date the complainant asked for the complaint to be escalated" in empty
    assert "Enter why the complainant is not satisfied with your response" in empty
    too_early = client.post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2026-01-07", "escalation_reason": "Not satisfied", "version": 3},
    ).content.decode()
    assert "must be the same as or after the date the chair&#x27;s response was sent" in too_early
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.escalated_on is None

    done = client.post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2026-01-12", "escalation_reason": "The response did not answer the complaint", "version": 3},
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ESCALATED
    assert complaint.escalated_on == date(2026, 1, 12)
    assert complaint.escalation_reason == "The response did not answer the complaint"
    assert AuditEvent.objects.filter(
        object_type="governance.complaint", object_id=str(complaint.pk), summary__contains="escalated"
    ).exists()
    assert _open_count(client) == "1"  # open again until the VAWG chair's outcome is recorded
    index = " ".join(client.get(f"{BASE}/").content.decode().split())
    assert "1 open, 1 escalated to the VAWG chair and waiting for their outcome" in index

    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Escalated to the VAWG chair" in page and "12 January 2026" in page
    assert "Record the VAWG chair's acknowledgement" in page  # then their outcome


@pytest.mark.django_db
def test_the_vawg_chairs_outcome_closes_an_escalated_complaint(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    records_services.complaint_escalate(
        complaint=complaint, escalated_on=date(2026, 1, 12), reason="Not satisfied", based_on_version=3, by=chair
    )
    records_services.complaint_acknowledge_by_vawg_chair(
        complaint=complaint, acknowledged_on=date(2026, 1, 14), based_on_version=4, by=chair
    )
    client = client_for(chair)
    url = f"{BASE}/complaints/{complaint.pk}/vawg-outcome/"

    before = client.post(url, {"vawg_responded_on": "2026-01-13", "vawg_outcome": "Upheld", "version": 5})
    assert "must be the same as or after the date the VAWG chair acknowledged" in before.content.decode()
    missing = client.post(url, {"vawg_responded_on": "2026-02-02", "version": 5}).content.decode()
    assert "Enter the VAWG chair&#x27;s outcome" in missing
    assert "VAWG chair's outcome</dt>" not in missing  # nothing shown as recorded after a failed save
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VAWG_ACKNOWLEDGED and complaint.vawg_responded_on is None

    client.post(url, {"vawg_responded_on": "2026-02-02", "vawg_outcome": "Partly upheld: apology sent", "version": 5})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VAWG_RESPONDED
    assert (complaint.vawg_responded_on, complaint.vawg_outcome) == (date(2026, 2, 2), "Partly upheld: apology sent")
    assert _open_count(client) == "0"
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Partly upheld: apology sent" in page and "2 February 2026" in page
    assert "Escalate to the VAWG chair" not in page and "Record the outcome" not in page
    listing = client.get(f"{BASE}/complaints/").content.decode()
    assert "VAWG chair responded" in listing


@pytest.mark.django_db
def test_escalation_is_the_chairs(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    client = client_for(coordinator)
    assert client.get(f"{BASE}/complaints/{complaint.pk}/escalate/").status_code == 404
    sent = client.post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied", "version": 3},
    )
    assert sent.status_code == 404
    assert "Escalate to the VAWG chair" not in client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert Complaint.objects.get().status == ComplaintStatus.RESOLVED


@pytest.mark.django_db
def test_a_stale_escalation_is_refused(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    sent = client_for(chair).post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied", "version": 2},
    )
    assert "Someone else changed this record" in sent.content.decode()
    assert Complaint.objects.get().status == ComplaintStatus.RESOLVED


# --- The rule: worked examples and properties -----------------------------------------------------------------------


def test_each_step_follows_only_the_statuses_the_protocol_allows():
    after = records_rules.complaint_after
    assert after(ComplaintStatus.RECEIVED, ComplaintStep.ESCALATE) is None
    assert after(ComplaintStatus.ACKNOWLEDGED, ComplaintStep.ESCALATE) is None
    assert after(ComplaintStatus.INVESTIGATING, ComplaintStep.ESCALATE) is None
    assert after(ComplaintStatus.RESOLVED, ComplaintStep.ESCALATE) == ComplaintStatus.ESCALATED
    assert after(ComplaintStatus.ESCALATED, ComplaintStep.ACKNOWLEDGE_VAWG) == ComplaintStatus.VAWG_ACKNOWLEDGED
    assert after(ComplaintStatus.ESCALATED, ComplaintStep.RECORD_VAWG_OUTCOME) is None
    assert after(ComplaintStatus.VAWG_ACKNOWLEDGED, ComplaintStep.RECORD_VAWG_OUTCOME) == ComplaintStatus.VAWG_RESPONDED
    assert after(ComplaintStatus.ESCALATED, ComplaintStep.RESPOND) is None
    assert after(ComplaintStatus.VAWG_RESPONDED, ComplaintStep.ESCALATE) is None


def test_an_escalated_complaint_is_open_and_a_concluded_one_is_not():
    open_ = {status for status in ComplaintStatus if records_rules.complaint_is_open(status)}
    assert open_ == {
        ComplaintStatus.RECEIVED,
        ComplaintStatus.ACKNOWLEDGED,
        ComplaintStatus.INVESTIGATING,
        ComplaintStatus.ESCALATED,
        ComplaintStatus.VAWG_ACKNOWLEDGED,
    }


steps = st.lists(st.sampled_from(list(ComplaintStep)), max_size=12)


def _run(sequence: list[ComplaintStep]) -> list[tuple[ComplaintStep, str]]:
    """The steps the rules accept, in order, each with the status it led to; refused steps change nothing."""
    status: str = ComplaintStatus.RECEIVED
    taken = []
    for step in sequence:
        after = records_rules.complaint_after(status, step)
        if after is not None:
            status = after
            taken.append((step, status))
    return taken


@given(steps)
@hypothesis_settings(max_examples=300)
def test_escalation_only_ever_follows_the_chairs_response(sequence):
    taken = [step for step, _ in _run(sequence)]
    if ComplaintStep.ESCALATE in taken:
        escalated_at = taken.index(ComplaintStep.ESCALATE)
        assert ComplaintStep.RESPOND in taken[:escalated_at]
        assert ComplaintStep.ACKNOWLEDGE in taken[:escalated_at]
    assert taken.count(ComplaintStep.ESCALATE) <= 1 and taken.count(ComplaintStep.RESPOND) <= 1


@given(steps)
@hypothesis_settings(max_examples=300)
def test_an_escalated_complaint_stays_open_until_the_vawg_outcome(sequence):
    taken = [step for step, _ in _run(sequence)]
    status = _run(sequence)[-1][1] if taken else ComplaintStatus.RECEIVED
    escalated = ComplaintStep.ESCALATE in taken
    concluded = ComplaintStep.RECORD_VAWG_OUTCOME in taken
    acknowledged = ComplaintStep.ACKNOWLEDGE_VAWG in taken
    assert concluded <= acknowledged <= escalated  # the VAWG chair acknowledges, then responds
    if escalated and not concluded:
        assert records_rules.complaint_is_open(status)
        assert records_rules.complaint_is_with_vawg_chair(status)
        assert records_rules.complaint_awaits_vawg_outcome(status) == acknowledged
    if concluded:
        assert not records_rules.complaint_is_open(status)
        assert all(records_rules.complaint_after(status, step) is None for step in ComplaintStep)  # nothing after
    # Open exactly when something is still owed: the chair's response, or the VAWG chair's.
    owed = ComplaintStep.RESPOND not in taken or (escalated and not concluded)
    assert records_rules.complaint_is_open(status) == owed


@given(st.sampled_from(list(ComplaintStatus)))
def test_escalation_and_the_chairs_open_actions_never_overlap(status):
    # The chair is offered either the response (investigate, resolve) or escalation, never both at once.
    assert not (
        records_rules.complaint_is_acknowledged_and_open(status) and records_rules.complaint_may_be_escalated(status)
    )


@pytest.mark.django_db
@given(steps)
@hypothesis_settings(max_examples=25, deadline=None)
def test_the_services_accept_a_step_exactly_when_the_rule_does(sequence):
    # Fixtures are function-scoped; each example makes its own records inside a savepoint it rolls back.
    with transaction.atomic():
        marac = MaracFactory(name="Property MARAC")
        chair = UserFactory()
        complaint = _complaint(marac, chair)
        dates = {
            ComplaintStep.ACKNOWLEDGE: date(2025, 12, 24),
            ComplaintStep.RESPOND: date(2026, 1, 8),
            ComplaintStep.ESCALATE: date(2026, 1, 12),
            ComplaintStep.ACKNOWLEDGE_VAWG: date(2026, 1, 14),
            ComplaintStep.RECORD_VAWG_OUTCOME: date(2026, 2, 2),
        }
        acts = {
            ComplaintStep.ACKNOWLEDGE: lambda c, v: records_services.complaint_acknowledge(
                complaint=c, acknowledged_on=dates[ComplaintStep.ACKNOWLEDGE], based_on_version=v, by=chair
            ),
            ComplaintStep.INVESTIGATE: lambda c, v: records_services.complaint_investigate(
                complaint=c, notes="Spoke to both agencies", based_on_version=v, by=chair
            ),
            ComplaintStep.RESPOND: lambda c, v: records_services.complaint_resolve(
                complaint=c, resolved_on=dates[ComplaintStep.RESPOND], based_on_version=v, by=chair
            ),
            ComplaintStep.ESCALATE: lambda c, v: records_services.complaint_escalate(
                complaint=c,
                escalated_on=dates[ComplaintStep.ESCALATE],
                reason="Not satisfied",
                based_on_version=v,
                by=chair,
            ),
            ComplaintStep.ACKNOWLEDGE_VAWG: lambda c, v: records_services.complaint_acknowledge_by_vawg_chair(
                complaint=c, acknowledged_on=dates[ComplaintStep.ACKNOWLEDGE_VAWG], based_on_version=v, by=chair
            ),
            ComplaintStep.RECORD_VAWG_OUTCOME: lambda c, v: records_services.complaint_record_vawg_outcome(
                complaint=c,
                responded_on=dates[ComplaintStep.RECORD_VAWG_OUTCOME],
                outcome="Upheld",
                based_on_version=v,
                by=chair,
            ),
        }
        for step in sequence:
            complaint.refresh_from_db()
            expected = records_rules.complaint_after(complaint.status, step)
            try:
                acts[step](complaint, complaint.version)
            except records_services.RecordRefused:
                assert expected is None, step
                continue
            assert expected is not None, step
            complaint.refresh_from_db()
            assert complaint.status == expected
        changes = AuditEvent.objects.filter(
            object_type="governance.complaint", object_id=str(complaint.pk), action=AuditAction.CHANGE
        ).count()
        assert changes == len(_run(sequence))
        transaction.set_rollback(True)
