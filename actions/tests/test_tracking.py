from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actions import tracking
from actions.models import ActionStatus
from actions.tasks import chase_overdue_actions
from actions.tests.tracking_data import action_for, case_at, meeting_at
from api.services import credential_issue
from audit.models import AuditAction, AuditEvent
from marac.models import MaracAgency
from meetings.models import Listing, MeetingState, MeetingStatus
from referrals.calendar import WorkingCalendar

pytestmark = pytest.mark.django_db
CALENDAR = WorkingCalendar()


@pytest.fixture
def listing(marac):
    meeting = meeting_at(marac)
    # A meeting that was held had its case list released first (test_summary_release covers one that was not).
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    return Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0001"))


@pytest.fixture
def police_action(listing, police_rep, coordinator):
    return action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")


@pytest.fixture
def idva_action(listing, idva, coordinator):
    return action_for(listing, idva.agency, coordinator, description="Offer a safety plan review")


# --- Rules ----------------------------------------------------------------------------------------------------------


def test_it_escalates_when_the_next_meeting_is_within_a_working_day():
    friday = date(2026, 10, 9)
    assert tracking.escalation_is_due(next_meeting_day=date(2026, 10, 12), today=friday, calendar=CALENDAR)
    assert tracking.escalation_is_due(next_meeting_day=date(2026, 10, 8), today=friday, calendar=CALENDAR)
    assert not tracking.escalation_is_due(next_meeting_day=date(2026, 10, 13), today=friday, calendar=CALENDAR)
    assert not tracking.escalation_is_due(next_meeting_day=None, today=friday, calendar=CALENDAR)


def test_it_counts_only_open_actions_past_their_date_as_overdue():
    today = date(2026, 10, 9)
    assert tracking.action_is_overdue(status=ActionStatus.OPEN, due_on=date(2026, 10, 8), today=today)
    assert not tracking.action_is_overdue(status=ActionStatus.OPEN, due_on=today, today=today)
    assert not tracking.action_is_overdue(status=ActionStatus.DONE, due_on=date(2026, 10, 1), today=today)


# --- Services -------------------------------------------------------------------------------------------------------


def test_it_marks_an_action_done_with_a_note_and_audits_it(police_action, police_rep):
    done = tracking.action_complete(action=police_action, note="Flag added", based_on_version=1, by=police_rep)
    assert (done.status, done.completion_note, done.closed_by, done.version) == ("done", "Flag added", police_rep, 2)
    event = AuditEvent.objects.filter(object_type="actions.action", object_id=str(police_action.pk)).get()
    assert event.action == AuditAction.CHANGE
    assert "Flag added" not in str(event.changes)


def test_it_refuses_a_stale_update(police_action, police_rep, coordinator):
    tracking.action_complete(action=police_action, note="Done by the coordinator", based_on_version=1, by=coordinator)
    with pytest.raises(tracking.ActionNotOpen):
        tracking.action_complete(action=police_action, note="Also done", based_on_version=1, by=police_rep)
    police_action.refresh_from_db()
    assert police_action.completion_note == "Done by the coordinator"


def test_it_refuses_an_update_based_on_an_old_version(police_action, police_rep):
    police_action.version = 3
    police_action.save()
    with pytest.raises(tracking.StaleAction):
        tracking.action_complete(action=police_action, note="Done", based_on_version=2, by=police_rep)


def test_it_tells_the_coordinator_when_an_action_cannot_be_completed(
    police_action, police_rep, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tracking.action_cannot_complete(
            action=police_action, reason="The address is outside our force", based_on_version=1, by=police_rep
        )
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.CANNOT_COMPLETE
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert "NB-0001" not in mail.outbox[0].body
    assert "outside our force" not in mail.outbox[0].body


def test_it_circulates_the_summary_to_representatives_without_case_details(
    listing, police_action, coordinator, police_rep, idva, chair, django_capture_on_commit_callbacks
):
    deputy = police_rep.__class__.objects.create_user(email="deputy@example.invalid", full_name="Dee Puty")
    membership = MaracAgency.objects.create(marac=listing.meeting.marac, agency=police_rep.agency)
    membership.deputies.add(deputy)
    with django_capture_on_commit_callbacks(execute=True):
        sent = tracking.action_summary_circulate(meeting=listing.meeting, by=coordinator)
    state = MeetingState.objects.get(meeting=listing.meeting)
    assert state.action_summary_sent_at == sent.sent_at
    # One message each: no representative sees the others' addresses.
    assert sorted(message.to for message in mail.outbox) == sorted([[police_rep.email], [idva.email], [deputy.email]])
    for message in mail.outbox:
        assert not message.cc and not message.bcc
        assert reverse("actions:summary", args=[listing.meeting.pk]) in message.body
        for personal in ("NB-0001", "Fictionalia", "Flag the address"):
            assert personal not in message.body + message.subject


def test_an_agencys_api_credential_is_not_sent_the_summary(
    listing, police_action, coordinator, police_rep, administrator, django_capture_on_commit_callbacks
):
    # A credential's service account holds the agency's representative role, but it is not a person to write to.
    expires_on = timezone.localdate() + timedelta(days=30)
    credential, _ = credential_issue(
        marac=listing.meeting.marac,
        agency=police_rep.agency,
        name="Police records",
        roles=[Role.AGENCY_REPRESENTATIVE],
        expires_on=expires_on,
        by=administrator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        tracking.action_summary_circulate(meeting=listing.meeting, by=coordinator)
    (message,) = mail.outbox
    assert police_rep.email in message.to
    assert credential.service_user.email not in message.to


def test_a_meeting_started_early_has_its_summary_circulated(marac, coordinator, police_rep, client_for):
    # The chair may start a meeting before its time (live_services.meeting_start asks first); once started, it has
    # actions to circulate, whatever the clock says.
    meeting = meeting_at(marac, timezone.now() + timedelta(hours=3))
    MeetingState.objects.create(
        meeting=meeting, status=MeetingStatus.CLOSED, case_list_released_at=timezone.now() - timedelta(days=7)
    )
    sent = tracking.action_summary_circulate(meeting=meeting, by=coordinator)
    assert sent.sent_at is not None
    index = client_for(coordinator).get("/actions/").content.decode()
    assert f"/actions/meetings/{meeting.pk}/summary/" in index  # among the recent meetings


def test_it_will_not_circulate_before_the_meeting(marac, coordinator):
    meeting = meeting_at(marac, timezone.now() + timedelta(days=3))
    with pytest.raises(tracking.MeetingNotHeld):
        tracking.action_summary_circulate(meeting=meeting, by=coordinator)


# --- The chase task -------------------------------------------------------------------------------------------------


def test_it_chases_overdue_actions_with_a_count_and_no_personal_details(listing, police_rep, idva, coordinator, marac):
    overdue = action_for(listing, police_rep.agency, coordinator, description="Flag the address",
                         due_on=timezone.localdate() - timedelta(days=3))  # fmt: skip
    action_for(listing, police_rep.agency, coordinator, description="Not due yet")
    action_for(listing, idva.agency, coordinator, due_on=timezone.localdate() + timedelta(days=1))
    result = chase_overdue_actions.call()
    overdue.refresh_from_db()
    assert overdue.chased_at is not None
    assert result == {"chased": 1, "escalated": 0}
    (message,) = mail.outbox
    assert message.to == [police_rep.email]
    assert "1 action" in message.body
    assert reverse("actions:mine") in message.body
    for personal in ("NB-0001", "Fictionalia", "Flag the address"):
        assert personal not in message.body + message.subject
    assert AuditEvent.objects.filter(summary="Chased 1 overdue actions", marac_id=marac.pk).exists()


def test_it_does_not_chase_the_same_action_every_day(listing, police_rep, coordinator):
    action_for(listing, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=3))
    chase_overdue_actions.call()
    assert chase_overdue_actions.call() == {"chased": 0, "escalated": 0}
    assert len(mail.outbox) == 1


def test_it_escalates_to_the_chair_when_the_next_meeting_has_come(listing, police_rep, coordinator, chair, marac):
    overdue = action_for(listing, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=5))
    meeting_at(marac, timezone.now() - timedelta(hours=1))
    assert chase_overdue_actions.call() == {"chased": 1, "escalated": 1}
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    to_chair = [message for message in mail.outbox if message.to == [chair.email]]
    assert len(to_chair) == 1
    assert "Fictionalia" not in to_chair[0].body and "NB-0001" not in to_chair[0].body
    assert chase_overdue_actions.call()["escalated"] == 0


def test_it_does_not_escalate_before_the_next_meeting(listing, police_rep, coordinator, chair, marac):
    action_for(listing, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=5))
    meeting_at(marac, timezone.now() + timedelta(days=20))
    assert chase_overdue_actions.call()["escalated"] == 0
    assert all(message.to != [chair.email] for message in mail.outbox)


def test_the_command_queues_the_chase(listing, police_rep, coordinator, capsys):
    overdue = action_for(listing, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=3))
    call_command("chase_overdue_actions")
    overdue.refresh_from_db()
    assert overdue.chased_at is not None
    assert "Queued the chase of overdue actions" in capsys.readouterr().out


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_it_shows_an_agency_only_its_own_actions(client_for, police_rep, police_action, idva_action):
    response = client_for(police_rep).get(reverse("actions:mine"))
    assert response.status_code == 200
    assert b"Flag the address" in response.content
    assert b"Offer a safety plan review" not in response.content


def test_it_marks_an_action_done_from_the_page(client_for, police_rep, police_action):
    url = reverse("actions:done", args=[police_action.pk])
    client = client_for(police_rep)
    assert client.get(url).status_code == 200
    response = client.post(url, {"completion_note": "Flag added on the system", "version": 1})
    assert response.status_code == 302
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.DONE


def test_it_asks_for_a_note(client_for, police_rep, police_action):
    response = client_for(police_rep).post(reverse("actions:done", args=[police_action.pk]), {"version": 1})
    assert b"Say what was done" in response.content


def test_the_page_refuses_a_stale_update(client_for, police_rep, police_action):
    police_action.version = 2
    police_action.save()
    response = client_for(police_rep).post(
        reverse("actions:cannot", args=[police_action.pk]), {"completion_note": "No capacity", "version": 1}
    )
    assert response.status_code == 200
    assert b"Someone else changed this record" in response.content
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.OPEN


def test_another_agency_cannot_update_the_action(client_for, idva, police_action):
    url = reverse("actions:done", args=[police_action.pk])
    assert client_for(idva).post(url, {"completion_note": "x", "version": 1}).status_code == 404


def test_an_outsider_gets_404_everywhere(client_for, outsider, police_action, listing):
    client = client_for(outsider)
    urls = [
        reverse("actions:done", args=[police_action.pk]),
        reverse("actions:cannot", args=[police_action.pk]),
        reverse("actions:summary", args=[listing.meeting.pk]),
        reverse("actions:summary_docx", args=[listing.meeting.pk]),
        reverse("actions:summary_pdf", args=[listing.meeting.pk]),
        reverse("actions:summary_circulate", args=[listing.meeting.pk]),
        reverse("actions:family_record", args=[listing.case.pk]),
    ]
    for url in urls:
        assert client.post(url).status_code == 404, url
    assert b"Flag the address" not in client.get(reverse("actions:index")).content


def test_the_coordinator_sees_actions_that_cannot_be_completed(client_for, coordinator, police_rep, police_action):
    tracking.action_cannot_complete(action=police_action, reason="Outside our area", based_on_version=1, by=police_rep)
    response = client_for(coordinator).get(reverse("actions:cannot_complete"))
    assert response.status_code == 200
    assert b"Outside our area" in response.content and b"NB-0001" in response.content


def test_the_coordinator_sees_every_open_action(client_for, coordinator, police_action, idva_action):
    response = client_for(coordinator).get(reverse("actions:index"))
    assert b"Flag the address" in response.content and b"Offer a safety plan review" in response.content


def test_the_coordinator_circulates_the_summary_from_its_page(client_for, coordinator, police_rep, listing):
    client = client_for(coordinator)
    page = client.get(reverse("actions:summary", args=[listing.meeting.pk]))
    assert b"Circulate the action summary" in page.content
    response = client.post(reverse("actions:summary_circulate", args=[listing.meeting.pk]))
    assert response.status_code == 302
    assert MeetingState.objects.get(meeting=listing.meeting).action_summary_sent_at is not None


def test_a_representative_reads_the_summary_but_cannot_circulate_it(client_for, police_rep, police_action, listing):
    client = client_for(police_rep)
    page = client.get(reverse("actions:summary", args=[listing.meeting.pk]))
    assert b"Flag the address" in page.content
    assert b"Circulate the action summary" not in page.content
    assert client.post(reverse("actions:summary_circulate", args=[listing.meeting.pk])).status_code == 404
    # The page names its meeting in its title, and leads back to the representative's own actions.
    assert f"<title>Summary of actions: {listing.meeting} \N{EN DASH} OpenMARAC</title>" in page.content.decode()
    assert f'class="govuk-back-link" href="{reverse("actions:mine")}"' in page.content.decode()


def test_downloads_are_audited_as_exports(client_for, police_rep, police_action, listing):
    response = client_for(police_rep).get(reverse("actions:summary_pdf", args=[listing.meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(listing.meeting.pk)).exists()


def test_the_family_record_is_exported_for_a_representative_and_audited(client_for, police_rep, listing):
    response = client_for(police_rep).get(reverse("actions:family_record", args=[listing.case.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="cases.case", object_id=str(listing.case.pk)
    ).exists()


def test_the_idva_and_chair_cannot_export_the_family_record(client_for, idva, chair, listing):
    for user in (idva, chair):
        assert client_for(user).get(reverse("actions:family_record", args=[listing.case.pk])).status_code == 404
