import pytest

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record, audit_view
from cases.restriction_services import case_restrict
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


def _log(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_views_and_exports_of_the_case_only(client_for, coordinator, police_rep, case, marac):
    other_case = CaseFactory(marac=marac)
    client_for(police_rep).get(f"/cases/{case.pk}/")
    audit_record(action=AuditAction.EXPORT, obj=case, user=police_rep, summary="Family record downloaded")
    audit_view(other_case, user=police_rep, summary="Not about this case")
    page = _log(client_for(coordinator), f"/audit/cases/{case.pk}/")
    assert "pat@example.invalid" in page
    assert "Northbrook Constabulary" in page
    assert "Agency representative" in page  # the role's label, not its code (audit/labels.py)
    assert "Family record downloaded" in page
    assert "Not about this case" not in page
    request_id = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(case.pk), actor=police_rep).request_id
    assert request_id and request_id in page


def test_it_shows_the_newest_entry_first(client_for, coordinator, case):
    audit_view(case, user=coordinator, summary="The first look")
    audit_view(case, user=coordinator, summary="The second look")
    page = _log(client_for(coordinator), f"/audit/cases/{case.pk}/")
    assert page.index("Looked at who has seen this case") < page.index("The second look") < page.index("The first look")


def test_it_pages_a_long_log(client_for, coordinator, case):
    for number in range(55):
        audit_view(case, user=coordinator, summary=f"Look {number}")
    page = _log(client_for(coordinator), f"/audit/cases/{case.pk}/?page=2")
    assert "Page 2 of 2" in page


def test_it_lists_who_has_seen_a_person(client_for, coordinator, idva, case):
    client_for(idva).get(f"/people/{case.victim.pk}/")
    page = _log(client_for(coordinator), f"/audit/people/{case.victim.pk}/")
    assert "ivy@example.invalid" in page


def test_it_is_linked_from_the_case_and_person_pages_for_coordinators_only(client_for, coordinator, idva, case):
    assert f"/audit/cases/{case.pk}/" in _log(client_for(coordinator), f"/cases/{case.pk}/")
    assert f"/audit/people/{case.victim.pk}/" in _log(client_for(coordinator), f"/people/{case.victim.pk}/")
    assert f"/audit/cases/{case.pk}/" not in _log(client_for(idva), f"/cases/{case.pk}/")


@pytest.mark.parametrize("persona", ["outsider", "chair", "idva", "police_rep", "referrer", "no_role_user"])
def test_it_is_not_found_for_anyone_but_a_coordinator_at_the_marac(client_for, request, persona, case):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/audit/cases/{case.pk}/").status_code == 404
    assert client.get(f"/audit/people/{case.victim.pk}/").status_code == 404


def test_it_is_not_found_for_an_idva_here_who_is_a_coordinator_elsewhere(client_for, idva, other_marac, case):
    grant(idva, other_marac, Role.COORDINATOR)
    assert client_for(idva).get(f"/audit/cases/{case.pk}/").status_code == 404


def test_a_restricted_cases_log_is_only_for_named_coordinators(client_for, marac, coordinator, chair, case):
    case_restrict(case=case, named_users=[], by=chair)
    assert client_for(coordinator).get(f"/audit/cases/{case.pk}/").status_code == 404
    assert client_for(coordinator).get(f"/audit/people/{case.victim.pk}/").status_code == 404
    named = grant(UserFactory(), marac, Role.COORDINATOR)
    case_restrict(case=case, named_users=[named], by=chair)
    client = client_for(named)
    assert client.get(f"/audit/cases/{case.pk}/")["Location"].startswith(f"/cases/{case.pk}/reason/")
    client.post(f"/cases/{case.pk}/reason/", {"reason": "Checking who opened it"})
    page = _log(client, f"/audit/cases/{case.pk}/")
    assert "Checking who opened it" in page
