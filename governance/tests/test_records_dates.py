"""Dates in the governance registers record what has happened: never after today, never before what they follow."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from governance import records_services
from governance.models import Breach, Complaint, ComplaintStatus, DisclosureRequest, ProtocolReview
from governance.records_rules import date_order_error, happened_date_error

BASE = "/governance/records"
TODAY = date(2026, 11, 24)


# --- The rules ------------------------------------------------------------------------------------------------------


def test_it_accepts_today_and_the_past():
    assert happened_date_error(TODAY, today=TODAY, what="the complaint was received") is None
    assert happened_date_error(date(2026, 11, 23), today=TODAY, what="the complaint was received") is None
    assert happened_date_error(None, today=TODAY, what="the complaint was received") is None


def test_it_refuses_a_date_after_today_naming_the_date():
    assert (
        happened_date_error(date(2028, 1, 1), today=TODAY, what="the complaint was received")
        == "The date the complaint was received must be today or in the past"
    )
    assert happened_date_error(date(2026, 11, 25), today=TODAY, what="of the breach") == (
        "The date of the breach must be today or in the past"
    )


def test_it_refuses_a_date_before_the_one_it_follows():
    assert (
        date_order_error(
            date(2026, 3, 1),
            earlier=date(2026, 3, 2),
            what="the chair's response was sent",
            earlier_what="the complaint was acknowledged",
        )
        == "The date the chair's response was sent must be the same as or after the date the complaint was acknowledged"
    )
    assert date_order_error(date(2026, 3, 2), earlier=date(2026, 3, 2), what="a", earlier_what="b") is None
    assert date_order_error(None, earlier=date(2026, 3, 2), what="a", earlier_what="b") is None
    assert date_order_error(date(2026, 3, 2), earlier=None, what="a", earlier_what="b") is None


# From the first MARAC (2003): a date before it is refused too (governance/tests/test_plausible_dates.py).
@given(value=st.dates(min_value=date(2003, 1, 1)), today=st.dates(min_value=date(2003, 1, 1)))
def test_a_happened_date_is_refused_exactly_when_it_is_after_today(value, today):
    error = happened_date_error(value, today=today, what="it happened")
    assert (error is not None) == (value > today)
    if error:
        assert error.startswith("The date it happened must")


@given(value=st.dates(), earlier=st.dates())
def test_an_ordered_date_is_refused_exactly_when_it_comes_first(value, earlier):
    error = date_order_error(value, earlier=earlier, what="a", earlier_what="b")
    assert (error is not None) == (value < earlier)


# --- Through the pages ----------------------------------------------------------------------------------------------


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _errors_shown(response, message):
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert page.count(message) >= 2, "in the error summary and beside the field"


@pytest.mark.django_db
def test_it_refuses_a_complaint_received_in_the_future(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/complaints/add/",
        {"received_on": "2028-01-01", "from_whom": "Housing service", "summary": "Minutes arrived late"},
    )
    _errors_shown(response, "The date the complaint was received must be today or in the past")
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_it_names_each_missing_complaint_field(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/complaints/add/", {"received_on": "", "from_whom": "", "summary": ""}
    )
    page = response.content.decode()
    for message in ("Enter the date the complaint was received", "Enter who complained", "Enter what the complaint is"):
        assert message in page
    assert "This field is required" not in page
    assert "<title>Error: Record a complaint" in page


@pytest.mark.django_db
def test_it_refuses_a_dhr_request_received_in_the_future(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/disclosures/add/dhr/",
        {"requested_by": "Independent chair", "received_on": _tomorrow(), "circumstance": "client_is_victim"},
    )
    _errors_shown(response, "The date the written request was received must be today or in the past")
    assert not DisclosureRequest.objects.exists()


@pytest.mark.django_db
def test_it_names_what_is_missing_from_a_court_request(client_for, marac, coordinator):
    page = (
        client_for(coordinator)
        .post(f"{BASE}/disclosures/add/court/", {"requested_by": "", "received_on": ""})
        .content.decode()
    )
    assert "Enter who is asking" in page and "Enter the date the written request was received" in page
    assert "This field is required" not in page


@pytest.mark.django_db
def test_the_chair_cannot_acknowledge_before_receipt_or_in_the_future(client_for, marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    client = client_for(chair)
    url = f"{BASE}/complaints/{complaint.pk}/acknowledge/"
    early = client.post(url, {"acknowledged_on": "2026-03-09", "version": 1})
    _errors_shown(
        early,
        "The date the complaint was acknowledged must be the same as or after the date the complaint was received",
    )
    _errors_shown(
        client.post(url, {"acknowledged_on": _tomorrow(), "version": 1}),
        "The date the complaint was acknowledged must be today or in the past",
    )
    missing = client.post(url, {"version": 1}).content.decode()
    assert "Enter the date the complaint was acknowledged" in missing
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED and complaint.acknowledged_on is None


@pytest.mark.django_db
def test_the_chair_cannot_resolve_before_acknowledging(client_for, marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    client = client_for(chair)
    client.post(
        f"{BASE}/complaints/{complaint.pk}/acknowledge/",
        {"acknowledged_on": "2026-03-12", "response_promised_by": "2026-03-31", "version": 1},
    )
    response = client.post(f"{BASE}/complaints/{complaint.pk}/resolve/", {"resolved_on": "2026-03-11", "version": 2})
    _errors_shown(
        response,
        "The date the chair&#x27;s response was sent must be the same as or after the date the complaint was "
        "acknowledged",
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED and complaint.resolved_on is None


@pytest.mark.django_db
def test_breach_dates_must_have_happened_and_be_in_order(client_for, marac, coordinator):
    client = client_for(coordinator)
    response = client.post(
        f"{BASE}/breaches/add/",
        {"occurred_on": _tomorrow(), "reported_on": "2026-05-01", "of_what": "isa", "description": "Forwarded"},
    )
    _errors_shown(response, "The date of the breach must be today or in the past")
    response = client.post(
        f"{BASE}/breaches/add/",
        {"occurred_on": "2026-05-02", "reported_on": "2026-05-01", "of_what": "isa", "description": "Forwarded"},
    )
    _errors_shown(response, "The date the breach was reported must be the same as or after the date of the breach")
    assert "Choose what was breached" in client.post(f"{BASE}/breaches/add/", {"description": ""}).content.decode()
    assert not Breach.objects.exists()

    breach = records_services.breach_record(
        marac=marac, occurred_on=date(2026, 5, 1), reported_on=date(2026, 5, 2), agency=None, of_what="isa",
        description="A breach", by=coordinator,
    )  # fmt: skip
    refer = client.post(f"{BASE}/breaches/{breach.pk}/", {"referred_to_vawg_on": _tomorrow(), "version": 1})
    _errors_shown(refer, "The date the breach was referred to the VAWG sub group must be today or in the past")
    breach.refresh_from_db()
    assert breach.referred_to_vawg_on is None


@pytest.mark.django_db
def test_a_release_cannot_be_dated_before_the_request_or_after_today(client_for, marac, coordinator):
    request = records_services.disclosure_request_record(
        marac=marac, kind="dhr", requested_by="Panel chair", reference="", received_on=date(2026, 3, 25),
        circumstance="client_is_victim", by=coordinator,
    )  # fmt: skip
    client = client_for(coordinator)
    url = f"{BASE}/disclosures/{request.pk}/release/"
    _errors_shown(
        client.post(url, {"released_on": "2026-03-24", "version": 1}),
        "The date the minutes and action plans were released must be the same as or after the date the written "
        "request was received",
    )
    _errors_shown(
        client.post(url, {"released_on": _tomorrow(), "version": 1}),
        "The date the minutes and action plans were released must be today or in the past",
    )
    request.refresh_from_db()
    assert request.released_on is None


@pytest.mark.django_db
def test_signatures_and_reviews_cannot_be_dated_in_the_future(client_for, marac, coordinator, chair):
    signature = client_for(coordinator).post(f"{BASE}/agreements/add/", {"signed_on": _tomorrow()}).content.decode()
    assert "The date the agreement was signed must be today or in the past" in signature
    assert "Choose the agency that signed" in signature and "Enter who signed for the agency" in signature
    review = client_for(chair).post(f"{BASE}/reviews/", {"reviewed_on": _tomorrow()})
    _errors_shown(review, "The date the VAWG sub group reviewed the protocol must be today or in the past")
    assert not ProtocolReview.objects.exists()


@pytest.mark.django_db
def test_record_pages_say_which_record_they_show(client_for, marac, coordinator):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    page = client_for(coordinator).get(f"{BASE}/complaints/{complaint.pk}/").content.decode()
    assert "<title>Complaint received 10 March 2026: complaints" in page
