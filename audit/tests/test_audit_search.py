"""The audit trail's search in plain words: record types are chosen from a list of the types the trail holds, by
name ("Case", not "cases.case"); a record is found by its number or, for a case, by its reference; a search that
cannot work says why; and roles are shown by their labels ("Board viewer", not "board_viewer"), though the entries
themselves, append-only, keep their codes."""

import re

import pytest

from accounts.models import PendingRoleGrant, Role
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from cases.models import CaseRestriction
from testing.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"


@pytest.fixture
def trail(marac, coordinator, other_marac):
    """Entries about two cases, a referral and a role grant at Northbrook; one about a meeting at Southmere."""
    first = CaseFactory(marac=marac, reference="NB-2026-0001")
    second = CaseFactory(marac=marac, reference="NB-2026-0002")
    audit_record(action=AuditAction.VIEW, obj=first, user=coordinator, summary="Opened the first case")
    audit_record(action=AuditAction.VIEW, obj=second, user=coordinator, summary="Opened the second case")
    audit_record(
        action=AuditAction.CHANGE,
        object_type="referrals.referral",
        object_id=str(first.pk),  # the same number as the case: the record type tells them apart
        marac_id=marac.pk,
        user=coordinator,
        summary="A referral",
    )
    audit_record(
        action=AuditAction.VIEW,
        object_type="meetings.meeting",
        object_id="7",
        marac_id=other_marac.pk,
        summary="Elsewhere",
    )
    return {"first": first, "second": second}


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return " ".join(found.group(1).split())


def _record_types(page: str) -> dict[str, str]:
    select = page.split('name="object_type"')[1].split("</select>")[0]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def _rows(page: str) -> str:
    return page.split("<tbody")[1].split("</tbody>")[0]


def _count(page: str) -> int:
    found = re.search(r"(\d+) entr(?:y|ies), newest first", page)
    assert found
    return int(found.group(1))


def test_record_types_are_a_list_of_the_types_held_by_plain_name(client_for, coordinator, trail):
    page = client_for(coordinator).get(AUDIT).content.decode()
    types = _record_types(page)
    assert types[""] == "Any record type"
    assert types["cases.case"] == "Case"
    assert types["referrals.referral"] == "Referral"
    assert "meetings.meeting" not in types  # only at another MARAC
    assert "cases.legalhold" not in types  # no entry about one here


def test_choosing_a_record_type_finds_its_entries(client_for, coordinator, trail):
    page = client_for(coordinator).get(AUDIT, {"object_type": "cases.case"}).content.decode()
    assert _count(page) == 2
    rows = _rows(page)
    assert f"Case {trail['first'].pk}" in rows and "cases.case" not in rows
    assert "A referral" not in rows


def test_a_record_type_typed_by_hand_is_refused_with_a_reason(client_for, coordinator, trail):
    page = client_for(coordinator).get(AUDIT, {"object_type": "case"}).content.decode()
    assert _title(page).startswith("Error: ")
    assert "Choose a record type from the list" in page


@pytest.mark.parametrize("typed", ["abc", "12a", "-3", "1.5", "NB-2026"])
def test_a_record_number_that_is_not_one_is_refused_not_silently_empty(client_for, coordinator, trail, typed):
    page = client_for(coordinator).get(AUDIT, {"object_id": typed}).content.decode()
    assert _title(page).startswith("Error: ")
    assert 'class="govuk-error-summary"' in page
    assert "Enter a record number, like 42, or a case reference, like NB-2026-0001" in page


def test_a_record_number_finds_that_record(client_for, coordinator, trail):
    number = trail["second"].pk
    page = client_for(coordinator).get(AUDIT, {"object_type": "cases.case", "object_id": f" {number} "}).content
    rows = _rows(page.decode())
    assert "Opened the second case" in rows and "Opened the first case" not in rows


@pytest.mark.parametrize("typed", ["NB-2026-0001", "nb-2026-0001"])
def test_a_case_reference_finds_the_entries_about_that_case(client_for, coordinator, trail, typed):
    page = client_for(coordinator).get(AUDIT, {"object_id": typed}).content.decode()
    assert not _title(page).startswith("Error")
    rows = _rows(page)
    assert _count(page) == 1
    assert "Opened the first case" in rows and "Opened the second case" not in rows


def test_a_case_reference_with_another_record_type_says_why_it_cannot_work(client_for, coordinator, trail):
    page = client_for(coordinator).get(AUDIT, {"object_type": "referrals.referral", "object_id": "NB-2026-0001"})
    text = page.content.decode()
    assert _title(text).startswith("Error: ")
    assert "A case reference finds entries about the case: choose the record type Case, or any type" in text


def test_an_unknown_or_hidden_case_reference_gets_the_same_answer(client_for, coordinator, marac, administrator):
    hidden = CaseFactory(marac=marac, reference="NB-2026-0099", restricted=True)
    CaseRestriction.objects.create(case=hidden, user=UserFactory(), added_by=administrator)
    audit_record(action=AuditAction.VIEW, obj=hidden, user=administrator, summary="Seen by someone named")
    client = client_for(coordinator)
    for reference in ["NB-2026-0099", "NB-2026-0098"]:
        page = client.get(AUDIT, {"object_id": reference}).content.decode()
        assert _title(page).startswith("Error: ")
        assert f"There is no case with the reference {reference} that you can see at this MARAC" in page


def test_roles_are_shown_by_their_labels_and_the_entries_keep_their_codes(
    client_for, administrator, coordinator, board_viewer, marac
):
    person = UserFactory(full_name="Rita Representative", email="rita@example.invalid")
    client_for(administrator).post(f"/you/users/{person.pk}/roles/", {"role": Role.AGENCY_REPRESENTATIVE})
    waiting = PendingRoleGrant.objects.get(user=person)  # a case role: a second person approves it
    client_for(coordinator).post(f"/you/users/{person.pk}/roles/waiting/{waiting.pk}/approve/")
    audit_record(action=AuditAction.VIEW, obj=marac, user=board_viewer, summary="Looked at the figures")
    page = client_for(coordinator).get(AUDIT).content.decode()
    rows = _rows(page)
    assert f"Granted role Agency representative to user {person.pk}, awaiting approval by a second person" in rows
    assert f"Approved role Agency representative for user {person.pk}, granted by user {administrator.pk}" in rows
    assert "Board viewer" in rows
    assert "agency_representative" not in rows and "board_viewer" not in rows
    stored = AuditEvent.objects.get(object_type="accounts.rolegrant")
    assert stored.summary == (
        f"Approved role agency_representative for user {person.pk}, granted by user {administrator.pk}"
    )
