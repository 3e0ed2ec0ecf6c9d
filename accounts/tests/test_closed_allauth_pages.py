"""allauth's pages OpenMARAC does not offer answer "Page not found": managing one's email addresses (its "re-send
verification" sent allauth's email naming the user), confirming an address, connecting accounts elsewhere. And no
allauth email is sent but the two the service has worded, with no personal data (the reset link, and "no account
for this address"): a page missed, or added by an allauth upgrade, sends nothing."""

from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

CLOSED = ["/accounts/email/", "/accounts/confirm-email/", "/accounts/confirm-email/some-key/", "/accounts/3rdparty/"]
ALLAUTH_TEMPLATES = Path(__import__("allauth").__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", CLOSED)
def test_the_page_is_not_found_signed_in_or_not(client_for, referrer, path):
    for client in (client_for(referrer), Client()):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_re_send_verification_sends_nothing(client_for, referrer):
    response = client_for(referrer).post("/accounts/email/", {"action_send": "", "email": referrer.email})
    assert response.status_code == 404
    assert mail.outbox == []


def test_the_old_address_of_the_connections_page_leads_nowhere(client_for, referrer):
    response = client_for(referrer).get("/accounts/social/connections/", follow=True)
    assert response.status_code == 404


def test_the_identity_providers_error_page_still_answers(db):
    # Where allauth sends someone whose sign-in with their organisation's identity provider failed.
    assert Client().get("/accounts/3rdparty/login/error/").status_code == 401  # allauth's status for it, not 404


def _allauth_emails() -> list[str]:
    """Every email allauth can send, by its template's name: "account/email/email_confirmation" and so on."""
    return sorted(
        str(message.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
        for message in ALLAUTH_TEMPLATES.glob("*/email/*_message.txt")
    )


def test_no_allauth_email_is_sent_but_the_services_own(referrer):
    request = RequestFactory().get("/")
    request.user = referrer
    sent_by_the_service = {"account/email/password_reset_key", "account/email/unknown_account"}
    others = [name for name in _allauth_emails() if name not in sent_by_the_service]
    assert "account/email/email_confirmation" in others and "mfa/email/totp_deactivated" in others
    with context.request_context(request):
        for name in others:
            get_adapter(request).send_mail(name, referrer.email, {"user": referrer, "user_display": "Ruth Referrer"})
    assert mail.outbox == []
