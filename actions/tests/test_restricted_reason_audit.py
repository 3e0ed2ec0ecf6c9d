"""A restricted case's reason goes into the audit entry of every reading of it (cases/restriction.py): the family
record's download and an action read through the API too, not only the case's page."""

import pytest

from actions.tests.tracking_data import action_for, case_at, meeting_at
from audit.models import AuditAction, AuditEvent
from cases.restriction_services import case_restrict
from meetings.models import Listing

pytestmark = pytest.mark.django_db

REASON = "Preparing the police file for Thursday"


@pytest.fixture
def restricted_action(marac, coordinator, police_rep):
    """An action on a restricted case, which the coordinator and the police rep are named on."""
    case = case_at(marac, reference="NB-03300")
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case)
    action = action_for(listing, police_rep.agency, coordinator, description="Flag the address")
    case_restrict(case=case, named_users=[coordinator, police_rep], by=coordinator)
    return action


def _with_reason(client, case):
    client.post(f"/cases/{case.pk}/reason/", {"reason": REASON, "next": f"/cases/{case.pk}/"})
    return client


def test_the_family_record_download_records_the_reason(client_for, coordinator, restricted_action):
    case = restricted_action.case
    response = _with_reason(client_for(coordinator), case).get(f"/actions/cases/{case.pk}/record.docx")

    assert response.status_code == 200
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="cases.case", object_id=str(case.pk))
    assert export.changes == {"reason": REASON}


def test_the_family_record_of_an_open_case_records_no_reason(client_for, coordinator, marac):
    case = case_at(marac, reference="NB-03301")
    assert client_for(coordinator).get(f"/actions/cases/{case.pk}/record.docx").status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(case.pk)).changes == {}


def test_the_family_record_asks_for_a_reason_first(client_for, coordinator, restricted_action):
    case = restricted_action.case
    response = client_for(coordinator).get(f"/actions/cases/{case.pk}/record.docx")

    assert response.status_code == 302
    assert response["Location"].startswith(f"/cases/{case.pk}/reason/")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_reading_an_action_through_the_api_records_the_reason(client_for, police_rep, restricted_action):
    client = _with_reason(client_for(police_rep), restricted_action.case)
    response = client.get(f"/api/v1/actions/{restricted_action.pk}")

    assert response.status_code == 200
    read = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type="actions.action", object_id=str(restricted_action.pk)
    )
    assert read.changes == {"reason": REASON}


def test_the_outsider_gets_a_404_and_no_entry(client_for, outsider, restricted_action):
    client = client_for(outsider)
    assert client.get(f"/actions/cases/{restricted_action.case_id}/record.docx").status_code == 404
    assert client.get(f"/api/v1/actions/{restricted_action.pk}").status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exists()
