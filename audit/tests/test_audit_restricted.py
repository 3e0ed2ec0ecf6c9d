"""The audit trail of a restricted case is seen only by the users named on it: to a second coordinator who is not,
its entries, and those about what belongs to it (its listings, actions, research) and about the people in it, are
not listed, counted or offered as a record type, as if the case did not exist (cases/restriction.py)."""

import re

import pytest

from accounts.models import Role
from actions.tests.tracking_data import action_for, case_at, meeting_at
from audit.models import AuditAction
from audit.services import audit_record
from cases.restriction_services import case_restrict
from meetings.models import Listing
from testing.factories import PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"
REASON = "Preparing the research for the meeting"


@pytest.fixture
def second_coordinator(marac):
    """A coordinator at the same MARAC, named on no restricted case."""
    return grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)


@pytest.fixture
def open_case(marac, coordinator):
    case = case_at(marac, reference="NB-2026-0001")
    audit_record(action=AuditAction.VIEW, obj=case, user=coordinator, summary="Opened the open case")
    return case


@pytest.fixture
def restricted(marac, coordinator, police_rep, client_for, open_case):
    """A case restricted to the coordinator and the police rep, with a listing, an action, a person only in it, and
    the coordinator's opening of it through the page (with the reason)."""
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-2026-0002"))
    case = listing.case
    action = action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence")
    audit_record(action=AuditAction.CREATE, obj=listing, user=coordinator, summary="Listed the hidden case")
    audit_record(action=AuditAction.CHANGE, obj=action, user=coordinator, summary="Changed the hidden action")
    audit_record(action=AuditAction.VIEW, obj=case.victim, user=coordinator, summary="Opened the hidden victim")
    case_restrict(case=case, named_users=[police_rep], by=coordinator)
    client = client_for(coordinator)
    client.post(f"/cases/{case.pk}/reason/", {"reason": REASON, "next": f"/cases/{case.pk}/"})
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    return case


HIDDEN = [
    "Restricted case",
    "Opened restricted case; reason given",
    "Listed the hidden case",
    "Changed the hidden action",
    "Opened the hidden victim",
]


def _count(page: str) -> int:
    found = re.search(r"(\d+) entr(?:y|ies), newest first", page)
    assert found
    return int(found.group(1))


def _record_types(page: str) -> set[str]:
    select = page.split('name="object_type"')[1].split("</select>")[0]
    return set(re.findall(r'<option value="([^"]*)"', select))


def test_it_leaves_the_restricted_case_out_of_the_whole_trail(client_for, coordinator, second_coordinator, restricted):
    theirs = client_for(second_coordinator).get(AUDIT).content.decode()
    named = client_for(coordinator).get(AUDIT).content.decode()

    assert "Opened the open case" in theirs
    for words in HIDDEN:
        assert words in named
        assert words not in theirs
    # The count is of the entries listed, not of the whole trail.
    assert _count(theirs) == theirs.split("<tbody")[1].count("<tr") < _count(named)


def test_it_finds_nothing_by_the_restricted_case_s_number(client_for, coordinator, second_coordinator, restricted):
    client = client_for(second_coordinator)
    for query in ({"object_id": restricted.pk}, {"object_type": "cases.case", "object_id": restricted.pk}):
        page = client.get(AUDIT, query).content.decode()
        assert _count(page) == 0
        assert "Restricted case" not in page and REASON not in page
    named = client_for(coordinator).get(AUDIT, {"object_type": "cases.case", "object_id": restricted.pk})
    assert "Opened restricted case; reason given" in named.content.decode()


def test_it_does_not_offer_record_types_only_a_restricted_case_holds(
    client_for, coordinator, second_coordinator, restricted
):
    theirs = _record_types(client_for(second_coordinator).get(AUDIT).content.decode())
    named = _record_types(client_for(coordinator).get(AUDIT).content.decode())

    assert {"actions.action", "meetings.listing", "people.person"} <= named
    assert not {"actions.action", "meetings.listing", "people.person"} & theirs
    assert "cases.case" in theirs  # the open case's entries are still there


def test_a_person_also_in_an_open_case_is_hidden_as_their_record_is(
    client_for, marac, coordinator, second_coordinator, restricted, open_case
):
    # The person gate (people/selectors.py) hides a person in any restricted case the user is not named on.
    open_case.parties.create(person=restricted.victim, role="perpetrator")
    page = client_for(second_coordinator).get(AUDIT).content.decode()
    assert "Opened the hidden victim" not in page


def test_a_person_in_no_restricted_case_is_listed(client_for, marac, coordinator, second_coordinator, restricted):
    audit_record(action=AuditAction.VIEW, obj=PersonFactory(marac=marac), user=coordinator, summary="Opened someone")
    assert "Opened someone" in client_for(second_coordinator).get(AUDIT).content.decode()


@pytest.mark.parametrize("reference", ["NB-2026-0002", "NB-2026-9999"])
def test_an_unknown_or_hidden_case_reference_says_so_and_lists_nothing(
    client_for, second_coordinator, restricted, reference
):
    page = client_for(second_coordinator).get(AUDIT, {"object_id": reference}).content.decode()

    assert f"There is no case with the reference {reference} that you can see at this MARAC" in page
    assert "No entries are shown until the filter is corrected" in page
    assert "Opened the open case" not in page
    assert "entries, newest first" not in page


def test_the_named_coordinator_finds_the_case_by_its_reference(client_for, coordinator, restricted):
    page = client_for(coordinator).get(AUDIT, {"object_id": "NB-2026-0002"}).content.decode()
    assert "Opened restricted case; reason given" in page and "Opened the open case" not in page
