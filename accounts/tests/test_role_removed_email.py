"""Removing a role from someone emails them that their access has changed: which role at which MARAC, a link to sign
in, and nothing else: no case, no person, not who removed it. A refused removal sends nothing."""

import pytest
from django.core import mail

from accounts.models import Role, RoleGrant
from accounts.services import RoleChangeRefused, role_revoke
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db
SUBJECT = "OpenMARAC: your access has changed"


@pytest.fixture
def case(marac):
    victim = PersonFactory(marac=marac, given_name="Pretendra", family_name="Dummelworth")
    return CaseFactory(marac=marac, victim=victim, reference="NM-2026-0007")


def test_the_person_is_told_their_role_was_removed_without_personal_data(
    client_for, coordinator, police_rep, case, marac, settings, django_capture_on_commit_callbacks
):
    settings.OPENMARAC_SITE_URL = "http://localhost:8000"
    grant = RoleGrant.objects.get(user=police_rep, marac=marac)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"/you/users/{police_rep.pk}/roles/{grant.pk}/remove/")

    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    (message,) = mail.outbox
    assert message.to == [police_rep.email]
    assert message.subject == SUBJECT
    assert "Your role Agency representative at Northbrook MARAC was removed on" in message.body
    assert message.body.rstrip().endswith("http://localhost:8000/")  # where to sign in, and nothing more
    text = message.subject + message.body
    for personal in (
        case.reference,
        case.victim.given_name,
        case.victim.family_name,
        coordinator.full_name,
        coordinator.email,
        police_rep.full_name,
    ):
        assert personal not in text, personal


def test_a_refused_removal_sends_nothing(coordinator, administrator, marac, django_capture_on_commit_callbacks):
    grant = RoleGrant.objects.get(user=administrator, marac=marac, role=Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RoleChangeRefused):
        role_revoke(grant=grant, by=coordinator)
    assert not mail.outbox
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_a_deactivated_person_is_not_emailed(administrator, idva, marac, django_capture_on_commit_callbacks):
    idva.is_active = False
    idva.save()
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(grant=RoleGrant.objects.get(user=idva, marac=marac), by=administrator)
    assert not mail.outbox


def test_an_api_credential_s_service_account_is_not_emailed(
    administrator, coordinator, marac, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from api.services import credential_issue
    from testing.factories import AgencyFactory

    credential, _ = credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Records Office"),
        name="Northbrook records system",
        roles=[Role.BOARD_VIEWER],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=administrator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(grant=RoleGrant.objects.get(user=credential.service_user), by=administrator)
    assert not mail.outbox


def test_the_role_is_removed_even_when_the_mail_server_cannot_be_reached(
    client_for, coordinator, police_rep, marac, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    settings.EMAIL_USE_TLS = False
    grant = RoleGrant.objects.get(user=police_rep, marac=marac)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"/you/users/{police_rep.pk}/roles/{grant.pk}/remove/")

    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
