"""The audit trail's "who" filter finds people by their email address and API credentials by their name
(audit/selectors.py audit_events_for_marac): its label and hint say both, so no one thinks a credential cannot be
found, or types a credential's made-up address."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.services import credential_issue
from audit.models import AuditAction
from audit.services import audit_record
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


def _field(page: str) -> str:
    """The actor filter's form group: its label, hint and box."""
    box = page.index('name="actor"')
    return page[page.rindex('<div class="govuk-form-group', 0, box) : box]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def test_the_filter_says_it_finds_a_person_by_address_or_a_credential_by_name(client_for, coordinator):
    field = _field(client_for(coordinator).get("/audit/").content.decode())
    assert "Person&#x27;s email address or API credential name contains" in field
    assert "User&#x27;s email address" not in field
    hint = re.search(r'<div id="id_actor-hint" class="govuk-hint">(.*?)</div>', field, re.S)
    assert hint is not None
    assert _text(hint.group(1)) == "Part of an address or a name is enough, in capitals or not."
    box = client_for(coordinator).get("/audit/").content.decode().split('name="actor"')[1].split(">")[0]
    assert 'aria-describedby="id_actor-hint"' in box  # a screen reader reads the hint with the box


def test_the_filter_does_what_its_label_says(client_for, coordinator, marac, administrator):
    _, token = credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Constabulary Records"),
        name="Nightly case export",
        roles=[Role.COORDINATOR],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=administrator,
    )
    case = CaseFactory(marac=marac)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 200
    audit_record(action=AuditAction.VIEW, obj=case, user=coordinator)
    client = client_for(coordinator)

    by_address = client.get("/audit/", {"actor": "CORA@"}).content.decode().split("<tbody")[1]
    assert "cora@example.invalid" in by_address and "API credential" not in by_address
    by_name = client.get("/audit/", {"actor": "nightly case"}).content.decode().split("<tbody")[1]
    assert "API credential: Nightly case export" in by_name and "cora@example.invalid" not in by_name
