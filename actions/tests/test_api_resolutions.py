"""What was decided about an action after the meeting (BD Completion of Actions), through the open API: each action
carries its resolutions, with the pages' rules for who sees what the agency had written, and reading them is audited
as a reading of the action."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from actions import tracking
from actions.tests.tracking_data import action_for, case_at, meeting_at
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from audit.models import AuditAction, AuditEvent
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.agenda_services import working_calendar
from meetings.models import Listing
from referrals.calendar import add_working_days

pytestmark = pytest.mark.django_db

REASON = "The IDVA service will ask at its next visit"


@pytest.fixture
def passed_on(marac, coordinator, chair, police_rep, idva):
    """An action the police could not complete, which the chair passed to the IDVA service."""
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency)
    MaracAgency.objects.create(marac=marac, agency=idva.agency)
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-0750"))
    action = action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence")
    tracking.action_cannot_complete(action=action, reason="Outside our force", based_on_version=1, by=police_rep)
    due = add_working_days(timezone.localdate(), 15, calendar=working_calendar(marac))  # later than it was due
    return tracking.action_reassign(action=action, owner_agency=idva.agency, due_on=due, reason=REASON,
                                    referred_to_vawg=True, based_on_version=2, by=chair)  # fmt: skip


@pytest.fixture
def coordination(marac, coordinator, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.COORDINATOR, agency=coordinator.agency))


@pytest.fixture
def advocacy(marac, idva, bearer, issue_token):  # noqa: F811
    """The IDVA service's case management system: a credential of its agency, as an IDVA."""
    return bearer(issue_token(marac, Role.IDVA, agency=idva.agency))


def test_an_action_carries_what_was_decided_about_it(coordination, passed_on, chair, police_rep, idva):
    response = coordination.get(f"/api/v1/actions/{passed_on.pk}")

    assert response.status_code == 200
    (resolution,) = response.json()["resolutions"]
    assert resolution["outcome"] == "reassigned"
    assert (resolution["reason"], resolution["referred_to_vawg"]) == (REASON, True)
    assert resolution["from_agency"] == {"id": police_rep.agency_id, "name": "Northbrook Constabulary"}
    assert resolution["to_agency"] == {"id": idva.agency_id, "name": "Northbrook IDVA Service"}
    assert resolution["due_on"] == str(passed_on.due_on)
    assert resolution["recorded_by"] == chair.full_name
    assert resolution["recorded_at"].startswith(f"{passed_on.resolutions.get().at:%Y-%m-%dT%H:%M:%S}")
    assert resolution["agency_note"] == "Outside our force"  # the coordinator sees what the police had said


def test_the_agency_holding_the_action_sees_the_decision_but_not_the_other_agency_s_note(advocacy, passed_on):
    listed = advocacy.get("/api/v1/actions").json()["items"]
    one = advocacy.get(f"/api/v1/actions/{passed_on.pk}").json()

    assert [item["id"] for item in listed] == [passed_on.pk]
    for action in (listed[0], one):
        (resolution,) = action["resolutions"]
        assert (resolution["outcome"], resolution["reason"]) == ("reassigned", REASON)
        assert resolution["agency_note"] is None
        assert "Outside our force" not in str(action)


def test_the_agency_that_passed_it_on_no_longer_sees_it(marac, police_rep, bearer, issue_token, passed_on):  # noqa: F811
    police = bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))

    assert police.get("/api/v1/actions").json()["count"] == 0
    assert police.get(f"/api/v1/actions/{passed_on.pk}").status_code == 404


def _queries_to_list(client):
    with CaptureQueriesContext(connection) as queries:
        items = client.get("/api/v1/actions").json()["items"]
    return len(queries), items


def test_a_list_reads_every_action_s_resolutions_at_once(coordination, passed_on, coordinator, police_rep):
    coordination.get("/api/v1/actions")  # the credential's first use is recorded once
    for_one, _ = _queries_to_list(coordination)
    for number in range(5):
        action = action_for(passed_on.listing, police_rep.agency, coordinator, description=f"Action {number}")
        tracking.action_complete(action=action, note="Done", based_on_version=1, by=police_rep)
        tracking.action_reopen_done(action=action, reason="Wrong one ticked", based_on_version=2, by=coordinator)

    for_six, items = _queries_to_list(coordination)

    assert for_six == for_one
    assert sorted(len(item["resolutions"]) for item in items) == [1] * 6
    reopened = [item["resolutions"][0] for item in items if item["id"] != passed_on.pk]
    assert {(each["outcome"], each["agency_note"]) for each in reopened} == {("done_reopened", "Done")}


def test_an_action_not_resolved_has_no_resolutions(coordination, passed_on, coordinator, police_rep):
    action = action_for(passed_on.listing, police_rep.agency, coordinator, description="Flag the address")
    assert coordination.get(f"/api/v1/actions/{action.pk}").json()["resolutions"] == []


def test_reading_a_restricted_case_s_resolutions_records_the_reason(client_for, coordinator, chair, passed_on):
    case_restrict(case=passed_on.case, named_users=[chair], by=coordinator)
    client = client_for(chair)
    assert client.get(f"/api/v1/actions/{passed_on.pk}").status_code == 403  # a reason first, as on the pages
    client.post(f"/cases/{passed_on.case_id}/reason/", {"reason": "Preparing the VAWG report", "next": "/"})

    response = client.get(f"/api/v1/actions/{passed_on.pk}")

    assert response.json()["resolutions"][0]["agency_note"] == "Outside our force"
    entry = AuditEvent.objects.filter(object_type="actions.action", object_id=str(passed_on.pk)).latest("id")
    assert (entry.action, entry.actor, entry.changes) == (
        AuditAction.VIEW, chair, {"reason": "Preparing the VAWG report"},
    )  # fmt: skip
    assert REASON not in entry.summary + str(entry.changes)
