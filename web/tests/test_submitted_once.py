"""A create form sent twice (a double click, back and send again) creates once: the second goes where the first
went, saying "This was already saved" (web/once.py), through the real pages and without JavaScript."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from governance.models import AgreementSignature, Breach, Complaint, DisclosureRequest
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from referrals.models import Referral
from testing.factories import AgencyFactory, CaseFactory
from web import once

pytestmark = pytest.mark.django_db

ALREADY = "This was already saved"


def _token(page, action=""):
    """The one-time token of the form on the page (posting to `action`, if given)."""
    html = page.content.decode()
    if action:
        html = re.search(rf'<form[^>]*action="[^"]*{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', html).group(1)


def _followed(client, response):
    return client.get(response["Location"]).content.decode()


def test_a_complaint_sent_twice_is_recorded_once(client_for, coordinator):
    client = client_for(coordinator)
    token = _token(client.get("/governance/records/complaints/add/"))
    data = {"received_on": "2025-12-23", "from_whom": "Housing service", "summary": "Minutes late", "once": token}
    first = client.post("/governance/records/complaints/add/", data)
    second = client.post("/governance/records/complaints/add/", data)

    assert Complaint.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY in _followed(client, second)


def test_a_form_corrected_after_an_error_still_creates_once(client_for, coordinator):
    client = client_for(coordinator)
    token = _token(client.get("/governance/records/complaints/add/"))
    wrong = client.post("/governance/records/complaints/add/", {"from_whom": "Housing service", "once": token})
    assert wrong.status_code == 200 and _token(wrong) == token  # the same token, kept in the page
    data = {"received_on": "2025-12-23", "from_whom": "Housing service", "summary": "Minutes late", "once": token}
    client.post("/governance/records/complaints/add/", data)
    client.post("/governance/records/complaints/add/", data)
    assert Complaint.objects.count() == 1


def test_two_complaints_from_two_fresh_pages_are_two(client_for, coordinator):
    client = client_for(coordinator)
    for summary in ("Minutes late", "Agenda late"):
        token = _token(client.get("/governance/records/complaints/add/"))
        data = {"received_on": "2025-12-23", "from_whom": "Housing service", "summary": summary, "once": token}
        assert client.post("/governance/records/complaints/add/", data).status_code == 302
    assert Complaint.objects.count() == 2


def test_a_breach_sent_twice_is_logged_once(client_for, coordinator):
    client = client_for(coordinator)
    token = _token(client.get("/governance/records/breaches/add/"))
    data = {
        "occurred_on": "2026-05-01",
        "reported_on": "2026-05-02",
        "of_what": "isa",
        "description": "Minutes forwarded outside the agency",
        "once": token,
    }
    first = client.post("/governance/records/breaches/add/", data)
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post("/governance/records/breaches/add/", data)
    assert Breach.objects.count() == 1 and ALREADY in _followed(client, second)


def test_a_court_disclosure_request_sent_twice_is_recorded_once(client_for, coordinator):
    client = client_for(coordinator)
    url = "/governance/records/disclosures/add/court/"
    data = {"requested_by": "Family court", "received_on": "2026-02-01", "once": _token(client.get(url))}
    first, second = client.post(url, data), client.post(url, data)
    assert DisclosureRequest.objects.count() == 1
    assert second["Location"] == first["Location"] and ALREADY in _followed(client, second)


def test_a_signed_agreement_sent_twice_is_recorded_once(client_for, marac, coordinator):
    agency = AgencyFactory(name="Signed Agency")
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    client = client_for(coordinator)
    url = "/governance/records/agreements/add/"
    data = {"agency": agency.pk, "document": "isa", "signed_on": "2026-01-10", "signed_by": "Head of service"}
    data["once"] = _token(client.get(url))
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert AgreementSignature.objects.count() == 1 and ALREADY in _followed(client, second)


def test_a_referral_started_twice_is_one_draft(client_for, referrer):
    client = client_for(referrer)
    token = _token(client.get("/referrals/"), "/referrals/start/")
    first = client.post("/referrals/start/", {"once": token})
    second = client.post("/referrals/start/", {"once": token})
    assert Referral.objects.filter(referrer=referrer).count() == 1
    assert second["Location"] == first["Location"]
    assert ALREADY in _followed(client, second)
    # A new page gives a new token: starting another is still possible.
    client.post("/referrals/start/", {"once": _token(client.get("/referrals/"), "/referrals/start/")})
    assert Referral.objects.filter(referrer=referrer).count() == 2


def test_a_live_action_recorded_twice_is_one_action(client_for, marac, chair, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    housing = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=housing)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    client = client_for(chair)
    url = f"/meetings/{meeting.pk}/live/{listing.pk}/"
    data = {
        "owner_agency": housing.pk,
        "description": "Assess for a management transfer.",
        "for_whom": ForWhom.VICTIM,
        "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "once": _token(client.get(url), "actions/"),
    }
    first = client.post(f"{url}actions/", data)
    assert first.status_code == 302, first.content.decode()[:3000]
    second = client.post(f"{url}actions/", data)
    assert Action.objects.filter(listing=listing, is_standard=False).count() == 1
    assert second["Location"] == first["Location"] == url
    assert ALREADY in _followed(client, second)


def test_the_session_keeps_only_the_most_recent_tokens(client_for, coordinator):
    client = client_for(coordinator)
    first_token = None
    for number in range(once.KEEP + 1):
        token = _token(client.get("/governance/records/complaints/add/"))
        first_token = first_token or token
        data = {"received_on": "2025-12-23", "from_whom": "Service", "summary": f"Complaint {number}", "once": token}
        client.post("/governance/records/complaints/add/", data)
    assert len(client.session[once.SESSION_KEY]) == once.KEEP
    assert first_token not in {token for token, _ in client.session[once.SESSION_KEY]}


def test_a_token_used_in_someone_elses_session_is_not_theirs(client_for, coordinator, chair):
    client = client_for(coordinator)
    token = _token(client.get("/governance/records/complaints/add/"))
    data = {"received_on": "2025-12-23", "from_whom": "Housing service", "summary": "Minutes late", "once": token}
    client.post("/governance/records/complaints/add/", data)
    # Tokens live in each person's own session: the same token from another session is simply a new form.
    chairs = client_for(chair)
    other = chairs.post("/governance/records/complaints/add/", data)
    assert other.status_code == 302 and ALREADY not in _followed(chairs, other)
    assert Complaint.objects.count() == 2


def test_a_start_refused_before_it_created_anything_can_be_sent_again(client_for, referrer):
    """The token is claimed while the request runs (web/once.py); one that created nothing lets it go again."""
    agency = referrer.agency
    referrer.agency = None
    referrer.save(update_fields=["agency"])
    client = client_for(referrer)
    token = _token(client.get("/referrals/"), "/referrals/start/")
    refused = client.post("/referrals/start/", {"once": token})
    assert "Your account has no agency" in _followed(client, refused)
    referrer.agency = agency
    referrer.save(update_fields=["agency"])
    started = client.post("/referrals/start/", {"once": token})
    assert "/referrals/" in started["Location"] and "already" not in _followed(client, started)
    assert Referral.objects.filter(referrer=referrer).count() == 1
