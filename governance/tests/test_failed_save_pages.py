"""A page that shows a record beside a form that failed shows what is saved, not what was refused: validating a
ModelForm writes what was sent onto its instance, so the registers' views bind their forms to a copy."""

from datetime import date

import pytest

from governance import records_services
from governance.models import Breach, Complaint, ComplaintStatus, DisclosureRequest

pytestmark = pytest.mark.django_db

BASE = "/governance/records"


def _court_request(marac, coordinator):
    return records_services.disclosure_request_record(
        marac=marac,
        kind="court",
        requested_by="Family court",
        reference="",
        received_on=date(2026, 2, 1),
        circumstance="",
        by=coordinator,
    )


def _complaint(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    return records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )


def test_a_refusal_without_reasons_is_not_shown_as_the_chairs_decision(client_for, marac, coordinator, chair):
    request = _court_request(marac, coordinator)
    client = client_for(chair)
    failed = client.post(f"{BASE}/disclosures/{request.pk}/decide/", {"chair_decision": "refuse", "version": 1})
    page = failed.content.decode()
    assert "Give the reasons for the decision" in page
    assert "Chair's decision" not in page
    assert "Your decision as chair" in page  # the form is still there to put right
    assert 'value="refuse" id="id_chair_decision_1" checked' in page  # what was chosen is kept, to put right
    reloaded = client.get(f"{BASE}/disclosures/{request.pk}/").content.decode()
    assert "Chair's decision" not in reloaded
    request.refresh_from_db()
    assert request.chair_decision == ""


def test_a_release_decision_without_reasons_offers_no_release(client_for, marac, coordinator, chair):
    request = _court_request(marac, coordinator)
    failed = client_for(chair).post(
        f"{BASE}/disclosures/{request.pk}/decide/", {"chair_decision": "release", "version": 1}
    )
    page = failed.content.decode()
    assert "Give the reasons for the decision" in page
    assert "Chair's decision" not in page and "Record the release" not in page


def test_a_stale_release_is_not_shown_as_released(client_for, marac, coordinator, chair):
    request = _court_request(marac, coordinator)
    records_services.disclosure_decide(
        request=request, decision="release", reason="Relevant to the proceedings", based_on_version=1, by=chair
    )
    failed = client_for(coordinator).post(
        f"{BASE}/disclosures/{request.pk}/release/",
        {"released_on": "2026-02-10", "redaction_notes": "Third parties removed", "version": 1},
    )
    page = failed.content.decode()
    assert "Someone else changed this record" in page
    assert "Released</dt>" not in page and "Third parties removed</dd>" not in page
    assert DisclosureRequest.objects.get().released_on is None


def test_stale_investigation_notes_are_not_shown_as_saved(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator, chair)
    failed = client_for(chair).post(
        f"{BASE}/complaints/{complaint.pk}/investigate/", {"investigation_notes": "Spoke to both", "version": 1}
    )
    page = failed.content.decode()
    assert "Someone else changed this record" in page
    assert "Investigation</dt>" not in page
    assert Complaint.objects.get().investigation_notes == ""


def test_a_stale_resolution_is_not_shown_as_the_chairs_response(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator, chair)
    failed = client_for(chair).post(
        f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-01-08", "version": 1}
    )
    page = failed.content.decode()
    assert "Someone else changed this record" in page
    assert "Chair's response sent" not in page and "8 January 2026" not in page
    assert "Record the response" in page  # still awaiting the response, as saved
    assert Complaint.objects.get().status == ComplaintStatus.ACKNOWLEDGED


def test_a_stale_escalation_does_not_show_the_complaint_escalated(client_for, marac, coordinator, chair):
    complaint = records_services.complaint_resolve(
        complaint=_complaint(marac, coordinator, chair), resolved_on=date(2026, 1, 8), based_on_version=2, by=chair
    )
    page = (
        client_for(chair)
        .post(
            f"{BASE}/complaints/{complaint.pk}/escalate/",
            {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied", "version": 1},
        )
        .content.decode()
    )
    assert "Someone else changed this record" in page
    assert "Chair's response sent" in page and "8 January 2026" in page  # the summary is the saved complaint
    assert Complaint.objects.get().status == ComplaintStatus.RESOLVED


def test_a_breach_with_a_referral_before_its_report_keeps_showing_what_is_saved(client_for, marac, coordinator):
    breach = records_services.breach_record(
        marac=marac,
        occurred_on=date(2026, 3, 1),
        reported_on=date(2026, 3, 2),
        agency=None,
        of_what="isa",
        description="Minutes sent to the wrong address",
        by=coordinator,
    )
    failed = client_for(coordinator).post(
        f"{BASE}/breaches/{breach.pk}/", {"referred_to_vawg_on": "2026-03-03", "outcome": "Apology", "version": 0}
    )
    assert "Someone else changed this record" in failed.content.decode()
    breach.refresh_from_db()
    assert (breach.referred_to_vawg_on, breach.outcome, breach.version) == (None, "", 1)
    assert Breach.objects.count() == 1
