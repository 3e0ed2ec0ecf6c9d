"""The "case list has changed" update and a restricted case: a case added after the list went out changes the list only
for those who may see it. Sending the update for a restricted case goes to the representatives named on it, the page
counts only them, and a coordinator not named on it is told nothing and sends nothing; the meeting's audit entry does
not give the hidden case away. A case held over off the list before the meeting changes it too."""

import pytest
from django.core import mail

from accounts.models import Role
from audit.models import AuditEvent
from cases.restriction_services import case_restrict
from meetings.tests.test_agenda_pages import _agenda_page, _listed
from meetings.tests.test_case_list_changes import UPDATE_BUTTON, emergency, released  # noqa: F401 (fixtures)
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_coordinator(marac, emergency, released):  # noqa: F811 (fixtures)
    """A coordinator at the same MARAC, named on no restricted case, who had the list."""
    user = grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)
    return user


@pytest.fixture
def restricted_added(coordinator, police_rep, emergency, released):  # noqa: F811 (fixtures)
    """After the list went out, a restricted case named to the coordinator and the police representative is added."""
    listing = _listed(emergency, reference="NM-2026-0201", victim="Hiddena")
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    return listing


def _send_update(client, meeting, capture):
    with capture(execute=True):
        return client.post(f"/meetings/{meeting.pk}/case-list/send-update/", follow=True).content.decode()


def test_the_update_for_a_restricted_case_goes_only_to_those_named_on_it(
    client_for,
    coordinator,
    police_rep,
    emergency,  # noqa: F811
    restricted_added,
    django_capture_on_commit_callbacks,
):
    desk = client_for(coordinator)
    page = _agenda_page(desk, emergency)
    assert "1 case was added after the case list was sent" in page
    assert "2 representatives have not had the updated list." in page

    text = _send_update(desk, emergency, django_capture_on_commit_callbacks)

    assert "The updated case list was sent to 2 representatives" in text
    assert sorted(to for message in mail.outbox for to in message.to) == sorted([coordinator.email, police_rep.email])
    for message in mail.outbox:
        assert "NM-2026-0201" not in message.subject + message.body and "Hiddena" not in message.body


def test_a_coordinator_not_named_on_it_is_told_nothing_and_sends_nothing(
    client_for,
    second_coordinator,
    emergency,  # noqa: F811
    restricted_added,
    django_capture_on_commit_callbacks,
):
    # The second coordinator joined after the release: give them the list first, as the page offers.
    client = client_for(second_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/meetings/{emergency.pk}/case-list/release/")
    mail.outbox.clear()

    page = _agenda_page(client, emergency)
    assert "was added after the case list was sent" not in page and UPDATE_BUTTON not in page

    text = _send_update(client, emergency, django_capture_on_commit_callbacks)
    assert "There was nobody to send the updated case list to" in text
    assert not mail.outbox


def test_an_open_case_added_too_goes_to_everyone_counted_as_each_may_see(
    client_for,
    coordinator,
    chair,
    police_rep,
    idva,
    second_coordinator,
    emergency,  # noqa: F811
    released,  # noqa: F811
    restricted_added,
    django_capture_on_commit_callbacks,
):
    _listed(emergency, reference="NM-2026-0202")
    # The second coordinator, not named on the restricted case, sees one case added and the four who had the list.
    page = _agenda_page(client_for(second_coordinator), emergency)
    assert "1 case was added after the case list was sent" in page
    assert "4 representatives have not had the updated list." in page
    named_page = _agenda_page(client_for(coordinator), emergency)
    assert "2 cases were added after the case list was sent" in named_page

    text = _send_update(client_for(second_coordinator), emergency, django_capture_on_commit_callbacks)

    assert "The updated case list was sent to 4 representatives" in text
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(released)


def test_the_meetings_audit_entry_does_not_give_the_restricted_case_away(
    client_for,
    coordinator,
    police_rep,
    emergency,  # noqa: F811
    restricted_added,
    django_capture_on_commit_callbacks,
):
    _send_update(client_for(coordinator), emergency, django_capture_on_commit_callbacks)

    assert not AuditEvent.objects.filter(
        object_type="meetings.meeting", summary__startswith="Sent the changed case list"
    ).exists()
    entry = AuditEvent.objects.get(
        object_type="cases.case", object_id=str(restricted_added.case_id), summary__startswith="Sent"
    )
    assert entry.summary.startswith(f"Sent the changed case list of meeting {emergency.pk} to 2 representatives")
    assert sorted(entry.changes["recipients"]) == sorted([coordinator.pk, police_rep.pk])


def test_a_case_held_over_before_the_meeting_changes_the_list(
    client_for,
    coordinator,
    emergency,  # noqa: F811
    released,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    listing = emergency.listings.get()
    desk = client_for(coordinator)
    desk.post(f"/meetings/{emergency.pk}/listings/{listing.pk}/hold-over/", {"reason": "Police research not complete"})

    page = _agenda_page(desk, emergency)
    assert (
        "1 case was taken off the list (held over, moved to an emergency MARAC or taken off the agenda) after the case "
        "list was sent" in page
    )
    text = _send_update(desk, emergency, django_capture_on_commit_callbacks)
    assert "The updated case list was sent to 4 representatives" in text
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(released)
