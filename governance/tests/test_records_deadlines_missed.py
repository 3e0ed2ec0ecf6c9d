"""A register's deadline met late stays late once it is met (a complaint acknowledged after its 5 working days, a
response sent after the date promised, minutes released after their 10 working days, a protocol review after its
year); and the index of the registers counts the same overdue things as the chair's home page, with the protocol
review's due date beside "Overdue"."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from governance import records_rules, records_services
from governance.models import Complaint, DisclosureRequest
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

BASE = "/governance/records"


# --- The rule -------------------------------------------------------------------------------------------------------


def test_it_calls_a_deadline_met_after_its_day_late_and_one_met_on_the_day_not():
    assert records_rules.done_late(done_on=date(2026, 5, 20), due_on=date(2026, 5, 11))
    assert not records_rules.done_late(done_on=date(2026, 5, 11), due_on=date(2026, 5, 11))
    assert not records_rules.done_late(done_on=None, due_on=date(2026, 5, 11))
    assert not records_rules.done_late(done_on=date(2026, 5, 20), due_on=None)


def test_it_lists_each_complaint_deadline_met_late_and_none_met_in_time():
    missed = records_rules.complaint_deadlines_missed(
        acknowledge_by=date(2026, 5, 11),
        acknowledged_on=date(2026, 5, 20),
        response_promised_by=date(2026, 6, 19),
        resolved_on=date(2026, 6, 19),
        vawg_acknowledge_by=date(2026, 7, 1),
        vawg_acknowledged_on=date(2026, 7, 2),
    )
    assert missed == [
        records_rules.MissedDeadline("Acknowledged late", date(2026, 5, 11)),
        records_rules.MissedDeadline("Acknowledged late by the VAWG chair", date(2026, 7, 1)),
    ]


def test_a_review_is_late_against_the_day_the_review_before_it_set():
    reviews = [
        (date(2024, 3, 1), date(2025, 3, 1)),
        (date(2025, 6, 2), date(2026, 6, 2)),
        (date(2026, 5, 1), date(2027, 5, 1)),
    ]
    missed = records_rules.protocol_reviews_missed(reviews)
    assert missed == [None, records_rules.MissedDeadline("Reviewed late", date(2025, 3, 1)), None]


# --- The pages ------------------------------------------------------------------------------------------------------


def _complaint(client_for, coordinator, received_on="2026-05-01"):
    client_for(coordinator).post(
        f"{BASE}/complaints/add/", {"received_on": received_on, "from_whom": "Housing service", "summary": "Late"}
    )
    return Complaint.objects.latest("pk")


def test_a_complaint_acknowledged_late_says_so_on_the_list_and_its_page(client_for, marac, coordinator, chair):
    complaint = _complaint(client_for, coordinator)
    assert complaint.acknowledge_by == date(2026, 5, 11)  # 5 working days, over the early May bank holiday
    client = client_for(chair)
    client.post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2026-05-20", "response_promised_by": "2026-06-05", "version": 1},
    )
    listing = client.get(f"{BASE}/complaints/").content.decode()
    assert "Acknowledged late (due 11 May 2026)" in listing
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Acknowledged late (due 11 May 2026)" in page

    client.post(f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-06-10", "version": 2})
    page = client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "Chair&#x27;s response sent late (due 5 June 2026)" in page
    assert "Acknowledged late (due 11 May 2026)" in page


def test_a_complaint_acknowledged_in_time_shows_no_missed_deadline(client_for, marac, coordinator, chair):
    complaint = _complaint(client_for, coordinator)
    client = client_for(chair)
    client.post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2026-05-11", "response_promised_by": "2026-06-05", "version": 1},
    )
    assert "late (due" not in client.get(f"{BASE}/complaints/").content.decode()
    assert "Deadlines missed" not in client.get(f"{BASE}/complaints/{complaint.pk}/").content.decode()


def test_minutes_released_late_say_so_on_the_list_and_the_request_page(client_for, marac, coordinator):
    request = records_services.disclosure_request_record(
        marac=marac,
        kind="dhr",
        requested_by="Review panel",
        reference="",
        received_on=date(2026, 5, 1),
        circumstance="client_is_victim",
        case=CaseFactory(marac=marac),
        by=coordinator,
    )
    due = f"{request.due_on.day} {request.due_on:%b %Y}"
    client = client_for(coordinator)
    client.post(
        f"{BASE}/disclosures/{request.pk}/release/",
        {"released_on": "2026-06-30", "redaction_notes": "", "version": request.version},
    )
    assert DisclosureRequest.objects.get().released_on == date(2026, 6, 30)
    assert f"Released late (due {due})" in client.get(f"{BASE}/disclosures/").content.decode()
    page = client.get(f"{BASE}/disclosures/{request.pk}/").content.decode()
    assert f"Released late (due {request.due_on.day} {request.due_on:%B %Y})" in page


def test_a_protocol_review_recorded_after_its_year_says_so(client_for, marac, coordinator):
    client = client_for(coordinator)
    for reviewed_on in ("2024-03-01", "2025-06-02"):
        client.post(f"{BASE}/reviews/", {"reviewed_on": reviewed_on, "notes": ""})
    assert "Reviewed late (due 1 Mar 2025)" in client.get(f"{BASE}/reviews/").content.decode()


def test_the_index_counts_the_overdue_things_the_home_page_counts(client_for, marac, coordinator, chair):
    today = timezone.localdate()
    for days_ago in (40, 50):
        complaint = records_services.complaint_record(
            marac=marac, received_on=today - timedelta(days=days_ago), from_whom="Housing", summary="Late", by=chair
        )
        records_services.complaint_acknowledge(
            complaint=complaint,
            acknowledged_on=complaint.received_on,
            response_promised_by=today - timedelta(days=2),
            based_on_version=complaint.version,
            by=chair,
        )
    records_services.complaint_record(
        marac=marac, received_on=today - timedelta(days=30), from_whom="Probation", summary="Late", by=chair
    )
    home = client_for(chair).get("/").content.decode()
    assert "2 complaints to respond to</a>" in home and "1 complaint to acknowledge</a>" in home
    index = client_for(chair).get(f"{BASE}/").content.decode()
    assert "3 open" in index
    assert "1 not acknowledged in time" in index
    assert "2 not responded to by the date promised" in index


def test_an_overdue_protocol_review_shows_the_day_it_was_due(client_for, marac, coordinator):
    client = client_for(coordinator)
    client.post(f"{BASE}/reviews/", {"reviewed_on": "2024-03-01", "notes": ""})
    index = client.get(f"{BASE}/").content.decode()
    assert "Overdue</strong> it was due by 1 March 2025" in index
    reviews = client.get(f"{BASE}/reviews/").content.decode()
    assert "Overdue</strong> It was due by 1 March 2025." in reviews
    home = client_for(coordinator).get("/").content.decode()
    assert "The annual review of the MARAC protocol is overdue: it was due by 1 March 2025" in home
