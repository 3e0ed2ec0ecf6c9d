"""Once a meeting has closed, its live pages are a read-only record: no form is offered, every post to them is refused
with the reason and saves nothing, and reading them is audited as before."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from actions.models import Action, ForWhom
from audit.models import AuditAction, AuditEvent
from marac.models import MaracAgency
from meetings import live_rules
from meetings import live_services as live
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, ProcessLink
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

RUNNERS = ["chair", "coordinator"]


@pytest.fixture
def closed(marac, chair, coordinator, police_rep):
    """A meeting heard and closed: one case opened, minuted, with an outcome, then the meeting closed."""
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference="NB-2026-0801"))
    for user in (chair, coordinator):
        live.confidentiality_sign(meeting=meeting, user=user)
    live.meeting_start(meeting=meeting, by=chair)
    live.listing_open(listing=listing, by=chair)
    live.minute_save(
        listing=listing,
        risks_minute="Threats made by text.",
        decisions_minute="Review at the next meeting.",
        based_on_version=Listing.objects.get(pk=listing.pk).version,
        by=chair,
    )
    live.outcome_record(listing=listing, outcome="review", by=chair)
    live.meeting_close(meeting=meeting, by=chair)
    return Listing.objects.get(pk=listing.pk)


def _posts(listing, police_rep):
    """Every post the live pages take for a meeting and one of its cases, each with data that would be saved."""
    due = add_working_days(timezone.localdate(), 5, calendar=WorkingCalendar())
    case_url = f"/meetings/{listing.meeting_id}/live/{listing.pk}/"
    return {
        "open": (f"{case_url}open/", {}),
        "minutes": (
            f"{case_url}minutes/",
            {"risks_minute": "Changed after.", "decisions_minute": "Changed after.", "version": listing.version},
        ),
        "actions": (
            f"{case_url}actions/",
            {
                "owner_agency": police_rep.agency_id,
                "description": "Visit the victim.",
                "for_whom": ForWhom.PERPETRATOR,
                "due_on": due.isoformat(),
            },
        ),
        "links": (f"{case_url}links/", {"kind": "mash", "note": "Added after"}),
        "outcome": (f"{case_url}outcome/", {"outcome": "closed"}),
        "next": (f"{case_url}next/", {"confirmed": "yes"}),
        "start": (f"/meetings/{listing.meeting_id}/live/start/", {"confirmed": "yes"}),
        "close": (f"/meetings/{listing.meeting_id}/live/close/", {}),
    }


def _writes():
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


def _record(listing):
    current = Listing.objects.get(pk=listing.pk)
    return (
        current.version,
        current.risks_minute,
        current.decisions_minute,
        current.outcome,
        current.ended_at,
        Action.objects.filter(listing=listing).count(),
        ProcessLink.objects.filter(listing=listing).count(),
        MeetingState.objects.get(meeting_id=listing.meeting_id).status,
    )


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("step", ["open", "minutes", "actions", "links", "outcome", "next", "start", "close"])
def test_every_post_to_a_closed_meetings_live_pages_is_refused_and_saves_nothing(
    client_for, closed, police_rep, runner, step, request
):
    client = client_for(request.getfixturevalue(runner))
    url, data = _posts(closed, police_rep)[step]
    before, writes = _record(closed), _writes()

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "This meeting has closed" in response.content.decode()
    assert "nothing was saved" in response.content.decode()
    assert _record(closed) == before
    assert _writes() == writes


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_closed_meetings_case_page_shows_the_record_and_no_form(client_for, closed, runner, request):
    user = request.getfixturevalue(runner)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.case").count()

    page = client_for(user).get(f"/meetings/{closed.meeting_id}/live/{closed.pk}/").content.decode()

    assert "read-only record" in page
    assert "Threats made by text." in page and "Review at the next meeting." in page
    assert "Review at a later meeting" in page  # the outcome
    for step in ("open", "minutes", "actions", "links", "outcome", "next"):
        assert f'action="/meetings/{closed.meeting_id}/live/{closed.pk}/{step}/"' not in page
    for button in ("Save the minute", "Record the action", "Record the link", "Record the outcome", "Next case"):
        assert button not in page
    # Reading the case is audited as before.
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.case").count() == views + 1


def test_a_closed_meetings_live_page_says_it_is_read_only_and_offers_no_start_or_close(client_for, chair, closed):
    page = client_for(chair).get(f"/meetings/{closed.meeting_id}/live/").content.decode()
    assert "This meeting has closed" in page
    assert "Start the meeting" not in page and "Close the meeting" not in page


def test_an_outsider_still_gets_nothing(client_for, outsider, closed, police_rep):
    url, data = _posts(closed, police_rep)["minutes"]
    assert client_for(outsider).post(url, data).status_code in (403, 404)


def test_the_services_refuse_a_write_that_reaches_them_after_the_close(closed, chair, police_rep):
    """The guard the pages check first is taken again under the meeting's lock, for a close landing mid-post."""
    due = add_working_days(timezone.localdate(), 5, calendar=WorkingCalendar())
    writes = (
        lambda: live.minute_save(
            listing=closed, risks_minute="x", decisions_minute="y", based_on_version=closed.version, by=chair
        ),
        lambda: live.outcome_record(listing=closed, outcome="closed", by=chair),
        lambda: live.process_link_add(listing=closed, kind="mash", note="", by=chair),
        lambda: live.listing_open(listing=closed, by=chair),
        lambda: live.listing_move_on(listing=closed, by=chair),
        lambda: live.live_action_record(
            listing=closed,
            by=chair,
            owner_agency=police_rep.agency,
            description="Visit.",
            for_whom=ForWhom.VICTIM,
            due_on=due,
        ),
    )
    before = _record(closed)
    for write in writes:
        with pytest.raises(live.MeetingClosed, match="nothing was saved"):
            write()
    assert _record(closed) == before


def test_the_guard_is_closed_only_for_a_closed_meeting():
    assert live_rules.meeting_is_closed(MeetingStatus.CLOSED)
    assert not live_rules.meeting_is_closed(MeetingStatus.IN_PROGRESS)
    assert not live_rules.meeting_is_closed(MeetingStatus.SCHEDULED)


def test_a_running_meeting_still_takes_a_minute(client_for, chair, marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(minutes=5))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    url = f"/meetings/{meeting.pk}/live/{listing.pk}/minutes/"
    data = {"risks_minute": "Risk.", "decisions_minute": "Decision.", "version": listing.version}
    assert client_for(chair).post(url, data).status_code == 302
    assert Listing.objects.get(pk=listing.pk).risks_minute == "Risk."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_a_minute_saved_while_the_meeting_closes_waits_for_the_close_and_is_then_refused(marac, chair):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    listing, _ = live.listing_open(listing=listing, by=chair)
    listing = live.outcome_record(listing=listing, outcome="review", by=chair)  # else the close asks for one
    closing = threading.Event()
    results: dict[str, str] = {}

    def save():
        try:
            closing.wait()
            live.minute_save(
                listing=listing, risks_minute="Late", decisions_minute="", based_on_version=listing.version, by=chair
            )
            results["minute"] = "saved"
        except live.MeetingClosed:
            results["minute"] = "refused"
        finally:
            connections.close_all()  # this thread's own connection

    saver = threading.Thread(target=save)
    saver.start()
    with transaction.atomic():
        MeetingState.objects.select_for_update().get(meeting=meeting)  # the lock the close takes first
        closing.set()
        time.sleep(0.5)  # the save is now waiting for the lock
        live.meeting_close(meeting=meeting, by=chair)
    saver.join(timeout=30)

    assert results == {"minute": "refused"}
    assert Listing.objects.get(pk=listing.pk).risks_minute == ""
