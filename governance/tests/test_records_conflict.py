"""A register's form refused because someone else saved the record first comes back with what the user entered, now
based on what is saved (as research and minutes do), so saving it again after checking saves it: it no longer fails
every time on the version the page was first shown with. Through the real pages."""

import re
from datetime import date

import pytest

from governance import records_rules, records_services
from governance.models import Breach, Complaint, DisclosureRequest, InductionRecord

pytestmark = pytest.mark.django_db

BASE = "/governance/records"
CONFLICT = "Someone else changed this record while you were editing it"


def _form_data(page, action=""):
    """The values the page's form (posting to `action`, if given) would send as it stands."""
    html = page.content.decode()
    if action:
        html = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    else:
        html = re.search(r'<form method="post" novalidate>(.*?)</form>', html, re.S).group(1)
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or (re.search(r'type="(checkbox|radio)"', tag) and " checked" not in tag):
            continue
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, value in re.findall(r'<textarea name="(\w+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = [value]
    data.pop("csrfmiddlewaretoken", None)
    return data


def _acknowledged_complaint(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    return records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )


def test_investigation_notes_saved_again_after_a_conflict_are_saved(client_for, marac, coordinator, chair):
    complaint = _acknowledged_complaint(marac, coordinator, chair)
    client = client_for(chair)
    url = f"{BASE}/complaints/{complaint.pk}/investigate/"
    # Someone else saves notes while this chair's page (at version 2) is open.
    records_services.complaint_investigate(complaint=complaint, notes="Called the agency", based_on_version=2, by=chair)

    refused = client.post(url, {"investigation_notes": "Spoke to both parties", "version": 2})
    page = refused.content.decode()
    assert CONFLICT in page
    assert "Called the agency" in page  # what is saved now, on the page
    data = _form_data(refused, url)
    assert data["investigation_notes"] == ["Spoke to both parties"] and data["version"] == ["3"]

    saved = client.post(url, data)
    assert saved.status_code == 302
    assert Complaint.objects.get().investigation_notes == "Spoke to both parties"


def test_a_breach_saved_again_after_a_conflict_is_saved(client_for, marac, coordinator):
    breach = records_services.breach_record(
        marac=marac,
        occurred_on=date(2026, 3, 1),
        reported_on=date(2026, 3, 2),
        agency=None,
        of_what="isa",
        description="Minutes sent to the wrong address",
        by=coordinator,
    )
    records_services.breach_update(
        breach=breach, referred_to_vawg_on=date(2026, 3, 4), outcome="", based_on_version=1, by=coordinator
    )
    client = client_for(coordinator)
    url = f"{BASE}/breaches/{breach.pk}/"
    refused = client.post(url, {"referred_to_vawg_on": "2026-03-04", "outcome": "Apology sent", "version": 1})
    page = refused.content.decode()
    assert CONFLICT in page
    assert 'data-testid="saved-now"' in page and "4 March 2026" in page
    data = _form_data(refused)
    assert data["outcome"] == ["Apology sent"] and data["version"] == ["2"]

    assert client.post(url, data).status_code == 302
    breach = Breach.objects.get()
    assert (breach.referred_to_vawg_on, breach.outcome) == (date(2026, 3, 4), "Apology sent")


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


def test_a_disclosure_decision_made_again_after_a_conflict_is_recorded(client_for, marac, coordinator, chair):
    request = _court_request(marac, coordinator)
    records_services.disclosure_decide(
        request=request, decision="refuse", reason="Not relevant to the proceedings", based_on_version=1, by=chair
    )
    client = client_for(chair)
    url = f"{BASE}/disclosures/{request.pk}/decide/"
    refused = client.post(url, {"chair_decision": "release", "decision_reason": "Relevant after all", "version": 1})
    page = refused.content.decode()
    assert CONFLICT in page and "Not relevant to the proceedings" in page
    data = _form_data(refused, url)
    assert data["chair_decision"] == ["release"] and data["version"] == ["2"]

    assert client.post(url, data).status_code == 302
    assert DisclosureRequest.objects.get().chair_decision == "release"


def test_a_release_recorded_again_after_a_conflict_is_recorded(client_for, marac, coordinator, chair):
    request = _court_request(marac, coordinator)
    records_services.disclosure_decide(
        request=request, decision="release", reason="Relevant", based_on_version=1, by=chair
    )
    # The chair adds to the reasons while the coordinator's page (at version 2) is open.
    records_services.disclosure_decide(
        request=request, decision="release", reason="Relevant to the hearing", based_on_version=2, by=chair
    )
    client = client_for(coordinator)
    url = f"{BASE}/disclosures/{request.pk}/release/"
    refused = client.post(url, {"released_on": "2026-02-10", "redaction_notes": "Third parties removed", "version": 2})
    assert CONFLICT in refused.content.decode()
    data = _form_data(refused, url)
    assert data["redaction_notes"] == ["Third parties removed"] and data["version"] == ["3"]

    assert client.post(url, data).status_code == 302
    assert DisclosureRequest.objects.get().released_on == date(2026, 2, 10)


def test_an_induction_checklist_saved_again_after_a_conflict_is_saved(client_for, marac, coordinator, police_rep):
    induction = records_services.induction_start(marac=marac, user=police_rep, by=coordinator)
    keys = [key for key, _ in records_rules.INDUCTION_ITEMS]
    records_services.induction_update(
        induction=induction, items=keys[:1], today=date(2026, 3, 1), based_on_version=1, by=coordinator
    )
    client = client_for(coordinator)
    url = f"{BASE}/inductions/{induction.pk}/"
    refused = client.post(url, {"items": keys[:2], "version": 1})
    page = refused.content.decode()
    assert CONFLICT in page
    assert 'data-testid="saved-now"' in page and records_rules.INDUCTION_ITEMS[0][1] in page
    data = _form_data(refused)
    assert data["items"] == keys[:2] and data["version"] == ["2"]

    assert client.post(url, data).status_code == 302
    assert InductionRecord.objects.get().completed_items == keys[:2]


def test_an_outsider_finds_no_record_to_conflict_with(client_for, marac, coordinator, chair, outsider):
    complaint = _acknowledged_complaint(marac, coordinator, chair)
    response = client_for(outsider).post(
        f"{BASE}/complaints/{complaint.pk}/investigate/", {"investigation_notes": "Anything", "version": 1}
    )
    assert response.status_code == 404
