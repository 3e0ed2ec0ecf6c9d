"""Retention deleting a restricted case: its restrictions go with it, but the trail's entries about it stay hidden
from everyone who was not named on it (audit/models.py DeletedRestrictedCase): the case's own entries, those about
what was part of it (its listing), and about its people; of a person kept because they are in another case, the
entries from before the deletion only."""

import re
from datetime import date

import pytest

from accounts.models import Role
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseRestriction
from cases.restriction_services import case_restrict
from governance.tests.test_retention import family
from meetings.models import Listing
from people.models import Address, Person
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"
APPLY = "/governance/retention/apply/"


@pytest.fixture
def second_coordinator(marac):
    """A coordinator at the same MARAC, named on no restricted case."""
    return grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)


@pytest.fixture
def deleted(marac, coordinator, police_rep, client_for):
    """A restricted case due for deletion, with entries about it, its listing, its victim and her address, and about
    its perpetrator, who is also in a recent case; then deleted by retention through the page by the coordinator
    named on it. Returns the perpetrator, kept."""
    marac.retention_action = "delete"
    marac.save()
    case = family(marac, coordinator, reference="NB-2019-0001")
    perpetrator = Person.objects.get(given_name="Brutus")
    family(marac, coordinator, heard_on=date(2026, 1, 5), perpetrator=perpetrator, reference="NB-2026-0001")
    case_restrict(case=case, named_users=[police_rep], by=coordinator)
    victim_address = Address.objects.get(person=case.victim)
    for obj, summary in [
        (case, "Looked at the hidden case"),
        (Listing.objects.get(case=case), "Minuted the hidden listing"),
        (case.victim, "Opened the hidden victim"),
        (victim_address, "Changed the hidden address"),
        (perpetrator, "Opened the perpetrator while the hidden case was held"),
    ]:
        audit_record(action=AuditAction.VIEW, obj=obj, marac_id=marac.pk, user=coordinator, summary=summary)

    response = client_for(coordinator).post(APPLY, {"case": [case.pk]})

    assert "Retention applied to 1 case" in response.content.decode()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseRestriction.objects.exists()
    return case.pk, perpetrator


HIDDEN = [
    "Looked at the hidden case",
    "Minuted the hidden listing",
    "Opened the hidden victim",
    "Changed the hidden address",
    "Opened the perpetrator while the hidden case was held",
    "Retention: deleted case",
    "Retention: deleted person",
]


def _count(page: str) -> int:
    found = re.search(r"(\d+) entr(?:y|ies), newest first", page)
    assert found
    return int(found.group(1))


def test_it_keeps_a_deleted_restricted_case_out_of_the_trail_of_those_not_named_on_it(
    client_for, coordinator, police_rep, second_coordinator, deleted
):
    theirs = client_for(second_coordinator).get(AUDIT).content.decode()
    named = client_for(coordinator).get(AUDIT).content.decode()

    for words in HIDDEN:
        assert words in named
        assert words not in theirs
    assert _count(theirs) < _count(named)


def test_it_finds_nothing_for_them_by_the_deleted_case_number(client_for, coordinator, second_coordinator, deleted):
    case_id, _perpetrator = deleted
    search = {"object_id": case_id}

    assert _count(client_for(second_coordinator).get(AUDIT, search).content.decode()) == 0
    assert "Looked at the hidden case" in client_for(coordinator).get(AUDIT, search).content.decode()


def test_entries_about_a_kept_person_after_the_deletion_are_seen_as_any_others(
    client_for, coordinator, second_coordinator, deleted
):
    _case_id, perpetrator = deleted
    audit_record(action=AuditAction.VIEW, obj=perpetrator, user=coordinator, summary="Opened the perpetrator since")

    theirs = client_for(second_coordinator).get(AUDIT).content.decode()

    assert "Opened the perpetrator since" in theirs
    assert "Opened the perpetrator while the hidden case was held" not in theirs
