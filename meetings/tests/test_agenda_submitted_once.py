"""Calling an emergency MARAC and holding a case over, sent twice (a double click after the first worked): the second
does nothing and lands where the first did, saying "This was already saved" (web/once.py), rather than the error the
service gives for a meeting or hold-over that now exists."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import Listing, Meeting, Outcome
from meetings.tests.test_agenda_pages import _listed, soon
from referrals.calendar import WorkingCalendar, add_working_days
from web import once

__all__ = ["soon"]

pytestmark = pytest.mark.django_db

ALREADY = "This was already saved"
EMERGENCY = "/meetings/emergency/new/"


def _token(page):
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', page.content.decode()).group(1)


def _followed(client, response):
    return client.get(response["Location"]).content.decode()


def test_an_emergency_meeting_called_with_a_double_click_is_called_once(client_for, coordinator, marac):
    client = client_for(coordinator)
    day = add_working_days(timezone.localdate(), 3, calendar=WorkingCalendar())
    data = {"day": day.isoformat(), "at": "16:00", "once": _token(client.get(EMERGENCY))}

    first = client.post(EMERGENCY, data)
    second = client.post(EMERGENCY, data)

    meeting = Meeting.objects.get(marac=marac, is_emergency=True)
    assert first["Location"] == second["Location"] == f"/meetings/{meeting.pk}/"
    page = _followed(client, second)
    assert ALREADY in page
    assert "There is already a meeting of this MARAC at that time" not in page


def test_an_emergency_meeting_confirmed_for_a_sunday_with_a_double_click_is_called_once(client_for, coordinator, marac):
    client = client_for(coordinator)
    sunday = timezone.localdate() + datetime.timedelta(days=7 + (6 - timezone.localdate().weekday()))
    data = {"day": sunday.isoformat(), "at": "16:00", "once": _token(client.get(EMERGENCY))}
    asked = client.post(EMERGENCY, data)
    assert "Call the emergency MARAC anyway" in asked.content.decode()
    assert _token(asked) == data["once"]  # the warning keeps the token: the confirmation creates once too

    confirmed = {**data, "confirmed_day": f"{sunday.isoformat()}T16:00"}
    first, second = client.post(EMERGENCY, confirmed), client.post(EMERGENCY, confirmed)

    assert Meeting.objects.filter(marac=marac, is_emergency=True).count() == 1
    assert first["Location"] == second["Location"] and ALREADY in _followed(client, second)


def test_a_hold_over_sent_with_a_double_click_holds_over_once(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0051")
    url = f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/"
    client = client_for(coordinator)
    data = {"reason": "Police research not complete", "once": _token(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data)

    assert first["Location"] == second["Location"] == f"/meetings/{soon.pk}/"
    page = _followed(client, second)
    assert ALREADY in page
    assert "already has an outcome" not in page
    assert Listing.objects.filter(case=listing.case, held_over_from=soon).count() == 1
    listing.refresh_from_db()
    assert listing.outcome == Outcome.HELD_OVER


def test_a_second_hold_over_from_a_fresh_page_is_still_refused(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0052")
    url = f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/"
    client = client_for(coordinator)
    client.post(url, {"reason": "Police research not complete", "once": _token(client.get(url))})

    again = client.post(url, {"reason": "Again", "once": _token(client.get(url))})

    assert again.status_code == 200 and "already has an outcome" in again.content.decode()
    assert Listing.objects.filter(case=listing.case, held_over_from=soon).count() == 1
