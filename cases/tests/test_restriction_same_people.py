"""Restricting a case offers to restrict the same people's other cases too (their own records, or records confirmed to
be the same person), so that a victim's address in her other case is not left in sight. Through the real page,
/cases/<id>/restriction/."""

import re

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from cases.models import Case, CaseParty, CaseRestriction, PartyRole
from cases.restriction_services import SamePeopleCaseChanged, case_restrict, case_restrict_with_same_people
from people.models import PersonLink
from testing.factories import AddressFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_a(marac):
    return CaseFactory(marac=marac, reference="NB-0001")


@pytest.fixture
def case_b(marac, coordinator, case_a):
    """The victim of case A, recorded again in case B as another person record, confirmed to be the same person."""
    case = CaseFactory(marac=marac, reference="NB-0002")
    AddressFactory(person=case.victim, line_1="7 Hidden Close")
    low, high = sorted([case_a.victim_id, case.victim_id])
    PersonLink.objects.create(
        marac=marac,
        person_a_id=low,
        person_b_id=high,
        decision=PersonLink.Decision.CONFIRMED,
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    return case


@pytest.fixture
def case_c(marac, case_a):
    """Case A's victim herself (the same record) as another household's member."""
    case = CaseFactory(marac=marac, reference="NB-0003")
    CaseParty.objects.create(case=case, person=case_a.victim, role=PartyRole.HOUSEHOLD_MEMBER)
    return case


def _url(case):
    return f"/cases/{case.pk}/restriction/"


def _hidden(page):
    html = page.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1).replace("&quot;", '"')
        for name in ("version", "based_on")
    }


def test_it_lists_the_same_peoples_other_cases_with_a_warning(client_for, marac, coordinator, case_a, case_b, case_c):
    unrelated = CaseFactory(marac=marac, reference="NB-0009")
    page = client_for(coordinator).get(_url(case_a)).content.decode()

    listed = re.search(r'data-testid="same-people-cases">(.*?)</ul>', page, re.S).group(1)
    assert "NB-0002" in listed and "this case&#x27;s victim, there the victim" in listed
    assert "NB-0003" in listed and "there the other household member" in listed
    assert unrelated.reference not in listed
    warning = re.search(r'data-testid="same-people-warning">(.*?)</div>', page, re.S).group(1)
    assert "2 other cases that are not restricted" in warning
    assert "still sees these people and their details there, addresses included" in warning
    assert f'name="also_restrict" value="{case_b.pk}"' in page


def test_restricting_the_same_peoples_other_case_too_hides_her_address_there(
    client_for, coordinator, idva, police_rep, case_a, case_b, case_c
):
    assert "7 Hidden Close" in client_for(police_rep).get(f"/people/{case_b.victim_id}/").content.decode()
    client = client_for(coordinator)
    page = client.get(_url(case_a))

    response = client.post(
        _url(case_a), _hidden(page) | {"named_users": [idva.pk], "also_restrict": [case_b.pk], "restricted": "yes"}
    )

    assert response.status_code == 302
    case_b.refresh_from_db()
    case_c.refresh_from_db()
    assert case_b.restricted and not case_c.restricted  # only what was ticked
    assert set(CaseRestriction.objects.filter(case=case_b).values_list("user_id", flat=True)) == {
        coordinator.pk,
        idva.pk,
    }
    police = client_for(police_rep)
    assert police.get(f"/people/{case_b.victim_id}/").status_code == 404
    assert police.get(f"/cases/{case_b.pk}/").status_code == 404
    audited = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="cases.case")
    assert {event.object_id for event in audited} == {str(case_a.pk), str(case_b.pk)}
    assert audited.filter(changes__also_restricted_case_ids=[case_b.pk]).exists()


def test_it_leaves_out_a_restricted_case_the_coordinator_is_not_named_on(
    client_for, marac, coordinator, case_a, case_b
):
    restricter = grant(UserFactory(), marac, Role.COORDINATOR)
    case_restrict(case=case_b, named_users=[], by=restricter)

    page = client_for(coordinator).get(_url(case_a)).content.decode()

    assert "NB-0002" not in page
    assert 'data-testid="same-people-cases"' not in page


def test_a_case_restricted_by_someone_else_meanwhile_stops_the_whole_save(
    client_for, marac, coordinator, idva, case_a, case_b
):
    client = client_for(coordinator)
    page = client.get(_url(case_a))
    restricter = grant(UserFactory(), marac, Role.COORDINATOR)
    case_restrict(case=case_b, named_users=[], by=restricter)

    response = client.post(
        _url(case_a), _hidden(page) | {"named_users": [idva.pk], "also_restrict": [case_b.pk], "restricted": "yes"}
    )

    assert response.status_code == 200
    assert "Someone else restricted one of the other cases you chose" in response.content.decode()
    case_a.refresh_from_db()
    assert not case_a.restricted


def test_restricting_the_cases_together_is_all_or_nothing(marac, coordinator, idva, case_a, case_b):
    as_read = Case.objects.get(pk=case_b.pk)  # open, when the page read it
    restricter = grant(UserFactory(), marac, Role.COORDINATOR)
    case_restrict(case=case_b, named_users=[], by=restricter)

    with pytest.raises(SamePeopleCaseChanged):
        case_restrict_with_same_people(case=case_a, named_users=[idva], also=[as_read], by=coordinator)

    case_a.refresh_from_db()
    assert not case_a.restricted
    assert not CaseRestriction.objects.filter(case=case_a).exists()
    assert not AuditEvent.objects.filter(object_type="cases.case", object_id=str(case_a.pk)).exists()
