import pytest
from django.core import mail

from accounts.models import RoleGrant, User
from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_user_who_is_emailed_a_link_without_personal_details(client_for, administrator, marac):
    agency = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=agency)
    response = client_for(administrator).post(
        "/you/users/new/", {"full_name": "Petra Probation", "email": "Petra@Example.invalid", "agency": agency.pk}
    )
    user = User.objects.get(email="petra@example.invalid")
    assert response["Location"] == f"/you/users/{user.pk}/roles/"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "Petra Probation" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(object_type="accounts.user", action="create").exists()


def test_an_administrator_grants_and_removes_a_role_and_both_are_audited(client_for, administrator, marac):
    person = User.objects.create_user("rita@example.invalid", full_name="Rita Representative")
    client = client_for(administrator)
    client.post(f"/you/users/{person.pk}/roles/", {"role": "board_viewer"})
    grant = RoleGrant.objects.get(user=person, marac=marac)
    client.post(f"/you/users/{person.pk}/roles/{grant.pk}/remove/")
    assert not RoleGrant.objects.filter(user=person).exists()
    actions = list(AuditEvent.objects.filter(object_type="accounts.rolegrant").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete"]


def test_an_administrator_cannot_manage_a_user_of_another_marac(client_for, administrator, outsider):
    response = client_for(administrator).post(f"/you/users/{outsider.pk}/roles/", {"role": "coordinator"})
    assert response.status_code == 404
    assert outsider.role_grants.count() == 1
