"""Restricting a case hides its open actions from every representative not named on it (they could neither see nor
close them): the restriction page says which agencies have open actions on the case, and who of theirs is named."""

import pytest

from actions import tracking
from actions.tests.tracking_data import action_for, case_at, meeting_at
from cases.restriction_services import case_restrict
from meetings.models import Listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_actions(marac, coordinator, police_rep, idva):
    case = case_at(marac, reference="NB-0730")
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case)
    action_for(listing, police_rep.agency, coordinator, description="Flag the address")
    action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence")
    done = action_for(listing, idva.agency, coordinator, description="Offer a safety plan")
    tracking.action_complete(action=done, note="Offered", based_on_version=1, by=idva)
    return case


def _warning(client, case):
    page = client.get(f"/cases/{case.pk}/restriction/").content.decode()
    assert 'data-testid="open-actions-warning"' in page
    return page.split('data-testid="open-actions"', 1)[1].split("</ul>", 1)[0]


def test_it_warns_before_restricting_which_agencies_have_open_actions(client_for, coordinator, case_with_actions):
    listed = _warning(client_for(coordinator), case_with_actions)
    assert "Northbrook Constabulary: 2 open actions" in listed
    assert "Northbrook IDVA Service" not in listed  # its only action is done


def test_once_restricted_it_says_whose_people_are_not_named(client_for, coordinator, police_rep, case_with_actions):
    case_restrict(case=case_with_actions, named_users=[], by=coordinator)
    client = client_for(coordinator)
    client.post(f"/cases/{case_with_actions.pk}/reason/", {"reason": "Checking who is named", "next": "/"})
    assert "Nobody from this agency is named" in _warning(client, case_with_actions)

    case_restrict(case=case_with_actions, named_users=[police_rep], by=coordinator)
    assert f"Named: {police_rep.full_name}" in _warning(client, case_with_actions)


def test_a_case_with_no_open_actions_has_no_warning(client_for, coordinator, marac):
    case = case_at(marac, reference="NB-0731")
    assert "open-actions-warning" not in client_for(coordinator).get(f"/cases/{case.pk}/restriction/").content.decode()
