"""An action on a restricted case goes only to an agency with someone named on the case: anyone else would never see
it, could not mark it done and would not be chased for it (actions/services.py agency_not_named_on_case). Refused,
saying what to do, when the coordinator passes it on and when it is recorded at the meeting, on the pages and through
the API, with nothing saved."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import tracking
from actions.models import Action, ActionStatus, ForWhom
from actions.services import AgencyNotNamedOnCase, action_record
from actions.tests.tracking_data import action_for, case_at, meeting_at
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.agenda_services import working_calendar
from meetings.models import Attendance, AttendanceCapacity, Listing, MeetingState, MeetingStatus
from referrals.calendar import add_working_days

pytestmark = pytest.mark.django_db

REASON = "Resolving the action the police cannot complete"


@pytest.fixture
def listing(marac, police_rep, idva):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency)
    MaracAgency.objects.create(marac=marac, agency=idva.agency)
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    return Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0740"))


@pytest.fixture
def cannot_complete(listing, police_rep, coordinator):
    """The police cannot complete an action on a case restricted to the coordinator and the police rep: the IDVA
    service has no one named on it."""
    action = action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence")
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    return tracking.action_cannot_complete(
        action=action, reason="The address is outside our force", based_on_version=1, by=police_rep
    )


def _given_a_reason(client, case_id):
    client.post(f"/cases/{case_id}/reason/", {"reason": REASON, "next": f"/cases/{case_id}/"})
    return client


def _pass_to(client, action, agency, marac):
    due = add_working_days(timezone.localdate(), 5, calendar=working_calendar(marac))
    data = {"outcome": "reassign", "agency": agency.pk, "due_on": due.isoformat(), "version": action.version,
            "reason": "The IDVA service will visit instead"}  # fmt: skip
    return client.post(reverse("actions:resolve", args=[action.pk]), data)


def _refusal(agency):
    return f"{agency.name} cannot be given this action: the case is restricted and no one from {agency.name} is named"


def test_it_refuses_to_pass_it_to_an_agency_no_one_of_which_is_named_on_the_case(
    client_for, coordinator, police_rep, idva, cannot_complete, marac, django_capture_on_commit_callbacks
):
    client = _given_a_reason(client_for(coordinator), cannot_complete.case_id)
    page = client.get(reverse("actions:resolve", args=[cannot_complete.pk])).content.decode()
    assert "only an agency with someone named on it can be given the action" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = _pass_to(client, cannot_complete, idva.agency, marac)

    assert response.status_code == 200
    page = response.content.decode()
    assert _refusal(idva.agency) in page
    assert "Name someone from Northbrook IDVA Service on the case&#x27;s restriction first" in page
    assert "or choose another agency" in page
    assert "The IDVA service will visit instead" in page  # what they typed is kept
    cannot_complete.refresh_from_db()
    assert (cannot_complete.status, cannot_complete.owner_agency) == (ActionStatus.CANNOT_COMPLETE, police_rep.agency)
    assert not cannot_complete.resolutions.exists()
    assert mail.outbox == []


def test_once_someone_from_the_agency_is_named_it_can_be_passed_to_it(
    client_for, coordinator, police_rep, idva, cannot_complete, marac
):
    case_restrict(case=cannot_complete.case, named_users=[police_rep, idva], by=coordinator)
    client = _given_a_reason(client_for(coordinator), cannot_complete.case_id)

    response = _pass_to(client, cannot_complete, idva.agency, marac)

    assert response.status_code == 302
    cannot_complete.refresh_from_db()
    assert (cannot_complete.status, cannot_complete.owner_agency) == (ActionStatus.OPEN, idva.agency)


def test_the_service_refuses_it_too(coordinator, idva, cannot_complete, marac):
    # There is no API to pass an action on: the service is what any other caller would use.
    due = add_working_days(timezone.localdate(), 5, calendar=working_calendar(marac))
    with pytest.raises(tracking.AgencyNotNamedOnCase, match="Name someone from Northbrook IDVA Service"):
        tracking.action_reassign(action=cannot_complete, owner_agency=idva.agency, due_on=due, reason="x",
                                 referred_to_vawg=False, based_on_version=2, by=coordinator)  # fmt: skip
    cannot_complete.refresh_from_db()
    assert cannot_complete.status == ActionStatus.CANNOT_COMPLETE


def test_an_unrestricted_case_s_action_goes_to_any_of_the_marac_s_agencies(
    client_for, coordinator, police_rep, idva, listing, marac
):
    action = action_for(listing, police_rep.agency, coordinator)
    action = tracking.action_cannot_complete(action=action, reason="x", based_on_version=1, by=police_rep)
    assert _pass_to(client_for(coordinator), action, idva.agency, marac).status_code == 302


# --- Recording an action at the meeting through the API -------------------------------------------------------------


def test_the_api_refuses_an_action_for_an_agency_not_named_on_the_restricted_case(
    client_for, coordinator, police_rep, idva, listing
):
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    Attendance.objects.create(meeting=listing.meeting, user=coordinator, capacity=AttendanceCapacity.REPRESENTATIVE,
                              confidentiality_signed_at=timezone.now())  # fmt: skip
    MeetingState.objects.filter(meeting=listing.meeting).update(status=MeetingStatus.IN_PROGRESS)
    client = _given_a_reason(client_for(coordinator), listing.case_id)
    url = f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/actions"
    meeting_day = timezone.localtime(listing.meeting.starts_at).date()
    due = max(meeting_day, timezone.localdate()) + timedelta(days=14)
    due = add_working_days(due, 1, calendar=working_calendar(listing.meeting.marac))
    body = {"owner_agency_id": idva.agency_id, "description": "Offer a safety plan review", "for_whom": ForWhom.VICTIM,
            "due_on": due.isoformat()}  # fmt: skip

    refused = client.post(url, body, content_type="application/json")

    assert refused.status_code == 422, refused.json()
    (message,) = refused.json()["errors"]["body.owner_agency_id"]
    assert message.startswith(_refusal(idva.agency))
    assert "Name someone from Northbrook IDVA Service on the case's restriction first" in message
    assert not Action.objects.filter(listing=listing).exists()

    allowed = client.post(url, body | {"owner_agency_id": police_rep.agency_id}, content_type="application/json")
    assert allowed.status_code == 201, allowed.json()


def test_the_service_refuses_to_record_it_at_the_meeting_too(coordinator, police_rep, idva, listing):
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    with pytest.raises(AgencyNotNamedOnCase, match="Name someone from Northbrook IDVA Service"):
        action_record(listing=listing, owner_agency=idva.agency, description="Offer a safety plan review",
                      for_whom=ForWhom.VICTIM, due_on=timezone.localdate(), by=coordinator)  # fmt: skip
    assert not Action.objects.exists()
