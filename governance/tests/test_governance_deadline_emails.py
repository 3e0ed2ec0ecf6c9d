"""The chair hears of the deadlines the protocol gives them (BD Complaints; Domestic Homicide Reviews): an email when a
complaint is recorded (acknowledge within 5 working days), escalated (the VAWG chair acknowledges within 5), or a
request for minutes is recorded (a DHR in the named circumstances: release within 10). Dates, the MARAC's name and a
link; never who complained, who asked or which case. The chair's and coordinator's home pages list what is due."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from governance import records_services
from governance.models import Complaint, DisclosureRequest
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

BASE = "/governance/records"


@pytest.fixture
def second_chair(marac):
    return grant(UserFactory(full_name="Cleo Cochair", email="cleo@example.invalid"), marac, Role.CHAIR)


def _sent_to_chairs(chair, second_chair):
    """One message to each chair, the same words, neither seeing the other's address."""
    assert sorted(message.to for message in mail.outbox) == sorted([[chair.email], [second_chair.email]])
    first, second = mail.outbox
    assert (first.subject, first.body) == (second.subject, second.body)
    return first


def test_the_chairs_are_told_when_a_complaint_is_recorded(
    client_for, coordinator, chair, second_chair, police_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            f"{BASE}/complaints/add/",
            {"received_on": "2025-12-23", "from_whom": "Wendy Witherspoon of Housing", "summary": "Minutes late"},
        )
    email = _sent_to_chairs(chair, second_chair)
    complaint = Complaint.objects.get()
    body = email.subject + email.body
    assert "acknowledge by Friday 2 January 2026" in email.subject
    assert "Northbrook MARAC" in body and "within 5 working days" in body
    assert f"/governance/records/complaints/{complaint.pk}/" in body
    assert "Wendy" not in body and "Housing" not in body and "Minutes late" not in body
    assert all(coordinator.email not in message.to and police_rep.email not in message.to for message in mail.outbox)


def test_the_chairs_are_told_when_a_complaint_is_escalated(
    client_for, marac, coordinator, chair, second_chair, django_capture_on_commit_callbacks
):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing", summary="Late", by=coordinator
    )
    complaint = records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )
    complaint = records_services.complaint_resolve(
        complaint=complaint, resolved_on=date(2026, 1, 8), based_on_version=2, by=chair
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(chair).post(
            f"{BASE}/complaints/{complaint.pk}/escalate/",
            {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied with the chair", "version": 3},
        )
    email = _sent_to_chairs(chair, second_chair)
    assert "escalated to the VAWG chair" in email.subject
    assert "by Monday 19 January 2026" in email.body and "Monday 12 January 2026" in email.body
    assert "Not satisfied" not in email.body


def test_the_chairs_are_told_a_dhr_request_must_be_released_in_10_working_days(
    client_for, marac, coordinator, chair, second_chair, django_capture_on_commit_callbacks
):
    case = CaseFactory(marac=marac, reference="NB-2026-0042")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            f"{BASE}/disclosures/add/dhr/",
            {
                "requested_by": "Dr Petra Panelchair",
                "received_on": "2026-03-25",
                "circumstance": "client_is_victim",
                "case": case.reference,
            },
        )
    email = _sent_to_chairs(chair, second_chair)
    request = DisclosureRequest.objects.get()
    assert email.subject == "OpenMARAC: minutes and action plans to release by Friday 10 April 2026"
    assert "within 10 working days" in email.body and "Northbrook MARAC" in email.body
    assert f"/governance/records/disclosures/{request.pk}/" in email.body
    assert "Petra" not in email.body and "NB-2026-0042" not in email.body


def test_the_chairs_are_told_a_request_waits_for_their_decision(
    client_for, coordinator, chair, second_chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            f"{BASE}/disclosures/add/court/", {"requested_by": "Family court", "received_on": "2026-03-25"}
        )
    assert "waits for your decision" in _sent_to_chairs(chair, second_chair).subject


def test_no_email_goes_for_a_complaint_that_was_not_recorded(client_for, coordinator, chair):
    client_for(coordinator).post(f"{BASE}/complaints/add/", {"received_on": "2025-12-23", "from_whom": "Housing"})
    assert not Complaint.objects.exists() and mail.outbox == []


# --- The home page --------------------------------------------------------------------------------------------------


def test_the_chair_and_coordinator_see_due_and_overdue_governance_deadlines_at_home(
    client_for, marac, coordinator, chair, police_rep
):
    today = timezone.localdate()
    late = records_services.complaint_record(
        marac=marac, received_on=today - timedelta(days=30), from_whom="Housing", summary="Late", by=coordinator
    )
    records_services.complaint_record(
        marac=marac, received_on=today, from_whom="Probation", summary="Late", by=coordinator
    )
    acknowledge_by = Complaint.objects.exclude(pk=late.pk).get().acknowledge_by
    for user in (chair, coordinator):
        page = client_for(user).get("/").content.decode()
        assert "Governance deadlines" in page
        assert 'Overdue</strong> <a class="govuk-link" href="/governance/records/complaints/">1 complaint to' in page
        assert f"1 complaint to acknowledge, the next by {acknowledge_by.day} {acknowledge_by:%B %Y}" in page
        assert "Housing" not in page
    assert "Governance deadlines" not in client_for(police_rep).get("/").content.decode()


def test_a_dhr_release_due_shows_on_the_home_page(client_for, marac, coordinator, chair):
    case = CaseFactory(marac=marac)
    records_services.disclosure_request_record(
        marac=marac,
        kind="dhr",
        requested_by="Review panel",
        reference="",
        received_on=timezone.localdate() - timedelta(days=60),
        circumstance="client_is_victim",
        case=case,
        by=coordinator,
    )
    page = client_for(chair).get("/").content.decode()
    assert "1 request for minutes and action plans to release" in page
    assert 'href="/governance/records/disclosures/"' in page
