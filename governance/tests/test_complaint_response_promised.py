"""BD Complaints: "The MARAC Chair will acknowledge receipt of the complaint within 5 working days and provide a
timeframe in which a response will be made." The acknowledgement records the date the complainant was told to
expect the chair's response; the complaint shows it, and shows the response overdue once that date has passed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from governance import records_services
from governance.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db

BASE = "/governance/records/complaints"
PROMISED = "The date you told the complainant to expect your response"


def _complaint(marac, coordinator, received_on=date(2025, 12, 23)):
    return records_services.complaint_record(
        marac=marac, received_on=received_on, from_whom="Housing service", summary="Late minutes", by=coordinator
    )


def _acknowledge(client, complaint, acknowledged_on="2025-12-24", promised_by="2026-01-23", version=1):
    return client.post(
        f"{BASE}/{complaint.pk}/acknowledge/",
        {"acknowledged_on": acknowledged_on, "response_promised_by": promised_by, "version": version},
    )


def test_the_chair_records_when_the_complainant_can_expect_a_response(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    client = client_for(chair)
    form = client.get(f"{BASE}/{complaint.pk}/").content.decode()
    assert "Date you told the complainant to expect your response by" in form

    assert _acknowledge(client, complaint).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED
    assert complaint.response_promised_by == date(2026, 1, 23)
    page = client.get(f"{BASE}/{complaint.pk}/").content.decode()
    assert "Response promised by</dt>" in page and "23 January 2026" in page


def test_the_date_is_needed_to_acknowledge(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    page = _acknowledge(client_for(chair), complaint, promised_by="").content.decode()
    assert "Enter the date you told the complainant to expect your response" in page
    assert Complaint.objects.get().status == ComplaintStatus.RECEIVED


def test_a_response_promised_before_the_acknowledgement_is_refused(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    page = _acknowledge(client_for(chair), complaint, promised_by="2025-12-23").content.decode()
    assert f"{PROMISED} must be the same as or after the date the complaint was acknowledged" in page.replace(
        "&#x27;", "'"
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.response_promised_by) == (ComplaintStatus.RECEIVED, None)


def test_a_response_promised_years_ahead_is_a_slip(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    far = (timezone.localdate() + timedelta(days=800)).isoformat()
    page = _acknowledge(client_for(chair), complaint, promised_by=far).content.decode()
    assert "(no more than 1 year ahead)" in page
    assert Complaint.objects.get().response_promised_by is None


def test_the_service_refuses_a_promise_before_the_acknowledgement_too(marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    with pytest.raises(records_services.RecordDatesRefused) as refused:
        records_services.complaint_acknowledge(
            complaint=complaint,
            acknowledged_on=date(2025, 12, 24),
            response_promised_by=date(2025, 12, 23),
            based_on_version=1,
            by=chair,
        )
    assert "response_promised_by" in refused.value.errors


def test_the_response_is_flagged_overdue_once_the_promised_date_passes(client_for, marac, coordinator, chair):
    today = timezone.localdate()
    complaint = _complaint(marac, coordinator, received_on=today - timedelta(days=20))
    client = client_for(chair)
    _acknowledge(
        client,
        complaint,
        acknowledged_on=(today - timedelta(days=19)).isoformat(),
        promised_by=(today - timedelta(days=1)).isoformat(),
    )
    page = client.get(f"{BASE}/{complaint.pk}/").content.decode()
    assert "Response overdue: the complainant was told to expect the chair's response by" in page
    assert "Response overdue</strong>" in client.get(f"{BASE}/").content.decode()
    assert "1 complaint to respond to</a>" in client.get("/").content.decode()

    client.post(f"{BASE}/{complaint.pk}/resolve/", {"resolved_on": today.isoformat(), "version": 2})
    assert "Response overdue" not in client.get(f"{BASE}/{complaint.pk}/").content.decode()
    assert "Response overdue" not in client.get(f"{BASE}/").content.decode()


def test_a_response_still_within_the_promised_date_is_not_overdue(client_for, marac, coordinator, chair):
    today = timezone.localdate()
    complaint = _complaint(marac, coordinator, received_on=today - timedelta(days=2))
    client = client_for(chair)
    _acknowledge(client, complaint, acknowledged_on=today.isoformat(), promised_by=today.isoformat())
    assert "Response overdue" not in client.get(f"{BASE}/{complaint.pk}/").content.decode()
