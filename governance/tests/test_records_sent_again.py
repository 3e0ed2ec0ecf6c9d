"""The registers take a form sent twice calmly, keep free text to a long text's limit, and keep a breach's referral to
the VAWG sub group once recorded.

- A protocol review sent twice (a double click, back and send again) is recorded once.
- A chair who goes back to a complaint form they already sent and sends it again is told it was already saved, not
  that someone else changed the record.
- Free text is kept to web.text.LONG_TEXT_MAX, as minutes and research are.
- A breach's referral date can be corrected, never cleared."""

from datetime import date

import pytest

from governance import records_services
from governance.models import Breach, Complaint, ComplaintStatus, ProtocolReview
from web import once
from web.text import LONG_TEXT_MAX

pytestmark = pytest.mark.django_db

BASE = "/governance/records"
SOMEONE_ELSE = "Someone else changed this record"


def _token(page):
    marker = f'name="{once.FIELD}" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


# --- Sent twice -----------------------------------------------------------------------------------------------------


def test_a_protocol_review_sent_twice_is_recorded_once(client_for, coordinator):
    client = client_for(coordinator)
    token = _token(client.get(f"{BASE}/reviews/").content.decode())
    sent = {"reviewed_on": "2026-03-01", "notes": "Reviewed at the March sub group", once.FIELD: token}
    first, second = client.post(f"{BASE}/reviews/", sent), client.post(f"{BASE}/reviews/", sent, follow=True)
    assert first.status_code == 302
    assert ProtocolReview.objects.count() == 1
    assert once.ALREADY_SAVED in second.content.decode()


def _complaint(marac, coordinator):
    return records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late", by=coordinator
    )


def _sent_again(client, url, data):
    """The form sent, then sent again as it was (back, then send): the second answer, followed."""
    assert client.post(url, data).status_code == 302
    return client.post(url, data, follow=True).content.decode()


def test_an_acknowledgement_sent_again_is_said_to_be_saved_already(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    page = _sent_again(
        client_for(chair),
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2025-12-24", "response_promised_by": "2026-01-23", "version": 1},
    )
    assert once.ALREADY_SAVED in page and SOMEONE_ELSE not in page
    assert Complaint.objects.get().version == 2


def test_a_response_and_an_escalation_sent_again_are_said_to_be_saved_already(client_for, marac, coordinator, chair):
    complaint = records_services.complaint_acknowledge(
        complaint=_complaint(marac, coordinator), acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )
    client = client_for(chair)
    page = _sent_again(
        client, f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-01-08", "version": 2}
    )
    assert once.ALREADY_SAVED in page and SOMEONE_ELSE not in page

    escalation = {"escalated_on": "2026-01-12", "escalation_reason": "Not satisfied", "version": 3}
    page = _sent_again(client, f"{BASE}/complaints/{complaint.pk}/escalate/", escalation)
    assert once.ALREADY_SAVED in page and SOMEONE_ELSE not in page
    assert "Complaint received 23 December 2025" in page  # back on the complaint's page

    page = _sent_again(
        client,
        f"{BASE}/complaints/{complaint.pk}/vawg-acknowledge/",
        {"vawg_acknowledged_on": "2026-01-14", "version": 4},
    )
    assert once.ALREADY_SAVED in page and SOMEONE_ELSE not in page
    outcome = {"vawg_responded_on": "2026-01-20", "vawg_outcome": "Upheld in part", "version": 5}
    page = _sent_again(client, f"{BASE}/complaints/{complaint.pk}/vawg-outcome/", outcome)
    assert once.ALREADY_SAVED in page and SOMEONE_ELSE not in page
    complaint.refresh_from_db()
    assert (complaint.status, complaint.version) == (ComplaintStatus.VAWG_RESPONDED, 6)


def test_a_stale_form_with_other_values_is_still_refused(client_for, marac, coordinator, chair):
    complaint = _complaint(marac, coordinator)
    client = client_for(chair)
    url = f"{BASE}/complaints/{complaint.pk}/acknowledge/"
    client.post(url, {"acknowledged_on": "2025-12-24", "response_promised_by": "2026-01-23", "version": 1})
    page = client.post(url, {"acknowledged_on": "2025-12-29", "response_promised_by": "2026-01-23", "version": 1})
    assert once.ALREADY_SAVED not in page.content.decode()
    assert Complaint.objects.get().acknowledged_on == date(2025, 12, 24)


# --- Long text ------------------------------------------------------------------------------------------------------


def test_a_complaint_summary_is_kept_to_a_long_texts_limit(client_for, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/complaints/add/",
        {"received_on": "2025-12-23", "from_whom": "Housing", "summary": "x" * 200_000},
    )
    assert response.status_code == 200
    assert f"must be {LONG_TEXT_MAX:,} characters or fewer" in response.content.decode()
    assert not Complaint.objects.exists()
    form = client_for(coordinator).get(f"{BASE}/complaints/add/").content.decode()
    assert f'maxlength="{LONG_TEXT_MAX}"' in form


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("breaches/add/", {"occurred_on": "2026-03-01", "reported_on": "2026-03-02", "of_what": "isa"}),
        ("reviews/", {"reviewed_on": "2026-03-01"}),
    ],
)
def test_other_registers_keep_their_text_to_the_limit(client_for, coordinator, path, data):
    field = "description" if path.startswith("breaches") else "notes"
    response = client_for(coordinator).post(f"{BASE}/{path}", {**data, field: "x" * (LONG_TEXT_MAX + 1)})
    assert f"must be {LONG_TEXT_MAX:,} characters or fewer" in response.content.decode()
    assert not Breach.objects.exists() and not ProtocolReview.objects.exists()


def test_text_at_the_limit_is_kept(client_for, coordinator):
    client_for(coordinator).post(
        f"{BASE}/complaints/add/", {"received_on": "2025-12-23", "from_whom": "Housing", "summary": "x" * LONG_TEXT_MAX}
    )
    assert len(Complaint.objects.get().summary) == LONG_TEXT_MAX


# --- A breach's referral --------------------------------------------------------------------------------------------


@pytest.fixture
def referred_breach(marac, coordinator):
    breach = records_services.breach_record(
        marac=marac,
        occurred_on=date(2026, 3, 1),
        reported_on=date(2026, 3, 2),
        agency=None,
        of_what="isa",
        description="Minutes sent to the wrong address",
        by=coordinator,
    )
    return records_services.breach_update(
        breach=breach, referred_to_vawg_on=date(2026, 3, 5), outcome="", based_on_version=1, by=coordinator
    )


def test_a_recorded_referral_cannot_be_cleared(client_for, coordinator, referred_breach):
    response = client_for(coordinator).post(
        f"{BASE}/breaches/{referred_breach.pk}/", {"referred_to_vawg_on": "", "outcome": "Apology", "version": 2}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be removed once recorded" in page
    referred_breach.refresh_from_db()
    assert (referred_breach.referred_to_vawg_on, referred_breach.outcome) == (date(2026, 3, 5), "")


def test_a_recorded_referral_can_be_corrected(client_for, coordinator, referred_breach):
    client_for(coordinator).post(
        f"{BASE}/breaches/{referred_breach.pk}/", {"referred_to_vawg_on": "2026-03-06", "outcome": "", "version": 2}
    )
    referred_breach.refresh_from_db()
    assert referred_breach.referred_to_vawg_on == date(2026, 3, 6)


def test_the_service_refuses_clearing_it_too(coordinator, referred_breach):
    with pytest.raises(records_services.RecordDatesRefused):
        records_services.breach_update(
            breach=referred_breach, referred_to_vawg_on=None, outcome="", based_on_version=2, by=coordinator
        )
    referred_breach.refresh_from_db()
    assert referred_breach.referred_to_vawg_on == date(2026, 3, 5)


def test_a_breach_not_yet_referred_can_be_saved_without_a_date(client_for, marac, coordinator):
    breach = records_services.breach_record(
        marac=marac,
        occurred_on=date(2026, 3, 1),
        reported_on=date(2026, 3, 2),
        agency=None,
        of_what="isa",
        description="Minutes sent to the wrong address",
        by=coordinator,
    )
    client_for(coordinator).post(
        f"{BASE}/breaches/{breach.pk}/", {"referred_to_vawg_on": "", "outcome": "Looking into it", "version": 1}
    )
    breach.refresh_from_db()
    assert (breach.referred_to_vawg_on, breach.outcome) == (None, "Looking into it")
