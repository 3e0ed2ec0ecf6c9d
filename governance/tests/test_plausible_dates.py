"""The registers record what has happened in a MARAC: a date before the first MARAC (1 January 2003) is a typing
slip (1800 for 2018), refused beside its field and by the services whoever calls them (web/dates.py). And the
breach and agreement forms offer only real answers as radios: no "- Select an option -" ticked in advance."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import records_services
from governance.models import AgreementSignature, Breach, Complaint, DisclosureRequest
from governance.records_rules import happened_date_error, record_date_errors, request_released_dates
from governance.records_services import RecordDatesRefused
from marac.models import MaracAgency
from testing.factories import AgencyFactory

BASE = "/governance/records"
TODAY = date(2026, 11, 24)
FIRST = date(2003, 1, 1)

# --- The rule -------------------------------------------------------------------------------------------------------


def test_it_refuses_a_date_before_the_first_marac_naming_the_date():
    assert happened_date_error(date(1800, 1, 1), today=TODAY, what="the complaint was received") == (
        "The date the complaint was received must be 1 January 2003 or later"
    )
    assert happened_date_error(date(2002, 12, 31), today=TODAY, what="the agreement was signed") == (
        "The date the agreement was signed must be 1 January 2003 or later"
    )
    assert happened_date_error(FIRST, today=TODAY, what="the agreement was signed") is None


def test_a_date_before_2003_is_named_before_one_out_of_order():
    errors = record_date_errors(request_released_dates(released_on=date(1800, 1, 1), received_on=FIRST), today=TODAY)
    assert errors == {
        "released_on": "The date the minutes and action plans were released must be 1 January 2003 or later"
    }


@given(value=st.dates(), today=st.dates(min_value=FIRST))
def test_a_happened_date_is_refused_exactly_when_before_2003_or_after_today(value, today):
    error = happened_date_error(value, today=today, what="it happened")
    assert (error is None) == (FIRST <= value <= today)
    if error:
        assert error in {
            "The date it happened must be today or in the past",
            "The date it happened must be 1 January 2003 or later",
        }


# --- The services ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_services_refuse_a_date_in_1800_and_save_nothing(marac, coordinator):
    agency = AgencyFactory()
    with pytest.raises(RecordDatesRefused, match="must be 1 January 2003 or later"):
        records_services.complaint_record(
            marac=marac, received_on=date(1800, 1, 1), from_whom="Housing", summary="Late minutes", by=coordinator
        )
    with pytest.raises(RecordDatesRefused) as refused:
        records_services.signature_record(
            marac=marac, agency=agency, document="isa", signed_on=date(1800, 1, 1), signed_by="Head", by=coordinator
        )
    assert refused.value.errors == {"signed_on": "The date the agreement was signed must be 1 January 2003 or later"}
    with pytest.raises(RecordDatesRefused):
        records_services.disclosure_request_record(
            marac=marac, kind="court", requested_by="Family court", reference="", received_on=date(1800, 1, 1),
            circumstance="", by=coordinator,
        )  # fmt: skip
    assert not Complaint.objects.exists()
    assert not AgreementSignature.objects.exists()
    assert not DisclosureRequest.objects.exists()


# --- Through the pages ----------------------------------------------------------------------------------------------


def _errors_shown(response, message):
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert page.count(message) >= 2, "in the error summary and beside the field"


@pytest.mark.django_db
def test_a_complaint_received_in_1800_is_refused(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/complaints/add/", {"received_on": "1800-01-01", "from_whom": "Housing", "summary": "Late minutes"}
    )
    _errors_shown(response, "The date the complaint was received must be 1 January 2003 or later")
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_disclosure_request_received_in_1800_is_refused(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/disclosures/add/court/", {"requested_by": "Family court", "received_on": "1800-01-01"}
    )
    _errors_shown(response, "The date the written request was received must be 1 January 2003 or later")
    assert not DisclosureRequest.objects.exists()


@pytest.mark.django_db
def test_an_agreement_signed_in_1800_is_refused_and_one_in_2003_recorded(client_for, marac, coordinator):
    agency = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    client = client_for(coordinator)
    signed = {"agency": agency.pk, "document": "isa", "signed_by": "Head of service"}
    _errors_shown(
        client.post(f"{BASE}/agreements/add/", {**signed, "signed_on": "1800-01-01"}),
        "The date the agreement was signed must be 1 January 2003 or later",
    )
    assert not AgreementSignature.objects.exists()
    assert client.post(f"{BASE}/agreements/add/", {**signed, "signed_on": "2003-01-01"}).status_code == 302
    assert AgreementSignature.objects.get().signed_on == FIRST


@pytest.mark.django_db
def test_a_breach_in_1800_is_refused(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/breaches/add/",
        {"occurred_on": "1800-01-01", "reported_on": "2026-05-01", "of_what": "isa", "description": "Forwarded"},
    )
    _errors_shown(response, "The date of the breach must be 1 January 2003 or later")
    assert not Breach.objects.exists()


# --- Radios offer only real answers ---------------------------------------------------------------------------------


def _radios(page: str, name: str) -> list[str]:
    return re.findall(
        rf'<input[^>]*type="radio"[^>]*name="{name}"[^>]*>|<input[^>]*name="{name}"[^>]*type="radio"[^>]*>', page
    )


@pytest.mark.django_db
def test_the_breach_form_offers_what_was_breached_with_nothing_ticked(client_for, marac, coordinator):
    page = client_for(coordinator).get(f"{BASE}/breaches/add/").content.decode()
    radios = _radios(page, "of_what")
    assert len(radios) == 2
    assert all('value=""' not in radio and "checked" not in radio for radio in radios)


@pytest.mark.django_db
def test_a_breach_with_nothing_chosen_says_what_to_choose(client_for, marac, coordinator):
    response = client_for(coordinator).post(
        f"{BASE}/breaches/add/", {"occurred_on": "2026-05-01", "reported_on": "2026-05-01", "description": "Forwarded"}
    )
    _errors_shown(response, "Choose what was breached")
    assert not Breach.objects.exists()


@pytest.mark.django_db
def test_the_agreement_form_offers_the_documents_with_nothing_ticked(client_for, marac, coordinator):
    page = client_for(coordinator).get(f"{BASE}/agreements/add/").content.decode()
    radios = _radios(page, "document")
    assert len(radios) == 2
    assert all('value=""' not in radio and "checked" not in radio for radio in radios)
