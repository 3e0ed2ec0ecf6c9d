"""Revoking an API credential tells whoever issued it, by email, that access for an agency's system has changed: a
plain subject, a link to sign in, and nothing about the credential's reason, any case or any person. If the issuer
can no longer be told, the MARAC's coordinators are."""

import pytest
from django.core import mail

from accounts.models import Role, RoleGrant
from api.models import ApiCredential
from api.services import credential_revoke
from testing.factories import CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
BASE = "/settings/api-credentials"
REASON = "Fictoria Mockwell at the constabulary says its records system was compromised"
SUBJECT = "OpenMARAC: access for an agency's system has changed"


@pytest.fixture
def credential(marac, issue_token):
    issue_token(marac, Role.AGENCY_REPRESENTATIVE)
    return ApiCredential.objects.get()


@pytest.fixture
def case(marac):
    victim = PersonFactory(marac=marac, given_name="Imagina", family_name="Pretendson")
    return CaseFactory(marac=marac, victim=victim, reference="NM-2026-0042")


def _assert_nothing_personal(message, *, credential, case, revoked_by):
    text = message.subject + message.body
    for personal in (
        REASON,
        "Fictoria",
        credential.name,
        credential.agency.name,
        case.reference,
        case.victim.given_name,
        case.victim.family_name,
        revoked_by.full_name,
        revoked_by.email,
    ):
        assert personal not in text, personal


def test_the_administrator_who_issued_it_is_told_when_a_coordinator_revokes_it(
    client_for, administrator, coordinator, credential, case, marac, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [administrator.email]
    assert message.subject == SUBJECT
    assert "An API credential that you issued for an agency's system at Northbrook MARAC was revoked" in message.body
    assert f"{BASE}/" in message.body
    _assert_nothing_personal(message, credential=credential, case=case, revoked_by=coordinator)


def test_the_coordinators_are_told_when_whoever_issued_it_has_left_the_marac(
    coordinator, administrator, chair, credential, case, marac, django_capture_on_commit_callbacks
):
    RoleGrant.objects.filter(user=administrator).delete()
    other_admin = _administrator(marac)

    with django_capture_on_commit_callbacks(execute=True):
        credential_revoke(credential=credential, by=other_admin, reason=REASON)

    (message,) = mail.outbox
    assert message.to == [coordinator.email]  # not the chair, not whoever left, not the service account
    assert "An API credential issued by an administrator for an agency's system" in message.body
    _assert_nothing_personal(message, credential=credential, case=case, revoked_by=other_admin)


def test_the_coordinators_are_told_when_whoever_issued_it_is_deactivated(
    coordinator, administrator, credential, case, django_capture_on_commit_callbacks
):
    administrator.is_active = False
    administrator.save()

    with django_capture_on_commit_callbacks(execute=True):
        credential_revoke(credential=credential, by=coordinator, reason=REASON)

    (message,) = mail.outbox
    assert message.to == [coordinator.email]


def test_nothing_is_sent_for_a_refused_or_repeated_revocation(
    client_for, coordinator, credential, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": "   "})  # no reason: refused
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
        client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})  # already revoked: nothing new
    assert len(mail.outbox) == 1


def test_an_outsider_revokes_nothing_and_nobody_is_emailed(
    client_for, outsider, credential, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(outsider).post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
    assert response.status_code == 404
    assert not mail.outbox


def _administrator(marac):
    return grant(UserFactory(full_name="Adam Nother", email="adam@example.invalid"), marac, Role.ADMINISTRATOR)
