"""Actions through the open API, as a partner system holding an agency's credential sees them: the pages' rules,
the pages' services, answered as JSON."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, ActionStatus
from actions.tests.tracking_data import action_for, case_at, meeting_at
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from audit.models import AuditAction, AuditEvent
from cases.models import CaseRestriction
from marac.models import MaracAgency
from meetings.models import Attendance, AttendanceCapacity, Listing, MeetingState, MeetingStatus
from referrals.calendar import WorkingCalendar, add_working_days

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def listing(marac):
    return Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-00001"))


@pytest.fixture
def police(marac, police_rep, bearer, issue_token):  # noqa: F811
    """The police force's records system: a credential of the police rep's agency, as a representative."""
    return bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))


@pytest.fixture
def coordination(marac, coordinator, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.COORDINATOR, agency=coordinator.agency))


@pytest.fixture
def police_action(listing, police_rep, coordinator):
    return action_for(listing, police_rep.agency, coordinator, description="Flag the address")


@pytest.fixture
def idva_action(listing, idva, coordinator):
    return action_for(listing, idva.agency, coordinator, description="Contact the victim")


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


# --- Reading --------------------------------------------------------------------------------------------------------


def test_a_rep_lists_only_its_own_agency_s_actions(police, coordination, police_action, idva_action):
    own = police.get("/api/v1/actions").json()
    everything = coordination.get("/api/v1/actions").json()

    assert [item["id"] for item in own["items"]] == [police_action.pk]
    assert own["items"][0]["owner_agency"]["name"] == "Northbrook Constabulary"
    assert own["items"][0]["case_reference"] == "NB-00001"
    assert {item["id"] for item in everything["items"]} == {police_action.pk, idva_action.pk}


def test_actions_filter_by_status_overdue_agency_and_due_day(coordination, listing, police_rep, idva, coordinator):
    late = action_for(listing, police_rep.agency, coordinator, due_on=TODAY() - datetime.timedelta(days=3))
    soon = action_for(listing, idva.agency, coordinator, due_on=TODAY() + datetime.timedelta(days=3))
    done = action_for(listing, idva.agency, coordinator, due_on=TODAY() - datetime.timedelta(days=5))
    Action.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)

    def ids(**query):
        response = coordination.get("/api/v1/actions", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [done.pk, late.pk, soon.pk]  # soonest due first
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [done.pk, soon.pk]
    assert ids(status="done") == [done.pk]
    assert ids(agency=idva.agency_id) == [done.pk, soon.pk]
    assert ids(due_before=str(TODAY())) == [done.pk, late.pk]
    assert ids(due_after=str(TODAY())) == [soon.pk]
    assert coordination.get("/api/v1/actions", {"status": "finished"}).status_code == 422


def test_actions_come_a_page_at_a_time(coordination, listing, police_rep, coordinator):
    for days in range(5):
        action_for(listing, police_rep.agency, coordinator, due_on=TODAY() + datetime.timedelta(days=days))

    page = coordination.get("/api/v1/actions", {"limit": 2, "offset": 2}).json()

    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 2, 2)
    assert page["items"][0]["due_on"] == str(TODAY() + datetime.timedelta(days=2))
    assert coordination.get("/api/v1/actions", {"limit": 0}).status_code == 422


def test_one_action_reads_as_listed_and_the_reading_is_audited(police, police_action):
    response = police.get(f"/api/v1/actions/{police_action.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"], body["is_overdue"], body["closed_at"]) == ("open", 1, False, None)
    entry = AuditEvent.objects.filter(object_type="actions.action", object_id=str(police_action.pk)).latest("id")
    assert entry.action == AuditAction.VIEW


def test_a_rep_gets_404_for_another_agency_s_action(police, idva_action):
    assert police.get(f"/api/v1/actions/{idva_action.pk}").status_code == 404


def test_a_board_viewer_gets_404_on_actions(client_for, board_viewer, police_action):
    assert client_for(board_viewer).get("/api/v1/actions").status_code == 404
    assert client_for(board_viewer).get(f"/api/v1/actions/{police_action.pk}").status_code == 404


def test_an_outsider_at_another_marac_sees_none_of_its_actions(client_for, outsider, marac, police_action):
    assert client_for(outsider).get("/api/v1/actions").json()["count"] == 0
    assert client_for(outsider).get("/api/v1/actions", {"marac": marac.pk}).status_code == 422
    assert client_for(outsider).get(f"/api/v1/actions/{police_action.pk}").status_code == 404
    done = _post(client_for(outsider), f"/api/v1/actions/{police_action.pk}/done", {"note": "x", "version": 1})
    assert done.status_code == 404


def test_a_restricted_case_s_actions_are_hidden_from_those_not_named(
    police, coordination, coordinator, chair, client_for, police_action
):
    case = police_action.case
    case.restricted = True
    case.save(update_fields=["restricted"])
    CaseRestriction.objects.create(case=case, user=chair, added_by=coordinator)

    assert police.get("/api/v1/actions").json()["count"] == 0
    assert coordination.get("/api/v1/actions").json()["count"] == 0
    assert police.get(f"/api/v1/actions/{police_action.pk}").status_code == 404
    assert client_for(chair).get("/api/v1/actions").json()["count"] == 1
    assert client_for(chair).get(f"/api/v1/actions/{police_action.pk}").status_code == 403  # a reason first


# --- Marking an action done, or that it cannot be done --------------------------------------------------------------


def test_an_agency_marks_its_own_action_done(police, police_action):
    response = _post(police, f"/api/v1/actions/{police_action.pk}/done", {"note": "Address flagged", "version": 1})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("done", 2)
    police_action.refresh_from_db()
    assert (police_action.status, police_action.completion_note) == (ActionStatus.DONE, "Address flagged")
    entry = AuditEvent.objects.filter(object_type="actions.action", action=AuditAction.CHANGE).latest("id")
    assert entry.object_id == str(police_action.pk)
    assert "Address flagged" not in entry.summary + str(entry.changes)


def test_marking_another_agency_s_action_is_404_and_changes_nothing(police, idva_action):
    response = _post(police, f"/api/v1/actions/{idva_action.pk}/done", {"note": "Done", "version": 1})
    assert response.status_code == 404
    idva_action.refresh_from_db()
    assert idva_action.status == ActionStatus.OPEN


def test_a_stale_version_gets_409_and_nothing_is_saved(police, police_action):
    Action.objects.filter(pk=police_action.pk).update(version=2)

    response = _post(police, f"/api/v1/actions/{police_action.pk}/done", {"note": "Address flagged", "version": 1})

    assert response.status_code == 409
    assert "Nothing has been saved" in response.json()["error"]
    police_action.refresh_from_db()
    assert (police_action.status, police_action.completion_note) == (ActionStatus.OPEN, "")


def test_an_action_no_longer_open_gets_409(police, police_action):
    _post(police, f"/api/v1/actions/{police_action.pk}/done", {"note": "Address flagged", "version": 1})
    again = _post(police, f"/api/v1/actions/{police_action.pk}/cannot-complete", {"note": "No", "version": 2})
    assert again.status_code == 409
    assert "no longer open" in again.json()["error"]


def test_a_note_is_needed_as_on_the_page(police, police_action):
    response = _post(police, f"/api/v1/actions/{police_action.pk}/done", {"note": "  ", "version": 1})
    assert response.status_code == 422
    assert response.json()["errors"] == {"body.note": ["Say what was done"]}
    assert Action.objects.get().status == ActionStatus.OPEN


def test_cannot_complete_tells_the_coordinators(police, coordinator, police_action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            police, f"/api/v1/actions/{police_action.pk}/cannot-complete", {"note": "Victim moved away", "version": 1}
        )
    assert response.status_code == 200
    assert response.json()["status"] == "cannot_complete"
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert "Victim moved away" not in mail.outbox[0].body


# --- Recording an action at the meeting -----------------------------------------------------------------------------


def _sign(meeting, user):
    Attendance.objects.create(
        meeting=meeting, user=user, capacity=AttendanceCapacity.REPRESENTATIVE, confidentiality_signed_at=timezone.now()
    )


def _record_url(listing):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/actions"


def _new_action(agency, **changes):
    return {
        "owner_agency_id": agency.pk,
        "description": "Refer to the housing team",
        "for_whom": "victim",
        # A working day: an action cannot fall due on a weekend or bank holiday (meetings/live_rules.py).
        "due_on": str(add_working_days(TODAY(), 10, calendar=WorkingCalendar())),
    } | changes


def test_a_coordinator_records_an_action_once_they_have_signed_the_agreement(
    client_for, coordinator, marac, police_rep, listing
):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    client = client_for(coordinator)

    unsigned = _post(client, _record_url(listing), _new_action(police_rep.agency))
    assert unsigned.status_code == 403
    assert "confidentiality agreement" in unsigned.json()["error"]
    assert not Action.objects.exists()

    _sign(listing.meeting, coordinator)
    # Actions are recorded while the meeting runs (meetings/live_services.py).
    MeetingState.objects.update_or_create(meeting=listing.meeting, defaults={"status": MeetingStatus.IN_PROGRESS})
    created = _post(client, _record_url(listing), _new_action(police_rep.agency))

    assert created.status_code == 201, created.json()
    assert created.json()["owner_agency"]["id"] == police_rep.agency_id
    assert created.json()["status"] == "open"
    action = Action.objects.get()
    assert (action.listing, action.description, action.created_by) == (
        listing,
        "Refer to the housing team",
        coordinator,
    )
    assert AuditEvent.objects.filter(object_type="actions.action", action=AuditAction.CREATE).exists()


def test_an_action_is_validated_as_on_the_page(client_for, coordinator, marac, other_marac, police_rep, listing):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    stranger = MaracAgency.objects.create(marac=other_marac, agency=coordinator.agency).agency
    _sign(listing.meeting, coordinator)
    client = client_for(coordinator)

    elsewhere = _post(client, _record_url(listing), _new_action(stranger))
    vague = _post(client, _record_url(listing), _new_action(police_rep.agency, description=""))
    nobody = _post(client, _record_url(listing), _new_action(police_rep.agency, for_whom="neighbour"))

    assert elsewhere.status_code == 422
    assert "body.owner_agency_id" in elsewhere.json()["errors"]
    assert vague.status_code == 422
    assert "body.description" in vague.json()["errors"]
    assert nobody.status_code == 422
    assert not Action.objects.exists()


def test_nothing_more_is_recorded_at_a_meeting_once_it_has_closed(client_for, coordinator, marac, police_rep, listing):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    _sign(listing.meeting, coordinator)
    MeetingState.objects.update_or_create(meeting=listing.meeting, defaults={"status": MeetingStatus.CLOSED})

    refused = _post(client_for(coordinator), _record_url(listing), _new_action(police_rep.agency))

    assert refused.status_code == 409
    assert "This meeting has closed" in refused.json()["error"]
    assert not Action.objects.exists()


def test_a_representative_may_not_record_actions(police, police_rep, listing):
    _sign(listing.meeting, police_rep)
    assert _post(police, _record_url(listing), _new_action(police_rep.agency)).status_code == 404


def test_an_outsider_may_not_record_an_action_at_another_marac(client_for, outsider, police_rep, listing):
    assert _post(client_for(outsider), _record_url(listing), _new_action(police_rep.agency)).status_code == 404
