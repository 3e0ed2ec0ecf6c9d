"""Whose role was removed is recorded in the audit entry's changes, and that is what lists someone under "No current
role" on the users page; entries written before then name the user only in their summary, and still count."""

import pytest

from accounts.models import Role, RoleGrant
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"
NO_CURRENT_ROLE = "No current role"


@pytest.fixture
def leaver(marac):
    """Rhys, whose agency is a member of Northbrook, an IDVA there until his role is removed."""
    agency = AgencyFactory(name="Northbrook Refuge")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return grant(UserFactory(full_name="Rhys Returner", email="rhys@example.invalid", agency=agency), marac, Role.IDVA)


def _removed_without_the_pages(leaver, marac, administrator, *, summary, changes=None):
    """A removal recorded as some other version of role_revoke recorded it."""
    held = RoleGrant.objects.get(user=leaver, marac=marac)
    audit_record(action=AuditAction.DELETE, obj=held, user=administrator, summary=summary, changes=changes)
    held.delete()


def _no_current_role(client):
    page = client.get(USERS).content.decode()
    return page.split(NO_CURRENT_ROLE, 1)[1] if NO_CURRENT_ROLE in page else ""


def test_removing_a_role_records_whose_it_was(client_for, administrator, leaver, marac):
    held = RoleGrant.objects.get(user=leaver, marac=marac)
    desk = client_for(administrator)
    desk.post(f"{USERS}{leaver.pk}/roles/{held.pk}/remove/")

    entry = AuditEvent.objects.get(object_type="accounts.rolegrant", action=AuditAction.DELETE, object_id=str(held.pk))
    assert entry.changes == {"user_id": leaver.pk}
    assert "Rhys Returner" in _no_current_role(desk)


def test_it_lists_someone_by_the_entry_s_changes_whatever_its_summary_says(client_for, administrator, leaver, marac):
    _removed_without_the_pages(
        leaver, marac, administrator, summary="Removed role idva", changes={"user_id": leaver.pk}
    )
    assert "Rhys Returner" in _no_current_role(client_for(administrator))


def test_it_still_reads_an_older_entry_that_names_them_only_in_its_summary(client_for, administrator, leaver, marac):
    _removed_without_the_pages(leaver, marac, administrator, summary=f"Removed role idva from user {leaver.pk}")
    assert "Rhys Returner" in _no_current_role(client_for(administrator))


def test_an_outsider_does_not_get_the_users_page(client_for, outsider, administrator, leaver, marac):
    _removed_without_the_pages(
        leaver, marac, administrator, summary="Removed role idva", changes={"user_id": leaver.pk}
    )
    assert "Rhys Returner" not in client_for(outsider).get(USERS).content.decode()
