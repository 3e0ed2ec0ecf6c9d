"""A complaint the MARAC chair has answered is not "Resolved": the complainant can still escalate it to the chair of
the VAWG sub group (BD Complaints). Every page that shows the status says what happened: the chair responded."""

import re
from datetime import date

import pytest

from audit.models import AuditEvent
from governance import records_services
from governance.models import ComplaintStatus

pytestmark = pytest.mark.django_db

BASE = "/governance/records"


def _responded(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )
    return records_services.complaint_resolve(
        complaint=complaint, resolved_on=date(2026, 1, 8), based_on_version=2, by=chair
    )


def _words(page: str) -> str:
    """What the page says, without its markup (a field's name, resolved_on, is not something a user reads)."""
    return re.sub(r"<[^>]*>", " ", page).lower()


def _status_on_page(page: str) -> str:
    after_key = page.split('<dt class="govuk-summary-list__key">Status</dt>')[1]
    return after_key.split('<dd class="govuk-summary-list__value">')[1].split("</dd>")[0].strip()


def _status_in_list(page: str) -> str:
    row = page.split("<tbody")[1].split("</tr>")[0]
    return row.split('<td class="govuk-table__cell">')[-1].split("</td>")[0].strip()


def test_a_complaint_the_chair_answered_says_the_chair_responded_on_its_page_and_in_the_list(
    client_for, marac, coordinator, chair
):
    complaint = _responded(marac, coordinator, chair)
    assert complaint.status == ComplaintStatus.RESOLVED  # the stored value is unchanged: no data to migrate
    for user in (coordinator, chair):
        client = client_for(user)
        assert _status_on_page(client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()) == "Chair responded"
        assert _status_in_list(client.get(f"{BASE}/complaints/").content.decode()) == "Chair responded"


def test_nothing_the_chair_sees_calls_an_answered_complaint_resolved(client_for, marac, coordinator, chair):
    complaint = _responded(marac, coordinator, chair)
    client = client_for(chair)
    for url in (
        f"{BASE}/complaints/",
        f"{BASE}/complaints/{complaint.pk}/",
        f"{BASE}/complaints/{complaint.pk}/escalate/",
    ):
        assert "resolved" not in _words(client.get(url).content.decode()), url


def test_the_chair_records_their_response_without_being_told_the_complaint_is_resolved(
    client_for, marac, coordinator, chair
):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 2, 2), from_whom="Probation", summary="No reply", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2026, 2, 3), based_on_version=1, by=chair
    )
    client = client_for(chair)
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Record your response" in page and "resolved" not in _words(page)

    done = client.post(
        f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-02-10", "version": 2}, follow=True
    ).content.decode()
    assert "Your response is recorded" in done
    assert "resolved" not in _words(done)
    assert _status_on_page(done) == "Chair responded"


def test_the_audit_trail_says_the_chairs_response_was_sent_not_that_the_complaint_was_resolved(
    client_for, marac, coordinator, chair
):
    complaint = _responded(marac, coordinator, chair)
    summaries = list(
        AuditEvent.objects.filter(object_type="governance.complaint", object_id=str(complaint.pk)).values_list(
            "summary", flat=True
        )
    )
    assert "Chair's response to the complaint sent 2026-01-08" in summaries
    trail = client_for(coordinator).get("/audit/", {"object_type": "governance.complaint"}).content.decode()
    assert "Chair&#x27;s response to the complaint sent 2026-01-08" in trail
    assert "resolved" not in _words(trail.split("<tbody")[1])
