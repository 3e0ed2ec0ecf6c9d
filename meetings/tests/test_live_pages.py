"""The register, the confidentiality agreement and live meeting mode, through the real pages."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from audit.models import AuditEvent
from cases.models import CaseParty, PartyRole
from marac.models import AgencyType, MaracAgency
from meetings import live_rules
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import (
    Attendance,
    AttendanceCapacity,
    Listing,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
    ProcessLink,
)
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import AgencyFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(marac):
    # An hour away, so its case list is out (as it is from five working days before): representatives see it.
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


@pytest.fixture
def agencies(marac, police_rep, idva):
    idva.agency.agency_type = AgencyType.IDVA_SERVICE
    idva.agency.save()
    housing = AgencyFactory(name="Northbrook Housing", agency_type=AgencyType.HOUSING)
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    MaracAgency.objects.create(marac=marac, agency=idva.agency, is_core=True, representative=idva)
    MaracAgency.objects.create(marac=marac, agency=housing, is_core=True)
    return {"police": police_rep.agency, "idva": idva.agency, "housing": housing}


@pytest.fixture
def listing(marac, meeting, agencies):
    case = CaseFactory(marac=marac)
    return Listing.objects.create(meeting=meeting, case=case)


def _with_child(listing):
    child = PersonFactory(marac=listing.case.marac, given_name="Tiny", date_of_birth=datetime.date(2019, 6, 1))
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)


def _due_after(meeting):
    """A working day a week after the meeting, as an action's "Due by" must be (dates from today: a fixed day would
    fall before the meeting once the calendar passed it)."""
    return add_working_days(timezone.localtime(meeting.starts_at).date(), 5, calendar=WorkingCalendar())


def _live_url(listing, step=""):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def test_a_listing_is_found_only_under_its_own_meeting(client_for, coordinator, police_rep, marac, listing):
    other = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=7))
    _running(listing.meeting, coordinator, police_rep)
    _running(other, coordinator, police_rep)
    client = client_for(police_rep)
    assert client.get(_live_url(listing)).status_code == 200
    assert client.get(f"/meetings/{other.pk}/live/{listing.pk}/").status_code == 404


def _running(meeting, *users):
    for user in users:
        confidentiality_sign(meeting=meeting, user=user)
    _released(meeting)
    meeting_start(meeting=meeting, by=users[0], other_day_confirmed=True)


def _released(meeting):
    state, _ = MeetingState.objects.get_or_create(meeting=meeting)
    state.case_list_released_at = timezone.now()
    state.save()


# --- Confidentiality ------------------------------------------------------------------------------------------------


def test_it_sends_someone_who_has_not_signed_to_the_agreement(client_for, police_rep, listing):
    response = client_for(police_rep).get(_live_url(listing))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/meetings/{listing.meeting_id}/sign/")


def test_it_asks_even_the_chair_to_sign_before_the_live_meeting(client_for, chair, meeting):
    response = client_for(chair).get(f"/meetings/{meeting.pk}/live/")
    assert response.status_code == 302 and "/sign/" in response["Location"]


def test_it_records_the_signature_on_the_register_and_lets_them_in(client_for, police_rep, listing):
    client = client_for(police_rep)
    page = client.get(f"/meetings/{listing.meeting_id}/sign/?next={_live_url(listing)}")
    assert b"I agree" in page.content
    response = client.post(f"/meetings/{listing.meeting_id}/sign/", {"next": _live_url(listing)})
    assert response["Location"] == _live_url(listing)
    row = Attendance.objects.get(meeting=listing.meeting, user=police_rep)
    assert row.confidentiality_signed_at is not None and row.present
    assert row.agency == police_rep.agency and row.capacity == AttendanceCapacity.REPRESENTATIVE
    assert client.get(_live_url(listing)).status_code == 200


def test_it_never_sends_the_signer_off_the_meeting(client_for, police_rep, meeting):
    response = client_for(police_rep).post(f"/meetings/{meeting.pk}/sign/", {"next": "https://example.invalid/"})
    assert response["Location"] == f"/meetings/{meeting.pk}/live/"


def test_it_shows_a_representative_the_case_read_only(client_for, police_rep, coordinator, listing):
    _running(listing.meeting, coordinator, police_rep)
    page = client_for(police_rep).get(_live_url(listing))
    assert page.status_code == 200
    assert b"Save the minute" not in page.content and b"Next case" not in page.content
    assert client_for(police_rep).post(_live_url(listing, "minutes/"), {}).status_code == 404


def test_it_shows_outsiders_nothing(client_for, outsider, listing):
    client = client_for(outsider)
    meeting_id = listing.meeting_id
    for url in (
        f"/meetings/{meeting_id}/register/",
        f"/meetings/{meeting_id}/sign/",
        f"/meetings/{meeting_id}/live/",
        _live_url(listing),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/meetings/{meeting_id}/sign/").status_code == 404
    assert not Attendance.objects.filter(user=outsider).exists()


def test_it_refuses_the_register_to_a_representative(client_for, police_rep, meeting):
    assert client_for(police_rep).get(f"/meetings/{meeting.pk}/register/").status_code == 404


# --- The register ---------------------------------------------------------------------------------------------------


def test_it_warns_of_core_agencies_with_no_one_present(client_for, coordinator, police_rep, meeting, agencies):
    client = client_for(coordinator)
    page = client.get(f"/meetings/{meeting.pk}/register/")
    assert b"core-agency-warning" in page.content and b"Northbrook Housing" in page.content
    client.post(
        f"/meetings/{meeting.pk}/register/",
        {"agency": agencies["police"].pk, "user": police_rep.pk, "capacity": "representative", "present": "yes"},
    )
    client.post(
        f"/meetings/{meeting.pk}/register/",
        {"agency": agencies["housing"].pk, "user": "", "capacity": "written_submission", "present": "no"},
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    page = client.get(f"/meetings/{meeting.pk}/register/")
    warning = page.content.split(b"core-agency-warning")[1].split(b"</div>")[0]
    assert b"Ivy" not in warning and b"Northbrook IDVA Service" in warning
    assert b"Northbrook Housing" not in warning and b"Northbrook Constabulary" not in warning


def test_it_asks_who_attends_unless_it_is_a_written_submission(client_for, coordinator, meeting, agencies):
    response = client_for(coordinator).post(
        f"/meetings/{meeting.pk}/register/", {"agency": agencies["police"].pk, "capacity": "deputy", "present": "yes"}
    )
    assert response.status_code == 200
    assert b"Choose who is attending" in response.content


def test_it_marks_apologies(client_for, coordinator, police_rep, meeting, agencies):
    row = Attendance.objects.create(meeting=meeting, user=police_rep, agency=agencies["police"], capacity="deputy")
    client_for(coordinator).post(f"/meetings/{meeting.pk}/register/{row.pk}/present/", {"present": "no"})
    row.refresh_from_db()
    assert row.present is False


def test_it_allows_two_observers_and_refuses_a_third_clearly(client_for, coordinator, meeting):
    client = client_for(coordinator)
    for name in ("Olive Observer", "Oscar Onlooker"):
        response = client.post(
            f"/meetings/{meeting.pk}/register/observers/",
            {"observer_name": name, "observer_organisation": "Elsewhere MARAC"},
        )
        assert response.status_code == 302
    response = client.post(
        f"/meetings/{meeting.pk}/register/observers/",
        {"observer_name": "Third Person", "observer_organisation": "Elsewhere"},
    )
    assert response.status_code == 200
    assert b"already has 2 observers" in response.content
    observers = Attendance.objects.filter(meeting=meeting, capacity=AttendanceCapacity.OBSERVER)
    assert observers.count() == 2
    assert {row.observer_approved_by for row in observers} == {coordinator}


def test_it_records_an_observer_signing_in_person(client_for, coordinator, meeting):
    client = client_for(coordinator)
    client.post(
        f"/meetings/{meeting.pk}/register/observers/",
        {"observer_name": "Olive Observer", "observer_organisation": "Elsewhere MARAC"},
    )
    observer = Attendance.objects.get(meeting=meeting, capacity=AttendanceCapacity.OBSERVER)
    assert b"Signed<span" in client.get(f"/meetings/{meeting.pk}/register/").content
    client.post(f"/meetings/{meeting.pk}/register/{observer.pk}/signed/")
    observer.refresh_from_db()
    assert observer.confidentiality_signed_at is not None
    assert "Olive" not in " ".join(AuditEvent.objects.values_list("summary", flat=True))


def test_it_refuses_an_observer_once_the_meeting_has_started(client_for, coordinator, meeting):
    _running(meeting, coordinator)
    response = client_for(coordinator).post(
        f"/meetings/{meeting.pk}/register/observers/", {"observer_name": "Late Comer", "observer_organisation": "X"}
    )
    assert b"before the meeting starts" in response.content


# --- Live meeting mode ----------------------------------------------------------------------------------------------


def test_it_starts_and_closes_the_meeting(client_for, chair, meeting):
    confidentiality_sign(meeting=meeting, user=chair)
    _released(meeting)
    client = client_for(chair)
    client.post(f"/meetings/{meeting.pk}/live/start/", {"confirmed": "yes"})
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.IN_PROGRESS
    asked = client.post(f"/meetings/{meeting.pk}/live/close/")
    assert asked.status_code == 200 and "Closing the meeting cannot be undone" in asked.content.decode()
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.IN_PROGRESS
    client.post(f"/meetings/{meeting.pk}/live/close/", {"confirmed": "yes"})
    assert MeetingState.objects.get(meeting=meeting).status == MeetingStatus.CLOSED


def test_it_opens_a_case_with_its_standard_actions_once(client_for, coordinator, listing, agencies):
    _running(listing.meeting, coordinator)
    client = client_for(coordinator)
    client.post(_live_url(listing, "open/"))
    client.post(_live_url(listing, "open/"))
    listing.refresh_from_db()
    assert listing.started_at is not None
    standard = Action.objects.filter(listing=listing, is_standard=True)
    assert standard.filter(description=live_rules.FLAG_AND_TAG).count() == 3  # one per core agency
    assert standard.get(description=live_rules.TREAT_AS_URGENT).owner_agency == agencies["police"]
    assert standard.get(description=live_rules.IDVA_REFERRAL).owner_agency == agencies["idva"]
    assert standard.get(description=live_rules.FEEDBACK_BY_IDVA).owner_agency == agencies["idva"]
    assert standard.count() == 6


def test_it_shows_the_timer_against_the_slot(client_for, coordinator, listing):
    _running(listing.meeting, coordinator)
    Listing.objects.filter(pk=listing.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=20))
    page = client_for(coordinator).get(_live_url(listing)).content.decode()
    assert "Slot: 15 minutes" in page and "20 minutes so far" in page and "Over time by 5 minutes" in page


def test_once_the_discussion_has_ended_it_shows_how_long_it_took_not_a_count_still_running(
    client_for, coordinator, listing
):
    _running(listing.meeting, coordinator)
    began = timezone.now() - datetime.timedelta(hours=2)
    Listing.objects.filter(pk=listing.pk).update(started_at=began, ended_at=began + datetime.timedelta(minutes=11))
    page = client_for(coordinator).get(_live_url(listing)).content.decode()
    assert "Discussed for 11 minutes." in page and "so far" not in page and "Over time" not in page
    assert f"Discussion ended at {timezone.localtime(began + datetime.timedelta(minutes=11)):%H:%M}." in page


def test_an_emergency_meetings_pages_say_so_with_the_date_as_gov_uk_writes_it(client_for, coordinator, marac):
    at = datetime.datetime(2026, 11, 25, 14, 0, tzinfo=datetime.UTC)  # 14:00 in London in November
    meeting = Meeting.objects.create(marac=marac, starts_at=at, is_emergency=True)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    client = client_for(coordinator)
    sign = client.get(f"/meetings/{meeting.pk}/sign/").content.decode()
    assert "<title>Confidentiality agreement: Emergency MARAC on Wednesday 25 November 2026 at 14:00" in sign
    confidentiality_sign(meeting=meeting, user=coordinator)

    page = client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    register = client.get(f"/meetings/{meeting.pk}/register/").content.decode()

    assert "<title>Live meeting: Emergency MARAC on Wednesday 25 November 2026 at 14:00" in page
    assert '<h1 class="govuk-heading-l">Emergency MARAC on Wednesday 25 November 2026 at 14:00</h1>' in page
    assert "<title>Register: Emergency MARAC on Wednesday 25 November 2026 at 14:00" in register
    assert "2026-11-25" not in page + register + sign and "Meeting of" not in page


def test_it_shows_the_research_at_hand(client_for, coordinator, listing, agencies):
    from meetings.models import Research

    Research.objects.create(
        listing=listing,
        agency=agencies["police"],
        author=coordinator,
        about_perpetrator="Two previous call-outs to the address.",
    )
    confidentiality_sign(meeting=listing.meeting, user=coordinator)
    page = client_for(coordinator).get(_live_url(listing))
    assert b"Two previous call-outs" in page.content


def test_it_saves_the_minute_and_audits_without_its_words(client_for, coordinator, listing):
    _running(listing.meeting, coordinator)
    response = client_for(coordinator).post(
        _live_url(listing, "minutes/"),
        {"risks_minute": "Threats to kill.", "decisions_minute": "Refuge place sought.", "version": listing.version},
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.risks_minute, listing.decisions_minute) == ("Threats to kill.", "Refuge place sought.")
    event = AuditEvent.objects.filter(object_type="meetings.listing").first()
    assert "Threats" not in event.summary and "Threats" not in str(event.changes)


def test_it_shows_both_versions_when_someone_saved_the_minute_first(client_for, coordinator, chair, listing):
    _running(listing.meeting, coordinator, chair)
    base = listing.version
    client_for(chair).post(
        _live_url(listing, "minutes/"), {"risks_minute": "Chair's words.", "decisions_minute": "", "version": base}
    )
    response = client_for(coordinator).post(
        _live_url(listing, "minutes/"),
        {"risks_minute": "Coordinator's words.", "decisions_minute": "", "version": base},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Chair&#x27;s words." in page and "Coordinator&#x27;s words." in page
    listing.refresh_from_db()
    assert listing.risks_minute == "Chair's words."
    # Choosing to keep theirs: the form now carries the saved version, so it goes through.
    client_for(coordinator).post(
        _live_url(listing, "minutes/"),
        {"risks_minute": "Coordinator's words.", "decisions_minute": "", "version": listing.version},
    )
    listing.refresh_from_db()
    assert listing.risks_minute == "Coordinator's words."


def test_it_records_a_volunteered_action(client_for, chair, listing, agencies):
    _running(listing.meeting, chair)
    response = client_for(chair).post(
        _live_url(listing, "actions/"),
        {
            "owner_agency": agencies["housing"].pk,
            "description": "Assess for a management transfer.",
            "for_whom": ForWhom.VICTIM,
            "due_on": _due_after(listing.meeting).isoformat(),
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(listing=listing, is_standard=False)
    assert (action.owner_agency, action.case, action.created_by) == (agencies["housing"], listing.case, chair)


def test_it_refuses_an_action_owned_by_an_agency_outside_the_marac(client_for, chair, listing):
    _running(listing.meeting, chair)
    stranger = AgencyFactory(name="Faraway Council")
    response = client_for(chair).post(
        _live_url(listing, "actions/"),
        {
            "owner_agency": stranger.pk,
            "description": "Something.",
            "for_whom": ForWhom.VICTIM,
            "due_on": _due_after(listing.meeting).isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Action.objects.filter(listing=listing).exists()


def test_it_warns_before_moving_on_from_a_plan_without_perpetrator_or_children(client_for, chair, listing, meeting):
    _with_child(listing)
    second = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=meeting.marac))
    _running(meeting, chair)
    client = client_for(chair)
    client.post(_live_url(listing, "open/"))
    response = client.post(_live_url(listing, "next/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "no action to address the perpetrator" in page and "no action for the children" in page
    assert "The case has no outcome recorded yet" in page  # and the outcome, missing too, is named with them
    assert f'href="{_live_url(listing)}#outcome">record its outcome</a>' in page
    assert "Go back" in page and "Move on anyway" in page
    listing.refresh_from_db()
    assert listing.ended_at is None
    response = client.post(_live_url(listing, "next/"), {"confirmed": "yes"})
    assert response["Location"] == _live_url(second)
    listing.refresh_from_db()
    second.refresh_from_db()
    assert listing.ended_at is not None and second.started_at is not None


def test_it_moves_on_without_asking_when_the_plan_covers_both(client_for, chair, listing, agencies):
    _with_child(listing)
    _running(listing.meeting, chair)
    for for_whom in (ForWhom.PERPETRATOR, ForWhom.CHILDREN):
        Action.objects.create(
            listing=listing,
            case=listing.case,
            owner_agency=agencies["police"],
            description="x",
            for_whom=for_whom,
            due_on=_due_after(listing.meeting),
            created_by=chair,
        )
    response = client_for(chair).post(_live_url(listing, "next/"))
    assert response["Location"] == f"/meetings/{listing.meeting_id}/live/"


def test_it_records_links_to_other_processes_and_the_outcome(client_for, chair, listing):
    _running(listing.meeting, chair)
    client = client_for(chair)
    client.post(_live_url(listing, "links/"), {"kind": "mappa", "note": "Level 2"})
    client.post(_live_url(listing, "outcome/"), {"outcome": Outcome.REVIEW})
    listing.refresh_from_db()
    assert listing.outcome == Outcome.REVIEW
    assert ProcessLink.objects.get(listing=listing).kind == "mappa"
    refused = client.post(_live_url(listing, "outcome/"), {"outcome": Outcome.HELD_OVER})
    assert refused.status_code == 200 and b"<title>Error: " in refused.content  # shown again, the radios in error
    listing.refresh_from_db()
    assert listing.outcome == Outcome.REVIEW
