from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from governance import records_rules, records_services
from governance.models import (
    AgreementSignature,
    Breach,
    Complaint,
    ComplaintStatus,
    DisclosureRequest,
    InductionRecord,
    ProtocolReview,
)
from governance.records_tasks import protocol_review_reminders
from marac.models import MaracAgency
from meetings.models import Attendance, AttendanceCapacity, Meeting
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db

BASE = "/governance/records"


def _audited(obj, action):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action, marac_id=obj.marac_id
    ).exists()


def _complaint(marac, by, received_on=date(2025, 12, 23)):
    return records_services.complaint_record(
        marac=marac, received_on=received_on, from_whom="Housing service", summary="Late minutes", by=by
    )


# --- Complaints -----------------------------------------------------------------------------------------------------


def test_it_records_a_complaint_the_chair_acknowledges_responds_to_and_escalates(client_for, marac, coordinator, chair):
    response = client_for(coordinator).post(
        f"{BASE}/complaints/add/",
        {"received_on": "2025-12-23", "from_whom": "Housing service", "summary": "Minutes arrived late"},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert complaint.acknowledge_by == date(2026, 1, 2)
    assert complaint.recorded_by == coordinator
    assert _audited(complaint, AuditAction.CREATE)

    chair_client = client_for(chair)
    page = chair_client.get(f"{BASE}/complaints/{complaint.pk}/")
    assert b"Acknowledge the complaint" in page.content
    chair_client.post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2025-12-24", "response_promised_by": "2026-01-23", "version": 1},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED and complaint.acknowledged_on == date(2025, 12, 24)

    chair_client.post(
        f"{BASE}/complaints/{complaint.pk}/investigate/", {"investigation_notes": "Spoke to both", "version": 2}
    )
    chair_client.post(f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-01-08", "version": 3})
    chair_client.post(
        f"{BASE}/complaints/{complaint.pk}/escalate/",
        {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied with the response", "version": 4},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ESCALATED
    assert complaint.escalated_on == date(2026, 1, 12)
    assert AuditEvent.objects.filter(object_type="governance.complaint", action=AuditAction.CHANGE).count() == 4


def test_it_lets_the_chair_resolve_an_acknowledged_complaint(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    client = client_for(chair)
    client.post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2025-12-24", "response_promised_by": "2026-01-23", "version": 1},
    )
    client.post(f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-01-08", "version": 2})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.resolved_on == date(2026, 1, 8)
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Escalate to the VAWG chair" in page


def test_it_leaves_acknowledging_to_the_chair(client_for, marac, coordinator):
    complaint = _complaint(marac, coordinator)
    response = client_for(coordinator).post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/", {"acknowledged_on": "2025-12-24", "version": 1}
    )
    assert response.status_code == 404
    assert b"Acknowledge the complaint" not in client_for(coordinator).get(f"{BASE}/complaints/{complaint.pk}/").content


def test_it_refuses_a_stale_acknowledgement(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    response = client_for(chair).post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/", {"acknowledged_on": "2025-12-24", "version": 0}
    )
    assert b"Someone else changed this record" in response.content
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_it_flags_overdue_acknowledgements(client_for, marac, coordinator):
    complaint = _complaint(marac, coordinator, received_on=timezone.localdate() - timedelta(days=30))
    index = client_for(coordinator).get(f"{BASE}/").content.decode()
    assert "1 not acknowledged in time" in index
    listing = client_for(coordinator).get(f"{BASE}/complaints/").content.decode()
    assert "Acknowledgement overdue" in listing
    assert complaint.acknowledge_by < timezone.localdate()


# --- Breaches -------------------------------------------------------------------------------------------------------


def test_it_logs_a_breach_and_its_referral_to_the_vawg_sub_group(client_for, marac, coordinator):
    agency = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=agency)
    client = client_for(coordinator)
    client.post(
        f"{BASE}/breaches/add/",
        {
            "occurred_on": "2026-05-01",
            "reported_on": "2026-05-02",
            "agency": agency.pk,
            "of_what": "isa",
            "description": "Minutes forwarded outside the agency",
        },
    )
    breach = Breach.objects.get()
    assert b"1 not yet referred" in client.get(f"{BASE}/").content
    client.post(f"{BASE}/breaches/{breach.pk}/", {"referred_to_vawg_on": "2026-05-10", "outcome": "", "version": 1})
    breach.refresh_from_db()
    assert breach.referred_to_vawg_on == date(2026, 5, 10) and breach.version == 2
    assert _audited(breach, AuditAction.CREATE) and _audited(breach, AuditAction.CHANGE)


# --- Disclosure requests --------------------------------------------------------------------------------------------


def test_it_requires_a_dhr_release_in_ten_working_days_in_a_named_circumstance(client_for, marac, coordinator):
    client = client_for(coordinator)
    client.post(
        f"{BASE}/disclosures/add/dhr/",
        {
            "requested_by": "Independent chair of the review panel",
            "reference": "DHR-27-01",
            "received_on": "2026-03-25",
            "circumstance": "client_is_victim",
            "case": CaseFactory(marac=marac).reference,
        },
    )
    request = DisclosureRequest.objects.get()
    assert request.release_required and request.due_on == date(2026, 4, 10)
    assert b"by 10 April 2026" in client.get(f"{BASE}/disclosures/{request.pk}/").content

    client.post(
        f"{BASE}/disclosures/{request.pk}/release/",
        {"released_on": "2026-04-08", "redaction_notes": "Third parties removed", "version": 1},
    )
    request.refresh_from_db()
    assert request.released_on == date(2026, 4, 8)
    assert _audited(request, AuditAction.CREATE) and _audited(request, AuditAction.CHANGE)


def test_the_chair_decides_a_request_in_other_circumstances(client_for, marac, coordinator, chair):
    client_for(coordinator).post(
        f"{BASE}/disclosures/add/dhr/",
        {"requested_by": "Community safety partnership", "received_on": "2026-03-25", "circumstance": "other"},
    )
    request = DisclosureRequest.objects.get()
    assert not request.release_required and request.due_on is None
    assert b"1 waiting for the chair" in client_for(coordinator).get(f"{BASE}/").content

    url = f"{BASE}/disclosures/{request.pk}/decide/"
    assert client_for(coordinator).post(url, {"chair_decision": "release", "version": 1}).status_code == 404
    without_reason = client_for(chair).post(url, {"chair_decision": "release", "version": 1})
    assert b"Give the reasons for the decision" in without_reason.content
    client_for(chair).post(
        url, {"chair_decision": "release", "decision_reason": "Relevant to the review", "version": 1}
    )
    request.refresh_from_db()
    assert request.chair_decision == "release" and request.decided_by == chair
    assert _audited(request, AuditAction.CHANGE)


def test_it_leaves_every_court_request_to_the_chair(client_for, marac, coordinator, chair):
    client_for(coordinator).post(
        f"{BASE}/disclosures/add/court/", {"requested_by": "Family court", "received_on": "2026-02-01"}
    )
    request = DisclosureRequest.objects.get()
    assert request.kind == "court" and not request.release_required and request.circumstance == ""
    client_for(chair).post(
        f"{BASE}/disclosures/{request.pk}/decide/",
        {"chair_decision": "refuse", "decision_reason": "Not relevant to the proceedings", "version": 1},
    )
    request.refresh_from_db()
    assert request.chair_decision == "refuse"
    refused = client_for(coordinator).post(
        f"{BASE}/disclosures/{request.pk}/release/", {"released_on": "2026-02-10", "version": 2}
    )
    assert b"Only a request that must be released" in refused.content


# --- Agreements, induction, review, observers -----------------------------------------------------------------------


def test_it_flags_member_agencies_that_have_not_signed(client_for, marac, coordinator):
    signed, unsigned = AgencyFactory(name="Signed Agency"), AgencyFactory(name="Unsigned Agency")
    for agency in (signed, unsigned):
        MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    client = client_for(coordinator)
    for document in ("isa", "protocol"):
        client.post(
            f"{BASE}/agreements/add/",
            {"agency": signed.pk, "document": document, "signed_on": "2026-01-10", "signed_by": "Head of service"},
        )
    assert AgreementSignature.objects.filter(agency=signed).count() == 2
    page = client.get(f"{BASE}/agreements/").content.decode()
    not_signed_section = page.split("Not yet signed")[1].split("Register")[0]
    assert "<strong>Unsigned Agency</strong>" in not_signed_section
    assert "<strong>Signed Agency</strong>" not in not_signed_section
    assert "1 agency has not signed both" in client.get(f"{BASE}/").content.decode()
    assert all(_audited(s, AuditAction.CREATE) for s in AgreementSignature.objects.all())


def test_it_completes_a_representatives_induction(client_for, marac, coordinator, police_rep):
    client = client_for(coordinator)
    client.post(f"{BASE}/inductions/add/", {"user": police_rep.pk})
    induction = InductionRecord.objects.get(user=police_rep)
    keys = [key for key, _ in records_rules.INDUCTION_ITEMS]
    client.post(f"{BASE}/inductions/{induction.pk}/", {"items": keys[:2], "version": 1})
    induction.refresh_from_db()
    assert induction.completed_items == keys[:2] and induction.completed_on is None
    client.post(f"{BASE}/inductions/{induction.pk}/", {"items": keys, "version": 2})
    induction.refresh_from_db()
    assert induction.completed_on == timezone.localdate()
    assert _audited(induction, AuditAction.CREATE) and _audited(induction, AuditAction.CHANGE)


def test_it_records_a_protocol_review_due_again_in_a_year(client_for, marac, chair):
    client_for(chair).post(f"{BASE}/reviews/", {"reviewed_on": "2026-03-15", "notes": "Agreed by the sub group"})
    review = ProtocolReview.objects.get()
    assert review.next_due_on == date(2027, 3, 15)
    assert _audited(review, AuditAction.CREATE)


def test_it_reminds_coordinators_and_chairs_of_a_review_falling_due(
    marac, other_marac, coordinator, chair, police_rep, outsider
):
    today = timezone.localdate()
    ProtocolReview.objects.create(
        marac=marac, reviewed_on=today - timedelta(days=350), next_due_on=today + timedelta(days=15), recorded_by=chair
    )
    ProtocolReview.objects.create(
        marac=other_marac, reviewed_on=today, next_due_on=today + timedelta(days=365), recorded_by=outsider
    )
    result = protocol_review_reminders.enqueue()
    assert result.return_value == 1
    assert sorted(message.to for message in mail.outbox) == sorted([[coordinator.email], [chair.email]])
    message = mail.outbox[0]
    assert "protocol review is due by" in message.subject
    assert coordinator.full_name not in message.body and chair.full_name not in message.body
    assert "/governance/records/reviews/" in message.body


def test_the_command_queues_the_reminders(marac, coordinator, capsys):
    call_command("protocol_review_reminders")
    assert "Queued the protocol review reminders" in capsys.readouterr().out
    (message,) = mail.outbox  # no review recorded at all: overdue from the start
    assert "No review of the MARAC protocol has been recorded" in message.subject


def test_it_lists_observers_from_the_meeting_registers(client_for, marac, coordinator, chair, police_rep):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    Attendance.objects.create(
        meeting=meeting,
        capacity=AttendanceCapacity.OBSERVER,
        observer_name="Olive Observer",
        observer_organisation="Neighbouring MARAC",
        observer_approved_by=chair,
        confidentiality_signed_at=timezone.now(),
    )
    Attendance.objects.create(meeting=meeting, capacity=AttendanceCapacity.REPRESENTATIVE, user=police_rep)
    page = client_for(coordinator).get(f"{BASE}/observers/").content.decode()
    assert "Olive Observer" in page and "Neighbouring MARAC" in page and chair.full_name in page
    assert police_rep.full_name not in page


# --- Need-to-know ---------------------------------------------------------------------------------------------------


def test_an_outsider_finds_nothing_of_another_marac(client_for, marac, coordinator, chair, outsider):
    complaint = _complaint(marac, coordinator)
    breach = records_services.breach_record(
        marac=marac, occurred_on=date(2026, 5, 1), reported_on=date(2026, 5, 1), agency=None, of_what="isa",
        description="A breach", by=coordinator,
    )  # fmt: skip
    request = records_services.disclosure_request_record(
        marac=marac, kind="court", requested_by="Family court", reference="", received_on=date(2026, 2, 1),
        circumstance="", by=coordinator,
    )  # fmt: skip
    induction = records_services.induction_start(marac=marac, user=chair, by=coordinator)
    client = client_for(outsider)
    for url in (
        f"{BASE}/complaints/{complaint.pk}/",
        f"{BASE}/breaches/{breach.pk}/",
        f"{BASE}/disclosures/{request.pk}/",
        f"{BASE}/inductions/{induction.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": 1}).status_code == 404, url
    assert b"Housing service" not in client.get(f"{BASE}/complaints/").content
    assert b"Family court" not in client.get(f"{BASE}/disclosures/").content


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/complaints/",
        "/complaints/add/",
        "/breaches/",
        "/breaches/add/",
        "/disclosures/",
        "/disclosures/add/dhr/",
        "/disclosures/add/court/",
        "/agreements/",
        "/agreements/add/",
        "/inductions/",
        "/inductions/add/",
        "/reviews/",
        "/observers/",
    ],
)
def test_it_shows_every_register_to_the_coordinator_and_the_chair(client_for, marac, coordinator, chair, path):
    for user in (coordinator, chair):
        assert client_for(user).get(BASE + path).status_code == 200


def test_it_refuses_people_without_a_governance_role(client_for, marac, police_rep, no_role_user):
    for user in (police_rep, no_role_user):
        assert client_for(user).get(f"{BASE}/").status_code == 404
