"""The new API credential page offers an expiry a year ahead, written as a browser's date box reads it (2026-11-24,
never 24/11/2026, which shows as an empty box): submitting the page as it came keeps that expiry."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from api.models import ApiCredential
from marac.models import MaracAgency
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db
NEW = "/settings/api-credentials/new/"


def test_the_default_expiry_shows_in_the_date_box_and_is_kept_on_submitting(client_for, administrator, marac):
    agency = AgencyFactory(name="Northbrook Constabulary Records")
    MaracAgency.objects.create(marac=marac, agency=agency)
    admin = client_for(administrator)
    a_year_ahead = timezone.localdate() + datetime.timedelta(days=365)

    page = admin.get(NEW).content.decode()
    box = re.search(r'<input type="date" name="expires_on"[^>]*>', page)
    assert box is not None
    assert f'value="{a_year_ahead.isoformat()}"' in box.group(0)
    assert a_year_ahead.strftime("%d/%m/%Y") not in page

    sent = re.search(r'value="([^"]*)"', box.group(0))
    assert sent is not None
    issued = admin.post(
        NEW,
        {"name": "Force records system", "agency": agency.pk, "roles": [Role.AGENCY_REPRESENTATIVE],
         "expires_on": sent.group(1)},
    )  # fmt: skip

    assert issued.status_code == 200
    assert "Enter the expiry date" not in issued.content.decode()
    assert timezone.localtime(ApiCredential.objects.get().expires_at).date() == a_year_ahead
