"""The matching page as a coordinator not named on a restricted case: the people who appear only in that case are
not counted among the people held, and a possible duplicate with someone in it is not counted as waiting, as if the
case did not exist (cases/restriction.py)."""

import pytest

from accounts.models import Role
from cases.models import CaseParty, PartyRole
from cases.restriction_services import case_restrict
from people.tests.matching_fixtures import match_model, trained_model
from people.tests.test_matching_pages import twins
from testing.factories import CaseFactory, PersonFactory, UserFactory, grant

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

MATCHING = "/people/matching/"


@pytest.fixture
def second_coordinator(marac):
    """A coordinator at the same MARAC, named on no restricted case."""
    return grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)


@pytest.fixture
def held(marac, coordinator, police_rep):
    """An open case (victim and perpetrator), and a restricted case whose victim and child are in no other case
    and whose perpetrator is also the open case's."""
    open_case = CaseFactory(marac=marac)
    perpetrator = PersonFactory(marac=marac)
    CaseParty.objects.create(case=open_case, person=perpetrator, role=PartyRole.PERPETRATOR)
    restricted = CaseFactory(marac=marac)
    CaseParty.objects.create(case=restricted, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=restricted, person=PersonFactory(marac=marac), role=PartyRole.CHILD)
    PersonFactory(marac=marac)  # in no case yet (a referral not decided)
    case_restrict(case=restricted, named_users=[police_rep], by=coordinator)
    return restricted


def test_it_leaves_people_only_in_a_restricted_case_out_of_the_count(client_for, coordinator, second_coordinator, held):
    theirs = client_for(second_coordinator).get(MATCHING).content.decode()
    named = client_for(coordinator).get(MATCHING).content.decode()

    # Open case's victim, the perpetrator in both, the person in no case: 3; with the restricted victim and child, 5.
    assert "learns from the 3 people held at this MARAC" in theirs
    assert "learns from the 5 people held at this MARAC" in named


def test_it_does_not_count_a_duplicate_with_someone_in_a_restricted_case_as_waiting(
    client_for, marac, coordinator, second_coordinator, police_rep, match_model
):
    first, _, _ = twins(marac, match_model)
    case_restrict(case=CaseFactory(marac=marac, victim=first), named_users=[police_rep], by=coordinator)

    assert "(1 to review)" in client_for(coordinator).get(MATCHING).content.decode()
    assert "to review)" not in client_for(second_coordinator).get(MATCHING).content.decode()
