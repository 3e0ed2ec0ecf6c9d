"""What the coordinator's acceptance decides, as the coordinator and the referrer see it: the meeting a referral is
listed at (never one already started), whether it is a repeat (counted from the day of the referral, with the
referrer's answers on whether each incident would be a crime, and never told to the referrer), and whether children's
services are told (also for a victim of 16 or 17)."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from cases.models import CaseParty, CaseRestriction, PartyRole
from marac.models import RepeatDefinition
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus
from meetings.services import meetings_ensure_ahead
from referrals.calendar import (
    LONDON,
    WorkingCalendar,
    format_day,
    format_meeting_time,
    listing_deadline,
    meeting_for_referral,
    months_before,
)
from referrals.models import ChildrenNotification, Referral, ReferralStatus
from referrals.tests.test_decision_matching import ABOUT, RISK, hold
from referrals.tests.test_referral_pages import CONSENT, PERPETRATOR, VICTIM
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

ENGLAND = WorkingCalendar()


def submitted(client_for, referrer, *, history=(), at: datetime | None = None) -> Referral:
    """A referral made through the referrer's pages, with the history events given; submitted at `at` if given."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.filter(referrer=referrer).latest("pk")
    steps = [("victim", VICTIM, False), ("perpetrators", PERPETRATOR, True), ("risk", RISK, False)]
    steps += [("history", event, True) for event in history]
    steps += [("consent", CONSENT, False), ("about", ABOUT, False)]
    for slug, data, new in steps:
        referral.refresh_from_db()
        url = f"/referrals/{referral.pk}/{slug}/" + ("new/" if new else "")
        client.post(url, {**data, "version": referral.version, "action": "continue"})
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert len(referral.content.get("history", [])) == len(history)
    if at is not None:
        Referral.objects.filter(pk=referral.pk).update(submitted_at=at)
        referral.refresh_from_db()
    return referral


def accept(client_for, coordinator, referral, *, matches=()) -> Referral:
    desk = client_for(coordinator)
    for party, person in matches:
        desk.post(
            f"/referrals/{referral.pk}/decision/match/", {"party": party, "person": person.pk, "decision": "confirmed"}
        )
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    return referral


def to_be_heard_at(page: str) -> str:
    found = re.search(r'data-testid="referral-meeting">([^<]*)<', page)
    return found.group(1) if found else ""


# --- Listing: never at a meeting that has started (BD Deadlines: later cases are held over to the next meeting) ---


def test_a_referral_in_time_for_a_meeting_since_closed_is_listed_at_the_next_one(
    client_for, referrer, coordinator, marac
):
    marac.refresh_from_db()  # its meeting time as the database gives it back
    now = timezone.now()
    meetings = meetings_ensure_ahead(marac=marac, start=timezone.localdate() - timedelta(days=70))
    closed = [meeting for meeting in meetings if meeting.starts_at < now][-1]
    MeetingState.objects.create(meeting=closed, status=MeetingStatus.CLOSED)
    deadline = listing_deadline(closed.starts_at, calendar=ENGLAND)
    referral = submitted(client_for, referrer, at=deadline - timedelta(hours=1))

    referral = accept(client_for, coordinator, referral)

    following = Meeting.objects.filter(marac=marac, is_emergency=False, starts_at__gt=now).first()
    assert referral.meeting == following
    assert not Listing.objects.filter(meeting=closed).exists()
    assert Listing.objects.filter(meeting=following, case=referral.case).exists()
    decision_page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert f"Listed for {format_meeting_time(following.starts_at)}" in decision_page
    assert (
        f"In time for the meeting on {format_day(closed.starts_at.astimezone(LONDON).date())}, but that meeting had "
        "already started when the referral was accepted, so it is held over to the next meeting."
    ) in decision_page
    status_page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()
    assert to_be_heard_at(status_page) == format_meeting_time(following.starts_at)
    assert "held over to the next meeting" in status_page


def test_a_meeting_already_under_way_is_never_chosen(client_for, referrer, coordinator, marac):
    now = timezone.now()
    under_way = Meeting.objects.create(marac=marac, starts_at=now + timedelta(hours=2))
    MeetingState.objects.create(meeting=under_way, status=MeetingStatus.IN_PROGRESS)
    deadline = listing_deadline(under_way.starts_at, calendar=ENGLAND)
    referral = submitted(client_for, referrer, at=deadline - timedelta(hours=1))

    referral = accept(client_for, coordinator, referral)

    assert referral.meeting != under_way and referral.meeting.starts_at > now
    assert not Listing.objects.filter(meeting=under_way).exists()
    status_page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()
    assert to_be_heard_at(status_page) == format_meeting_time(referral.meeting.starts_at)


def test_a_meeting_started_is_passed_over_and_named_with_an_emergency_marac_offered_when_urgent():
    received = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
    started = datetime(2026, 11, 17, 9, 30, tzinfo=LONDON)
    following = datetime(2026, 12, 8, 9, 30, tzinfo=LONDON)

    decision = meeting_for_referral(received, [started, following], urgent=True, calendar=ENGLAND, started=[started])

    assert decision.meeting_start == following
    assert decision.held_over_from == started
    assert decision.reason.startswith(
        "In time for the meeting on Tuesday 17 November 2026, but that meeting had already started when the referral "
        "was accepted, so it is held over to the next meeting. Received by the deadline of"
    )
    assert decision.emergency_marac_suggested


# --- Repeats: never told to the referrer; counted from the day of the referral; the toolkit's "criminal" test ----


def _heard(marac, *, heard_on: date, restricted: bool = False, named=None):
    victim = hold(marac, "Fictiona", "Testworth", date(1991, 4, 3))
    perpetrator = hold(marac, "Madeup", "Villainson", date(1980, 2, 2), gender="male")
    case = CaseFactory(marac=marac, victim=victim, heard_on=heard_on, restricted=restricted)
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    if named is not None:
        CaseRestriction.objects.create(case=case, user=named, added_by=named)
    return (("victim", victim), ("perpetrators.0", perpetrator))


def test_the_referrer_never_learns_of_an_earlier_hearing_in_a_restricted_case(
    client_for, referrer, coordinator, marac, mailoutbox, django_capture_on_commit_callbacks
):
    heard_on = timezone.localdate() - timedelta(days=60)
    same_people = _heard(marac, heard_on=heard_on, restricted=True, named=coordinator)
    referral = submitted(client_for, referrer)

    with django_capture_on_commit_callbacks(execute=True):
        referral = accept(client_for, coordinator, referral, matches=same_people)

    assert referral.case.is_repeat
    own = client_for(referrer)
    shown_to_referrer = [
        own.get(f"/referrals/{referral.pk}/").content.decode(),
        own.get(f"/cases/{referral.case.pk}/").content.decode(),
        own.get(f"/api/v1/referrals/{referral.pk}").content.decode(),
        own.get(f"/api/v1/cases/{referral.case.pk}").content.decode(),
        *(message.subject + message.body for message in mailoutbox if referrer.email in message.to),
    ]
    assert len(shown_to_referrer) == 5
    for shown in shown_to_referrer:
        assert format_day(heard_on) not in shown
        assert "a repeat" not in shown.lower() and '"is_repeat": true' not in shown
    decision_page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "A repeat: this MARAC heard this victim with the same perpetrator in the 12 months" in decision_page
    assert format_day(heard_on) not in decision_page  # other coordinators read it too, named on that case or not


def test_the_twelve_months_run_back_from_the_day_of_the_referral_not_the_day_it_was_accepted(
    client_for, referrer, coordinator, marac
):
    submitted_at = timezone.now() - timedelta(days=1)
    submitted_on = timezone.localdate(submitted_at)
    same_people = _heard(marac, heard_on=months_before(submitted_on, 12))
    referral = submitted(client_for, referrer, at=submitted_at)

    referral = accept(client_for, coordinator, referral, matches=same_people)

    assert referral.case.is_repeat
    assert referral.case.referred_on == submitted_on
    decision_page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "A repeat: this MARAC heard this victim" in decision_page
    case_page = client_for(referrer).get(f"/cases/{referral.case.pk}/").content.decode()
    assert f"{submitted_on.day} {submitted_on:%B %Y}" in case_page  # "Referred", as the referrer sees it


@pytest.mark.parametrize(("is_crime", "repeat"), [("no", False), ("yes", True), ("not_known", True)])
def test_under_the_toolkit_an_incident_that_would_not_be_a_crime_is_not_a_repeat(
    client_for, referrer, coordinator, marac, is_crime, repeat
):
    marac.repeat_definition = RepeatDefinition.TOOLKIT
    marac.save()
    today = timezone.localdate()
    same_people = _heard(marac, heard_on=today - timedelta(days=60))
    incident = {"happened_on": (today - timedelta(days=10)).isoformat(), "kind": "incident", "is_crime": is_crime}
    referral = submitted(client_for, referrer, history=[incident])

    referral = accept(client_for, coordinator, referral, matches=same_people)

    assert referral.case.is_repeat is repeat
    decision_page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert ("A repeat: this MARAC heard" in decision_page) is repeat
    assert ("Not a repeat." in decision_page) is not repeat


def test_under_safelives_an_incident_that_would_not_be_a_crime_is_still_a_repeat(
    client_for, referrer, coordinator, marac
):
    today = timezone.localdate()
    same_people = _heard(marac, heard_on=today - timedelta(days=60))
    incident = {"happened_on": (today - timedelta(days=10)).isoformat(), "kind": "incident", "is_crime": "no"}
    referral = submitted(client_for, referrer, history=[incident])

    referral = accept(client_for, coordinator, referral, matches=same_people)

    assert referral.case.is_repeat


# --- Children's services: a victim of 16 or 17 (CAM 4.3) ---------------------------------------------------------


def _victim_born(referral: Referral, born: date) -> None:
    """The victim's date of birth as submitted (set here: the pages would also ask for the Young People's checklist)."""
    referral.content = {**referral.content, "victim": {**referral.content["victim"], "date_of_birth": born.isoformat()}}
    referral.save()


def test_children_s_services_are_told_of_a_victim_of_17(client_for, referrer, coordinator, marac):
    today = timezone.localdate()
    referral = submitted(client_for, referrer)
    _victim_born(referral, date(today.year - 17, 1, 1) if today.month > 1 else date(today.year - 18, 6, 1))

    referral = accept(client_for, coordinator, referral)

    assert ChildrenNotification.objects.filter(case=referral.case).exists()
    case_page = client_for(coordinator).get(f"/cases/{referral.case.pk}/").content.decode()
    assert 'data-testid="children-notification"' in case_page
    assert "The victim was under 18 when referred: children's social care still has a safeguarding duty" in (case_page)


def test_children_s_services_are_not_told_of_an_adult_victim_with_no_children(client_for, referrer, coordinator):
    referral = accept(client_for, coordinator, submitted(client_for, referrer))

    assert not ChildrenNotification.objects.filter(case=referral.case).exists()
    case_page = client_for(coordinator).get(f"/cases/{referral.case.pk}/").content.decode()
    assert "Children's services were not notified" in case_page
    assert "under 18 when referred" not in case_page


# --- An urgent referral after the deadline: added as an emergency item, and the agenda says so ---


def test_an_urgent_referral_after_the_deadline_is_an_emergency_item_on_the_agenda(
    client_for, referrer, coordinator, marac
):
    marac.refresh_from_db()
    now = timezone.now()
    meetings = meetings_ensure_ahead(marac=marac, start=timezone.localdate())
    ahead = [meeting for meeting in meetings if listing_deadline(meeting.starts_at, calendar=ENGLAND) > now]
    meeting = ahead[0]
    deadline = listing_deadline(meeting.starts_at, calendar=ENGLAND)
    referral = submitted(client_for, referrer)
    criteria = {"urgent": "on", "urgency_reason": "Threats to kill made yesterday"}
    # Received a minute after the listing deadline of the next meeting still open to listing (whatever today is),
    # well before its emergency-item deadline six working days before it.
    Referral.objects.filter(pk=referral.pk).update(
        content={**referral.content, "criteria": criteria}, submitted_at=deadline + timedelta(minutes=1)
    )
    referral.refresh_from_db()

    referral = accept(client_for, coordinator, referral)

    listing = Listing.objects.get(case=referral.case)
    assert listing.meeting == meeting and listing.emergency_item
    page = client_for(coordinator).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Emergency item" in page
