"""Feedback sent twice (a double click without JavaScript, back and send again) is one response in the summary,
through the real pages."""

import re

import pytest

from reports.models import FeedbackResponse
from web import once

pytestmark = pytest.mark.django_db

URL = "/reports/quality/feedback/new/victim/"


def _token(page):
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', page.content.decode()).group(1)


def test_it_records_feedback_sent_twice_once(client_for, coordinator):
    client = client_for(coordinator)
    data = {"received_on": "2026-05-01", "score_1": "4", "score_3": "5", "comment": "", "once": _token(client.get(URL))}
    first, second = client.post(URL, data), client.post(URL, data)

    assert FeedbackResponse.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"] == "/reports/quality/feedback/"
    assert "This was already saved" in client.get(second["Location"]).content.decode()
    # Another response from a fresh form is another response.
    client.post(URL, data | {"once": _token(client.get(URL))})
    assert FeedbackResponse.objects.count() == 2


def test_it_keeps_the_token_when_the_feedback_has_a_mistake(client_for, coordinator):
    client = client_for(coordinator)
    token = _token(client.get(URL))
    wrong = client.post(URL, {"score_1": "4", "once": token})
    assert wrong.status_code == 200 and _token(wrong) == token
    data = {"received_on": "2026-05-01", "score_1": "4", "once": token}
    client.post(URL, data)
    client.post(URL, data)
    assert FeedbackResponse.objects.count() == 1


def test_it_records_no_feedback_from_those_who_may_not(client_for, police_rep):
    assert client_for(police_rep).post(URL, {"received_on": "2026-05-01", "score_1": "4"}).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_an_outsiders_feedback_is_their_own_marac_s(client_for, outsider, marac):
    client = client_for(outsider)
    client.post(URL, {"received_on": "2026-05-01", "score_1": "4", "once": _token(client.get(URL))})
    assert not FeedbackResponse.objects.filter(marac=marac).exists()
