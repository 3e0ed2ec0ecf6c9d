"""The legal hold form through the real pages, without JavaScript: sent twice it places one hold, and a mistake in it
comes back on its own page with the error by the field and the note as typed."""

import re

import pytest

from cases.models import LegalHold
from testing.factories import CaseFactory
from web import once

pytestmark = pytest.mark.django_db

ALREADY = "This was already saved"


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


def _hold_token(page):
    html = page.content.decode()
    form = re.search(r'<form[^>]*action="[^"]*/legal-hold/"[^>]*>(.*?)</form>', html, re.S).group(1)
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', form).group(1)


def test_it_places_one_hold_when_the_form_is_sent_twice(client_for, chair, case):
    client = client_for(chair)
    url = f"/governance/cases/{case.pk}/legal-hold/"
    data = {"reason": "dhr", "note": "DHR 2026/1", "once": _hold_token(client.get(f"/cases/{case.pk}/"))}
    first, second = client.post(url, data), client.post(url, data)

    assert LegalHold.objects.filter(case=case).count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"] == f"/cases/{case.pk}/#legal-hold"
    assert ALREADY in client.get(second["Location"]).content.decode()
    # Lifting the one hold frees the case.
    client.post(f"{url}{LegalHold.objects.get(case=case).pk}/lift/")
    assert "A legal hold is in place" not in client.get(f"/cases/{case.pk}/").content.decode()


def test_it_keeps_the_note_and_shows_the_error_by_the_reason(client_for, chair, case):
    client = client_for(chair)
    token = _hold_token(client.get(f"/cases/{case.pk}/"))
    url = f"/governance/cases/{case.pk}/legal-hold/"
    response = client.post(url, {"note": "Court ref FD26P00123", "once": token})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "<title>Error: Place a legal hold" in page
    assert 'href="#id_reason_0">Choose why the case must be kept</a>' in page
    assert 'value="Court ref FD26P00123"' in page
    assert not LegalHold.objects.exists()
    # Corrected and sent (twice), the hold is placed once, with the note that was kept.
    data = {"reason": "court", "note": "Court ref FD26P00123", "once": _hold_token(response)}
    client.post(url, data)
    client.post(url, data)
    assert LegalHold.objects.get(case=case).note == "Court ref FD26P00123"


def test_it_shows_the_form_page_to_no_one_else(client_for, police_rep, outsider, case):
    for user in (police_rep, outsider):
        response = client_for(user).post(f"/governance/cases/{case.pk}/legal-hold/", {"note": "Anything"})
        assert response.status_code == 404
