"""After the meeting, through the pages (BD Completion of Actions): the coordinator records an update an agency sent
in, an action an agency cannot complete is resolved by the coordinator or chair, one marked done by mistake is
reopened, and the pages showing one action are audited as readings of its case."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import tracking
from actions.models import ActionStatus
from actions.tests.tracking_data import action_for, case_at, meeting_at
from audit.models import AuditAction, AuditEvent
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.agenda_services import working_calendar
from meetings.models import Listing, MeetingState
from referrals.calendar import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    return Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0710"))


@pytest.fixture
def police_action(listing, police_rep, coordinator, idva, marac):
    # Both agencies are the MARAC's, so the action may be passed from one to the other.
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency)
    MaracAgency.objects.create(marac=marac, agency=idva.agency)
    return action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")


@pytest.fixture
def cannot_complete(police_action, police_rep):
    return tracking.action_cannot_complete(
        action=police_action, reason="The address is outside our force", based_on_version=1, by=police_rep
    )


def _working_day(marac, days=5):
    return add_working_days(timezone.localdate(), days, calendar=working_calendar(marac))


def _saturday_ahead():
    today = timezone.localdate()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


# --- 1. The coordinator records an update an agency sent in -------------------------------------------------------


def test_the_coordinator_can_record_an_agencys_update_from_the_open_actions(client_for, coordinator, police_action):
    client = client_for(coordinator)
    index = client.get(reverse("actions:index")).content.decode()
    done_url = reverse("actions:done", args=[police_action.pk])
    assert f"{done_url}?from=index" in index
    assert f"{reverse('actions:cannot', args=[police_action.pk])}?from=index" in index

    response = client.post(f"{done_url}?from=index", {"completion_note": "Police e-mailed: flag added", "version": 1})

    assert response.status_code == 302 and response["Location"] == reverse("actions:index")
    police_action.refresh_from_db()
    assert (police_action.status, police_action.closed_by) == (ActionStatus.DONE, coordinator)


def test_the_chair_sees_the_open_actions_but_no_update_links(client_for, chair, police_action):
    index = client_for(chair).get(reverse("actions:index")).content.decode()
    assert "Flag the address" in index
    assert reverse("actions:done", args=[police_action.pk]) not in index


def test_the_agency_goes_back_to_its_own_actions(client_for, police_rep, police_action):
    url = f"{reverse('actions:done', args=[police_action.pk])}?from=mine"
    assert f'href="{url}"' in client_for(police_rep).get(reverse("actions:mine")).content.decode()
    response = client_for(police_rep).post(url, {"completion_note": "Flag added", "version": 1})
    assert response["Location"] == reverse("actions:mine")


def test_the_update_page_leads_back_to_the_list_it_came_from(client_for, coordinator, police_action):
    page = client_for(coordinator).get(f"{reverse('actions:cannot', args=[police_action.pk])}?from=index")
    assert f'href="{reverse("actions:index")}">Back to the open actions' in page.content.decode()


# --- 2. An action that cannot be completed: the chair is told, and the resolution is recorded -----------------------


def test_the_coordinator_and_the_chair_are_told_without_case_details(
    client_for, police_rep, police_action, coordinator, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(police_rep).post(
            reverse("actions:cannot", args=[police_action.pk]),
            {"completion_note": "The address is outside our force", "version": 1},
        )
    assert sorted(message.to for message in mail.outbox) == sorted([[coordinator.email], [chair.email]])
    for message in mail.outbox:
        assert reverse("actions:cannot_complete") in message.body
        for personal in ("NB-0710", "Fictionalia", "Flag the address", "outside our force"):
            assert personal not in message.subject + message.body


def test_the_chair_passes_the_action_to_another_agency(
    client_for, chair, idva, cannot_complete, marac, django_capture_on_commit_callbacks
):
    client = client_for(chair)
    listed = client.get(reverse("actions:cannot_complete")).content.decode()
    url = reverse("actions:resolve", args=[cannot_complete.pk])
    assert f'href="{url}"' in listed
    due = _working_day(marac)
    data = {"outcome": "reassign", "agency": idva.agency.pk, "due_on": due.isoformat(), "version": 2,
            "reason": "The IDVA service will visit instead", "referred_to_vawg": "on"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    cannot_complete.refresh_from_db()
    assert (cannot_complete.status, cannot_complete.owner_agency, cannot_complete.due_on) == ("open", idva.agency, due)
    assert cannot_complete.completion_note == "" and cannot_complete.version == 3
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(cannot_complete.pk))
    change = changes.order_by("id").last()
    assert "Passed to another agency" in change.summary
    assert "IDVA service will visit" not in str(change.changes)
    # The IDVA service is told there is an action for it, with no case details, and sees why on its page.
    (told,) = [message for message in mail.outbox if message.to == [idva.email]]
    assert "NB-0710" not in told.body and "Flag the address" not in told.body
    mine = client_for(idva).get(reverse("actions:mine")).content.decode()
    assert "Flag the address" in mine and "The IDVA service will visit instead" in mine
    assert "Referred to the VAWG sub group" in mine
    # And the coordinator sees the history on the open actions, with what the police had said.
    index = client_for(chair).get(reverse("actions:index")).content.decode()
    assert "outside our force" in index and "Passed to another agency" in index


def test_a_new_due_date_must_be_a_working_day(client_for, coordinator, cannot_complete):
    saturday = _saturday_ahead()
    response = client_for(coordinator).post(
        reverse("actions:resolve", args=[cannot_complete.pk]),
        {"outcome": "reopen", "due_on": saturday.isoformat(), "reason": "Agreed a later date", "version": 2},
    )
    assert response.status_code == 200
    assert "The due date must be a working day" in response.content.decode()
    cannot_complete.refresh_from_db()
    assert cannot_complete.status == ActionStatus.CANNOT_COMPLETE


def test_a_new_due_date_cannot_be_in_the_past(client_for, coordinator, cannot_complete):
    response = client_for(coordinator).post(
        reverse("actions:resolve", args=[cannot_complete.pk]),
        {"outcome": "reopen", "due_on": date(2020, 1, 6).isoformat(), "reason": "Agreed", "version": 2},
    )
    assert "The new due date must be today or later" in response.content.decode()


def test_it_is_passed_only_to_another_of_the_marac_s_agencies(client_for, coordinator, cannot_complete, outsider):
    url = reverse("actions:resolve", args=[cannot_complete.pk])
    due = _working_day(cannot_complete.case.marac).isoformat()
    base = {"outcome": "reassign", "due_on": due, "reason": "Someone else", "version": 2}
    for agency in (outsider.agency.pk, cannot_complete.owner_agency_id):
        response = client_for(coordinator).post(url, base | {"agency": agency})
        assert "Select another of this MARAC&#x27;s agencies" in response.content.decode()
    assert "Select the agency taking the action on" in client_for(coordinator).post(url, base).content.decode()


def test_the_coordinator_reopens_it_for_the_same_agency(client_for, coordinator, police_rep, cannot_complete, marac):
    due = _working_day(marac, 10)
    client_for(coordinator).post(
        reverse("actions:resolve", args=[cannot_complete.pk]),
        {"outcome": "reopen", "due_on": due.isoformat(), "reason": "Inspector agreed cover", "version": 2},
    )
    cannot_complete.refresh_from_db()
    assert (cannot_complete.status, cannot_complete.owner_agency, cannot_complete.due_on) == (
        "open", police_rep.agency, due,
    )  # fmt: skip
    assert "Inspector agreed cover" in client_for(police_rep).get(reverse("actions:mine")).content.decode()


def test_the_chair_closes_it_as_not_completed(client_for, chair, cannot_complete):
    client = client_for(chair)
    response = client.post(
        reverse("actions:resolve", args=[cannot_complete.pk]),
        {"outcome": "close", "reason": "No agency can do this", "referred_to_vawg": "on", "version": 2},
    )
    assert response.status_code == 302
    cannot_complete.refresh_from_db()
    assert cannot_complete.status == ActionStatus.NOT_COMPLETED
    assert cannot_complete.completion_note == "The address is outside our force"  # the agency's reason is kept
    page = client.get(reverse("actions:cannot_complete")).content.decode()
    closed = page.split("Closed as not completed", 1)[1]
    assert "NB-0710" in closed and "No agency can do this" in closed and "Referred to the VAWG sub group" in closed
    assert reverse("actions:resolve", args=[cannot_complete.pk]) not in page  # nothing left to resolve


def test_a_stale_resolution_is_refused_and_says_so(client_for, coordinator, chair, cannot_complete):
    url = reverse("actions:resolve", args=[cannot_complete.pk])
    client_for(chair).post(url, {"outcome": "close", "reason": "No agency can do this", "version": 2})
    client = client_for(coordinator)
    response = client.post(url, {"outcome": "close", "reason": "Closing", "version": 2})
    # The page again, with what was typed and what the chair decided (test_update_conflict.py): nothing saved.
    assert response.status_code == 409
    assert "Someone else updated this action" in response.content.decode()
    assert cannot_complete.resolutions.count() == 1

    # Saved by someone else between opening the page and sending it: the version posted is refused.
    with pytest.raises(tracking.StaleAction):
        tracking.action_close_not_completed(
            action=cannot_complete, reason="x", referred_to_vawg=False, based_on_version=2, by=coordinator
        )


def test_the_page_refuses_a_resolution_based_on_an_old_version(client_for, coordinator, cannot_complete):
    response = client_for(coordinator).post(
        reverse("actions:resolve", args=[cannot_complete.pk]), {"outcome": "close", "reason": "Closing", "version": 1}
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    cannot_complete.refresh_from_db()
    assert cannot_complete.status == ActionStatus.CANNOT_COMPLETE


def test_only_the_coordinator_and_chair_may_resolve(client_for, police_rep, idva, outsider, cannot_complete):
    url = reverse("actions:resolve", args=[cannot_complete.pk])
    for user in (police_rep, idva, outsider):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"outcome": "close", "reason": "x", "version": 2}).status_code == 404
    cannot_complete.refresh_from_db()
    assert cannot_complete.status == ActionStatus.CANNOT_COMPLETE


# --- Reopening an action marked done by mistake ---------------------------------------------------------------------


def test_the_coordinator_reopens_an_action_marked_done_by_mistake(client_for, coordinator, police_rep, police_action):
    tracking.action_complete(action=police_action, note="Wrong action ticked", based_on_version=1, by=police_rep)
    client = client_for(coordinator)
    summary = client.get(reverse("actions:summary", args=[police_action.listing.meeting_id])).content.decode()
    url = reverse("actions:reopen_done", args=[police_action.pk])
    assert f'href="{url}"' in summary

    assert "Say why the action is reopened" in client.post(url, {"version": 2}).content.decode()
    response = client.post(url, {"reason": "The police marked the wrong action", "version": 2})

    assert response.status_code == 302
    police_action.refresh_from_db()
    assert (police_action.status, police_action.completion_note, police_action.closed_by) == ("open", "", None)
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(police_action.pk)).order_by("id").last()
    assert "Reopened: marked done by mistake" in event.summary and "wrong action" not in str(event.changes)
    mine = client_for(police_rep).get(reverse("actions:mine")).content.decode()
    assert "Flag the address" in mine and "The police marked the wrong action" in mine


def test_only_the_coordinator_reopens_a_done_action(client_for, chair, police_rep, outsider, police_action):
    tracking.action_complete(action=police_action, note="Done", based_on_version=1, by=police_rep)
    summary = client_for(chair).get(reverse("actions:summary", args=[police_action.listing.meeting_id]))
    url = reverse("actions:reopen_done", args=[police_action.pk])
    assert url not in summary.content.decode()
    for user in (chair, police_rep, outsider):
        assert client_for(user).post(url, {"reason": "x", "version": 2}).status_code == 404
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.DONE


# --- 4. The pages showing one action are audited -------------------------------------------------------------------


def test_opening_the_update_pages_is_audited(client_for, police_rep, police_action):
    client = client_for(police_rep)
    for name in ("actions:done", "actions:cannot"):
        assert client.get(reverse(name, args=[police_action.pk])).status_code == 200
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="actions.action", actor=police_rep)
    assert views.filter(object_id=str(police_action.pk)).count() == 2
    assert all(f"case {police_action.case_id}" in event.summary for event in views)


def test_opening_the_update_page_of_a_restricted_case_records_the_reason(client_for, police_rep, coordinator, marac):
    case = case_at(marac, reference="NB-0711")
    action = action_for(Listing.objects.create(meeting=meeting_at(marac), case=case), police_rep.agency, coordinator)
    case_restrict(case=case, named_users=[police_rep], by=coordinator)
    client = client_for(police_rep)
    client.post(f"/cases/{case.pk}/reason/", {"reason": "Updating our action", "next": "/actions/mine/"})

    assert client.get(reverse("actions:done", args=[action.pk])).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="actions.action", object_id=str(action.pk))
    assert event.changes == {"reason": "Updating our action"}
