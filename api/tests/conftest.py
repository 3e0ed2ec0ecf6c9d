"""Credentials and bearer-token clients for the API tests."""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from api.services import credential_issue
from marac.models import Agency, Marac
from testing.factories import AgencyFactory


@pytest.fixture
def issue_token(administrator: User) -> Callable[..., str]:
    """A new credential's token: issue_token(marac, Role.COORDINATOR, agency=..., days=...)."""

    def issue(marac: Marac, *roles: str, agency: Agency | None = None, days: int = 30) -> str:
        _, token = credential_issue(
            marac=marac,
            agency=agency or AgencyFactory(name=f"Testshire Records System {len(roles)}-{timezone.now().timestamp()}"),
            name=f"Testshire records system {timezone.now().timestamp()}",  # names are unique per MARAC
            roles=list(roles),
            expires_on=timezone.localdate() + datetime.timedelta(days=days),
            by=administrator,
        )
        return token

    return issue


@pytest.fixture
def bearer() -> Callable[[str], Client]:
    def make(token: str) -> Client:
        return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


@pytest.fixture
def coordinator_token(marac: Marac, issue_token: Callable[..., str]) -> str:
    return issue_token(marac, Role.COORDINATOR)
