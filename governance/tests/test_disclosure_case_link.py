"""A request for minutes and action plans names its case (BD Domestic Homicide Reviews): typed by its reference, found
only among the cases the user may see at this MARAC, stored on the request, shown and linked on the request's page
with a nudge to place a legal hold. Linked, the case is in the disclosure register, so retention anonymises it
rather than deleting it."""

import datetime

import pytest

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from cases.models import LegalHold
from cases.restriction_services import case_restrict
from governance.models import DisclosureRequest
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

BASE = "/governance/records/disclosures"
NOT_FOUND = "Enter the reference of a case at this MARAC, as it is shown on the case&#x27;s page"


def _dhr(client, case_reference, circumstance="client_is_victim"):
    return client.post(
        f"{BASE}/add/dhr/",
        {
            "requested_by": "Independent chair of the review panel",
            "reference": "DHR-27-01",
            "received_on": "2026-03-25",
            "circumstance": circumstance,
            "case": case_reference,
        },
    )


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac, reference="NB-2026-0042")


def test_it_links_a_dhr_request_to_the_case_typed_by_its_reference(client_for, coordinator, case):
    response = _dhr(client_for(coordinator), " nb-2026-0042 ")
    request = DisclosureRequest.objects.get()
    assert response.status_code == 302
    assert request.case == case
    event = AuditEvent.objects.get(object_type="governance.disclosurerequest", action=AuditAction.CREATE)
    assert f"about case {case.pk}" in event.summary


def test_the_request_page_shows_and_links_the_case_and_suggests_a_legal_hold(client_for, coordinator, case):
    client = client_for(coordinator)
    _dhr(client, case.reference)
    page = client.get(f"{BASE}/{DisclosureRequest.objects.get().pk}/").content.decode()
    assert f'<a class="govuk-link" href="/cases/{case.pk}/">NB-2026-0042</a>' in page
    assert "There is no legal hold on case NB-2026-0042" in page
    assert f'href="/cases/{case.pk}/#legal-hold">Place a legal hold</a>' in page

    LegalHold.objects.create(case=case, reason="dhr", placed_by=coordinator)
    page = client.get(f"{BASE}/{DisclosureRequest.objects.get().pk}/").content.decode()
    assert "NB-2026-0042" in page and "There is no legal hold" not in page


def test_an_unknown_reference_is_refused_and_nothing_is_recorded(client_for, coordinator, case):
    response = _dhr(client_for(coordinator), "NB-2026-9999")
    assert response.status_code == 200
    assert response.content.decode().count(NOT_FOUND) == 2  # the error summary and beside the field
    assert not DisclosureRequest.objects.exists()


def test_another_maracs_case_gets_the_same_answer_as_an_unknown_one(client_for, coordinator, other_marac):
    CaseFactory(marac=other_marac, reference="SM-2026-0001")
    response = _dhr(client_for(coordinator), "SM-2026-0001")
    assert response.content.decode().count(NOT_FOUND) == 2
    assert not DisclosureRequest.objects.exists()


def test_a_restricted_case_the_user_is_not_named_on_gets_the_same_answer(client_for, marac, coordinator, chair, case):
    named = grant(UserFactory(full_name="Nadia Named"), marac, Role.COORDINATOR)
    case_restrict(case=case, named_users=[named], by=coordinator)

    unknown = _dhr(client_for(chair), "NB-2026-9999").content.decode()
    hidden = _dhr(client_for(chair), case.reference).content.decode()
    assert hidden.count(NOT_FOUND) == 2 and unknown.count(NOT_FOUND) == 2
    assert not DisclosureRequest.objects.exists()

    assert _dhr(client_for(named), case.reference).status_code == 302
    assert DisclosureRequest.objects.get().case == case


def test_the_request_page_does_not_show_a_restricted_case_to_those_not_named_on_it(
    client_for, marac, coordinator, chair, case
):
    named = grant(UserFactory(full_name="Nadia Named"), marac, Role.COORDINATOR)
    case_restrict(case=case, named_users=[named], by=coordinator)
    _dhr(client_for(named), case.reference)
    page = client_for(chair).get(f"{BASE}/{DisclosureRequest.objects.get().pk}/").content.decode()
    assert page.count("NB-2026-0042") == 0 and f"/cases/{case.pk}/" not in page
    assert "legal hold" not in page


def test_in_a_circumstance_that_requires_release_the_case_is_needed(client_for, coordinator):
    response = _dhr(client_for(coordinator), "")
    assert "Enter the MARAC case reference: in these circumstances" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_in_other_circumstances_and_for_a_court_the_case_is_optional(client_for, coordinator, case):
    client = client_for(coordinator)
    assert _dhr(client, "", circumstance="other").status_code == 302
    court = client.post(
        f"{BASE}/add/court/", {"requested_by": "Family court", "received_on": "2026-03-25", "case": case.reference}
    )
    assert court.status_code == 302
    assert sorted((r.kind, r.case_id) for r in DisclosureRequest.objects.all()) == [("court", case.pk), ("dhr", None)]


def test_a_case_named_in_a_request_made_through_the_page_is_anonymised_not_deleted(client_for, marac, coordinator):
    marac.retention_action = "delete"
    marac.save(update_fields=["retention_action"])
    old = CaseFactory(marac=marac, reference="NB-2012-0007", referred_on=datetime.date(2012, 1, 10))
    client = client_for(coordinator)
    before = client.get("/governance/retention/").content.decode()
    assert "Delete:" in before

    _dhr(client, old.reference)
    after = client.get("/governance/retention/").content.decode()
    assert "a disclosure request refers to it, so it is anonymised rather than deleted" in after
