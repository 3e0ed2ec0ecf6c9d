"""An observer agreed twice by a double submit (no JavaScript to stop the second click) is agreed once, and one agreed
in error can be taken off the register before the meeting starts, through the real register page."""

import datetime
import re

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Attendance, AttendanceCapacity, Meeting, MeetingState
from web import once

pytestmark = pytest.mark.django_db

ALREADY = "This was already saved"


@pytest.fixture
def meeting(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _observer_token(page):
    form = re.search(r'<form[^>]*action="[^"]*/register/observers/"[^>]*>(.*?)</form>', page.content.decode(), re.S)
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', form.group(1)).group(1)


def _observers(meeting):
    return Attendance.objects.filter(meeting=meeting, capacity=AttendanceCapacity.OBSERVER)


def test_it_agrees_an_observer_sent_twice_once(client_for, coordinator, meeting):
    client = client_for(coordinator)
    url = f"/meetings/{meeting.pk}/register/observers/"
    data = {
        "observer_name": "Olive Observer",
        "observer_organisation": "Elsewhere MARAC",
        "once": _observer_token(client.get(f"/meetings/{meeting.pk}/register/")),
    }
    first, second = client.post(url, data), client.post(url, data)

    assert _observers(meeting).count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY in client.get(second["Location"]).content.decode()
    # The place it would have taken is still free: a second observer from a fresh page is agreed.
    data |= {
        "observer_name": "Oscar Onlooker",
        "once": _observer_token(client.get(f"/meetings/{meeting.pk}/register/")),
    }
    assert client.post(url, data).status_code == 302
    assert _observers(meeting).count() == 2


def test_it_keeps_the_token_on_an_observer_form_with_errors(client_for, coordinator, meeting):
    client = client_for(coordinator)
    url = f"/meetings/{meeting.pk}/register/observers/"
    token = _observer_token(client.get(f"/meetings/{meeting.pk}/register/"))
    wrong = client.post(url, {"observer_name": "Olive Observer", "once": token})
    assert wrong.status_code == 200 and _observer_token(wrong) == token
    data = {"observer_name": "Olive Observer", "observer_organisation": "Elsewhere MARAC", "once": token}
    client.post(url, data)
    client.post(url, data)
    assert _observers(meeting).count() == 1


def test_it_removes_an_observer_agreed_in_error_and_audits_it(client_for, coordinator, meeting):
    client = client_for(coordinator)
    client.post(
        f"/meetings/{meeting.pk}/register/observers/",
        {"observer_name": "Wrong Person", "observer_organisation": "Elsewhere MARAC"},
    )
    observer = _observers(meeting).get()
    page = client.get(f"/meetings/{meeting.pk}/register/").content.decode()
    remove = f"/meetings/{meeting.pk}/register/observers/{observer.pk}/remove/"
    assert remove in page

    removed = client.post(remove)
    assert removed.status_code == 302
    assert "Observer removed from the register" in client.get(removed["Location"]).content.decode()
    assert not _observers(meeting).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(observer.pk))
    assert event.actor_id == coordinator.pk and "Wrong Person" not in event.summary
    # Sent again (a double click): nothing more to remove, and no error page.
    again = client.post(remove)
    assert again.status_code == 302 and "already been removed" in client.get(again["Location"]).content.decode()


def test_it_keeps_observers_once_the_meeting_has_started(client_for, coordinator, chair, meeting):
    client = client_for(coordinator)
    client.post(
        f"/meetings/{meeting.pk}/register/observers/",
        {"observer_name": "Olive Observer", "observer_organisation": "Elsewhere MARAC"},
    )
    observer = _observers(meeting).get()
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    assert "/remove/" not in client.get(f"/meetings/{meeting.pk}/register/").content.decode()
    refused = client.post(f"/meetings/{meeting.pk}/register/observers/{observer.pk}/remove/")
    assert "observers on its register stay on it" in client.get(refused["Location"]).content.decode()
    assert _observers(meeting).count() == 1


def test_it_lets_only_those_who_manage_the_register_remove_an_observer(client_for, coordinator, outsider, meeting):
    client_for(coordinator).post(
        f"/meetings/{meeting.pk}/register/observers/",
        {"observer_name": "Olive Observer", "observer_organisation": "Elsewhere MARAC"},
    )
    observer = _observers(meeting).get()
    response = client_for(outsider).post(f"/meetings/{meeting.pk}/register/observers/{observer.pk}/remove/")
    assert response.status_code in (403, 404)
    assert _observers(meeting).count() == 1
