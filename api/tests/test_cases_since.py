"""`GET /api/v1/cases?since=` lists every case whose answer, or whose visibility, changed at or after that time: a
partner system syncing by it must see a victim's corrected name and a case it may see again (docs/api.md, "Lists")."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from cases.models import Case, CaseParty, PartyRole
from cases.restriction_services import case_restrict, case_unrestrict
from people import corrections
from people.models import Ethnicity
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(bearer, issue_token, marac) -> Client:
    """A partner system's credential, holding an agency representative's role at the MARAC."""
    return bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE))


@pytest.fixture
def case(marac) -> Case:
    case = CaseFactory(marac=marac)
    # Last changed two days ago: whatever lists it since a moment ago is the change made in the test.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    return case


def _changed_since(client: Client, since: datetime.datetime) -> dict[str, dict]:
    response = client.get("/api/v1/cases", {"since": since.isoformat()})
    assert response.status_code == 200, response.content
    return {item["reference"]: item for item in response.json()["items"]}


def test_nothing_is_listed_since_a_moment_ago_before_any_change(partner, case):
    assert _changed_since(partner, timezone.now()) == {}


def test_a_victim_s_name_corrected_on_the_correction_page_is_listed_since_with_the_new_name(
    client_for, coordinator, partner, case
):
    since = timezone.now()
    page = client_for(coordinator).get(f"/people/{case.victim_id}/correct/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    victim = case.victim
    response = client_for(coordinator).post(
        f"/people/{victim.pk}/correct/",
        {
            "version": version,
            "given_name": "Correctina",
            "family_name": victim.family_name,
            "description": "",
            "date_of_birth": victim.date_of_birth.isoformat(),
            "gender": victim.gender,
            "is_transgender": "not_known",
            "ethnicity": victim.ethnicity,
        },
    )
    assert response.status_code == 302, response.content.decode()

    listed = _changed_since(partner, since)

    assert list(listed) == [case.reference]
    assert listed[case.reference]["victim"] == f"Correctina {victim.family_name}"


def test_a_perpetrator_s_name_corrected_lists_each_of_their_cases_since(coordinator, partner, marac, case):
    perpetrator = PersonFactory(marac=marac)
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    unrelated = CaseFactory(marac=marac)
    since = timezone.now()
    details = {name: getattr(perpetrator, name) for name in corrections.DETAIL_FIELDS} | {"given_name": "Renamus"}

    corrections.person_correct(
        person=perpetrator, details=details, other_names=[], based_on_version=perpetrator.version, by=coordinator
    )

    assert list(_changed_since(partner, since)) == [case.reference]
    assert unrelated.reference not in _changed_since(partner, since)
    names = [each["name"] for each in partner.get(f"/api/v1/cases/{case.pk}").json()["perpetrators"]]
    assert names == [f"Renamus {perpetrator.family_name}"]


def test_a_correction_no_case_answer_shows_does_not_list_the_case_since(coordinator, partner, case):
    since = timezone.now()
    victim = case.victim
    details = {name: getattr(victim, name) for name in corrections.DETAIL_FIELDS} | {"ethnicity": Ethnicity.MIXED}

    assert corrections.person_correct(
        person=victim, details=details, other_names=[], based_on_version=victim.version, by=coordinator
    )

    assert _changed_since(partner, since) == {}


def test_a_case_whose_restriction_is_lifted_is_listed_since_to_those_who_may_see_it_again(
    coordinator, chair, partner, case
):
    case_restrict(case=case, named_users=[chair], by=coordinator)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1))
    assert partner.get("/api/v1/cases").json()["items"] == []  # not named on it: the partner cannot see it
    since = timezone.now()

    case_unrestrict(case=case, by=coordinator)

    listed = _changed_since(partner, since)
    assert list(listed) == [case.reference] and listed[case.reference]["restricted"] is False


def test_a_case_restricted_is_listed_since_to_the_people_named_on_it(client_for, coordinator, chair, police_rep, case):
    since = timezone.now()

    case_restrict(case=case, named_users=[chair], by=coordinator)

    listed = _changed_since(client_for(chair), since)  # a named person, using the API with their session
    assert list(listed) == [case.reference] and listed[case.reference]["restricted"] is True
    assert _changed_since(client_for(police_rep), since) == {}  # not named: not listed at all


def test_a_person_newly_named_on_a_restricted_case_finds_it_listed_since(
    client_for, coordinator, chair, police_rep, case
):
    case_restrict(case=case, named_users=[chair], by=coordinator)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1))
    since = timezone.now()

    case_restrict(case=case, named_users=[chair, police_rep], by=coordinator)

    assert list(_changed_since(client_for(police_rep), since)) == [case.reference]


def test_a_legal_hold_placed_and_lifted_is_listed_since(partner, coordinator, case):
    from governance.legal_hold_services import legal_hold_lift, legal_hold_place

    since = timezone.now()
    hold = legal_hold_place(case=case, reason="court", note="", by=coordinator)
    assert case.reference in _changed_since(partner, since)

    since = timezone.now()
    legal_hold_lift(hold=hold, by=coordinator)
    assert case.reference in _changed_since(partner, since)
