"""A contact attempt sent twice (a double click without JavaScript, back and send again) is logged once: the second
goes where the first went (web/once.py), through the real case page."""

import datetime
import re

import pytest
from django.utils import timezone

from referrals.models import ContactAttempt
from referrals.tests.test_followup import case  # noqa: F401 - the fixture: a case accepted through the pages

pytestmark = pytest.mark.django_db


def _contact_token(page):
    form = re.search(r'<form[^>]*action="[^"]*/contact/"[^>]*>(.*?)</form>', page.content.decode(), re.S).group(1)
    return re.search(r'name="once" value="([^"]+)"', form).group(1)


def _attempt(token):
    when = (timezone.localtime() - datetime.timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "contact-attempted_at": when,
        "contact-method": "phone",
        "contact-succeeded": "no",
        "contact-note": "No answer",
        "once": token,
    }


def test_a_contact_attempt_sent_twice_is_logged_once(client_for, idva, case):  # noqa: F811
    client = client_for(idva)
    url = f"/referrals/idva/{case.pk}/contact/"
    data = _attempt(_contact_token(client.get(f"/cases/{case.pk}/")))
    first, second = client.post(url, data), client.post(url, data)

    assert ContactAttempt.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"] == f"/cases/{case.pk}/#idva"
    assert "This was already saved" in client.get(second["Location"]).content.decode()
    # A second attempt, from the page as it is now, is another attempt.
    client.post(url, _attempt(_contact_token(client.get(f"/cases/{case.pk}/"))))
    assert ContactAttempt.objects.count() == 2


def test_a_contact_attempt_corrected_after_an_error_is_logged_once(client_for, idva, case):  # noqa: F811
    client = client_for(idva)
    url = f"/referrals/idva/{case.pk}/contact/"
    token = _contact_token(client.get(f"/cases/{case.pk}/"))
    wrong = client.post(url, _attempt(token) | {"contact-method": ""})
    assert wrong.status_code == 200 and re.search(rf'name="once" value="{re.escape(token)}"', wrong.content.decode())
    client.post(url, _attempt(token))
    client.post(url, _attempt(token))
    assert ContactAttempt.objects.count() == 1


def test_no_one_else_logs_an_attempt(client_for, police_rep, outsider, case):  # noqa: F811
    for user in (police_rep, outsider):
        assert client_for(user).post(f"/referrals/idva/{case.pk}/contact/", _attempt("x" * 20)).status_code == 404
    assert not ContactAttempt.objects.exists()
