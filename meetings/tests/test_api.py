"""Meetings, agendas and research through the open API, as a partner system holding an agency's credential sees
them: the pages' rules, answered as JSON."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from accounts.models import Role
from api.core import Day
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from audit.models import AuditAction, AuditEvent
from cases.models import CaseParty, CaseRestriction, PartyRole
from marac.models import AgencyType, MaracAgency
from meetings import agenda as agenda_rules
from meetings.models import (
    CaseListReceipt,
    ChildResearch,
    ChildStatus,
    Listing,
    Meeting,
    MeetingState,
    MeetingStatus,
    Research,
    VictimVoice,
)
from referrals.models import Referral
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _meeting(marac, *, days_ahead, released=False, status=None, emergency=False):
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    starts_at = datetime.datetime.combine(day, datetime.time(14, 15), tzinfo=timezone.get_current_timezone())
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at, is_emergency=emergency)
    if released or status:
        MeetingState.objects.create(
            meeting=meeting,
            case_list_released_at=timezone.now() if released else None,
            status=status or MeetingStatus.SCHEDULED,
        )
    return meeting


def _listed(meeting, *, reference, children=0, victim="Fictiona"):
    marac = meeting.marac
    case = CaseFactory(
        marac=marac, reference=reference, victim=PersonFactory(marac=marac, given_name=victim, family_name="Testworth")
    )
    for number in range(children):
        child = PersonFactory(marac=marac, given_name=f"Tiny{number}", date_of_birth=datetime.date(2019, 6, 1))
        CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    return Listing.objects.create(meeting=meeting, case=case)


def _restrict(listing, *named, by):
    listing.case.restricted = True
    listing.case.save(update_fields=["restricted"])
    for user in named:
        CaseRestriction.objects.create(case=listing.case, user=user, added_by=by)


@pytest.fixture
def police(marac, police_rep, bearer, issue_token):  # noqa: F811
    """The police force's records system: a credential of the police rep's agency, as a representative."""
    return bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))


@pytest.fixture
def coordination(marac, coordinator, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.COORDINATOR, agency=coordinator.agency))


@pytest.fixture
def released(marac):
    return _meeting(marac, days_ahead=4, released=True)


# --- Meetings -------------------------------------------------------------------------------------------------------


def test_an_agency_rep_gets_only_its_own_marac_s_meetings(police, marac, other_marac):
    ours = _meeting(marac, days_ahead=3)
    theirs = _meeting(other_marac, days_ahead=3)

    response = police.get("/api/v1/meetings", {"limit": 200})

    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ours.pk in ids
    assert theirs.pk not in ids
    assert {item["marac_id"] for item in response.json()["items"]} == {marac.pk}
    assert police.get("/api/v1/meetings", {"marac": other_marac.pk}).status_code == 422
    assert police.get(f"/api/v1/meetings/{theirs.pk}").status_code == 404


def test_meetings_filter_by_day_and_status_soonest_first(police, marac):
    first = _meeting(marac, days_ahead=2, status=MeetingStatus.IN_PROGRESS)
    second = _meeting(marac, days_ahead=3)
    day = timezone.localdate()
    window = {"from": str(day + datetime.timedelta(days=2)), "to": str(day + datetime.timedelta(days=3))}

    listed = police.get("/api/v1/meetings", window).json()
    running = police.get("/api/v1/meetings", window | {"status": "in_progress"}).json()
    scheduled = police.get("/api/v1/meetings", window | {"status": "scheduled"}).json()

    assert [item["id"] for item in listed["items"]] == [first.pk, second.pk]
    assert listed["count"] == 2
    assert [item["id"] for item in running["items"]] == [first.pk]
    assert [item["id"] for item in scheduled["items"]] == [second.pk]
    assert listed["items"][0]["status"] == "in_progress"
    assert police.get("/api/v1/meetings", {"status": "postponed"}).status_code == 422


def test_a_meeting_says_when_its_case_list_goes_out_and_whether_you_may_see_it(police, coordination, marac):
    later = _meeting(marac, days_ahead=40)
    emergency = _meeting(marac, days_ahead=1, emergency=True)

    seen_by_rep = police.get(f"/api/v1/meetings/{later.pk}").json()
    seen_by_coordinator = coordination.get(f"/api/v1/meetings/{later.pk}").json()

    assert seen_by_rep["case_list_released_at"] is None
    assert seen_by_rep["case_list_visible"] is False
    assert seen_by_coordinator["case_list_visible"] is True  # the coordinator prepares it
    release = datetime.datetime.fromisoformat(seen_by_rep["case_list_release_from"])
    assert release < later.starts_at - datetime.timedelta(days=5)  # five working days before
    assert police.get(f"/api/v1/meetings/{emergency.pk}").json()["case_list_release_from"] is None


def test_listing_meetings_is_audited_at_the_marac(police, marac):
    police.get("/api/v1/meetings")
    entry = AuditEvent.objects.filter(object_type="meetings.meeting", action=AuditAction.VIEW).latest("id")
    assert entry.marac_id == marac.pk
    assert entry.actor.email.endswith("@api-credential.openmarac.invalid")


def test_without_a_credential_it_is_401_and_a_board_viewer_gets_404(client, board_viewer, client_for, released):
    assert client.get("/api/v1/meetings").status_code == 401
    assert client_for(board_viewer).get("/api/v1/meetings").status_code == 404
    assert client_for(board_viewer).get(f"/api/v1/meetings/{released.pk}/agenda").status_code == 404


def test_an_outsider_at_another_marac_gets_404_for_the_meeting_and_its_agenda(client_for, outsider, released):
    _listed(released, reference="NB-00001")
    assert client_for(outsider).get(f"/api/v1/meetings/{released.pk}").status_code == 404
    assert client_for(outsider).get(f"/api/v1/meetings/{released.pk}/agenda").status_code == 404
    assert client_for(outsider).get("/api/v1/meetings/999999999/agenda").status_code == 404


# --- The agenda and case list ---------------------------------------------------------------------------------------


def test_the_agenda_has_cases_with_children_first_with_slot_times(police, marac, released):
    _listed(released, reference="NB-00001", victim="Adaline")
    _listed(released, reference="NB-00002", victim="Brigid", children=2)

    agenda = police.get(f"/api/v1/meetings/{released.pk}/agenda").json()

    assert [row["case_reference"] for row in agenda["listings"]] == ["NB-00002", "NB-00001"]
    first, second = agenda["listings"]
    assert first["number"] == 1
    age = agenda_rules.age_on(datetime.date(2019, 6, 1), timezone.localtime(released.starts_at).date())
    assert first["children"][0] == {"name": "Tiny0 Testperson", "age": age, "in_permanent_care": None}
    assert first["victim_name"] == "Brigid Testworth"
    assert datetime.datetime.fromisoformat(first["slot_starts_at"]) == released.starts_at
    minutes = datetime.timedelta(minutes=marac.minutes_per_case)
    assert datetime.datetime.fromisoformat(second["slot_starts_at"]) == released.starts_at + minutes
    assert datetime.datetime.fromisoformat(agenda["predicted_finish"]) == released.starts_at + 2 * minutes
    assert first["kind"] == "full"
    assert first["outcome"] is None


def test_the_agenda_takes_each_childs_permanent_care_from_the_referral(police, marac, released, referrer):
    with_children = _listed(released, reference="NB-00003", children=3)
    _listed(released, reference="NB-00004")  # no children: the referral is not needed
    answers = [{"given_name": "Tiny0", "in_permanent_care": "yes"}, {"given_name": "tiny1 ", "in_permanent_care": "no"}]
    Referral.objects.create(
        marac=marac, referrer=referrer, referring_agency=referrer.agency, case=with_children.case,
        content={"children": [
            {**answer, "family_name": "Testperson", "date_of_birth": "2019-06-01"} for answer in answers
        ]},
    )  # fmt: skip

    agenda = police.get(f"/api/v1/meetings/{released.pk}/agenda").json()

    rows = {row["case_reference"]: row for row in agenda["listings"]}
    assert [child["in_permanent_care"] for child in rows["NB-00003"]["children"]] == [True, False, None]
    assert rows["NB-00004"]["children"] == []


def test_a_restricted_case_is_absent_from_the_agenda_for_someone_not_named(
    police, client_for, coordinator, chair, released
):
    _listed(released, reference="NB-00001")
    hidden = _listed(released, reference="NB-00002", victim="Secreta")
    _restrict(hidden, chair, by=coordinator)

    for_police = police.get(f"/api/v1/meetings/{released.pk}/agenda").json()
    for_coordinator = client_for(coordinator).get(f"/api/v1/meetings/{released.pk}/agenda").json()
    for_chair = client_for(chair).get(f"/api/v1/meetings/{released.pk}/agenda").json()

    assert [row["case_reference"] for row in for_police["listings"]] == ["NB-00001"]
    assert "Secreta" not in str(for_police)
    assert [row["case_reference"] for row in for_coordinator["listings"]] == ["NB-00001"]
    assert {row["case_reference"] for row in for_chair["listings"]} == {"NB-00001", "NB-00002"}


def test_representatives_see_no_cases_until_the_case_list_is_released(police, coordination, marac):
    meeting = _meeting(marac, days_ahead=30)
    _listed(meeting, reference="NB-00001", victim="Adaline")

    before = police.get(f"/api/v1/meetings/{meeting.pk}/agenda").json()
    preparing = coordination.get(f"/api/v1/meetings/{meeting.pk}/agenda").json()

    assert before["listings"] == []
    assert before["predicted_finish"] is None
    assert "Adaline" not in str(before)
    assert [row["case_reference"] for row in preparing["listings"]] == ["NB-00001"]

    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    after = police.get(f"/api/v1/meetings/{meeting.pk}/agenda").json()
    assert [row["case_reference"] for row in after["listings"]] == ["NB-00001"]


def test_reading_the_agenda_is_recorded_as_opening_the_case_list(police, marac, police_rep, released):
    _listed(released, reference="NB-00001")
    police.get(f"/api/v1/meetings/{released.pk}/agenda")

    entry = AuditEvent.objects.filter(object_type="meetings.meeting", object_id=str(released.pk)).latest("id")
    assert entry.summary == "Opened the case list"
    assert entry.action == AuditAction.VIEW


def test_a_case_held_over_shows_where_it_went(coordination, coordinator, marac, released):
    gone = _listed(released, reference="NB-00001")
    later = _meeting(marac, days_ahead=35)
    Listing.objects.create(meeting=later, case=gone.case, held_over_from=released, held_over_reason="Awaiting police")
    gone.outcome = "held_over"
    gone.save()

    agenda = coordination.get(f"/api/v1/meetings/{released.pk}/agenda").json()

    assert agenda["listings"] == []
    assert agenda["held_over"][0]["meeting_id"] == later.pk
    assert agenda["held_over"][0]["reason"] == "Awaiting police"
    assert CaseListReceipt.objects.count() == 0  # nobody was sent it; opening it is still audited


# --- Research -------------------------------------------------------------------------------------------------------


@pytest.fixture
def listing(released):
    return _listed(released, reference="NB-00001")


def _research_url(listing, what="research"):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/{what}"


def _put(client, url, body, **query):
    suffix = "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    return client.put(url + suffix, body, content_type="application/json")


def test_a_rep_lists_the_cases_awaiting_its_agency_s_research(police, police_rep, released, listing):
    done = _listed(released, reference="NB-00002")
    Research.objects.create(listing=done, agency=police_rep.agency, author=police_rep, known_to_agency=False)

    everything = police.get("/api/v1/research").json()
    awaiting = police.get("/api/v1/research", {"awaiting": "true"}).json()

    statuses = {item["case_reference"]: item["research"] for item in everything["items"]}
    assert statuses == {
        "NB-00001": {"status": "not_yet", "version": 0},
        "NB-00002": {"status": "not_known", "version": 1},
    }
    assert [item["listing_id"] for item in awaiting["items"]] == [listing.pk]


def test_a_rep_records_its_agency_s_research_and_reads_it_back(police, police_rep, listing):
    before = police.get(_research_url(listing)).json()
    assert before["version"] == 0
    assert before["known_to_agency"] is None
    assert before["childrens_social_care"] is None

    response = _put(
        police, _research_url(listing), {"version": 0, "known_to_agency": True, "about_victim": "Two call-outs"}
    )

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response.json()["about_victim"] == "Two call-outs"
    saved = Research.objects.get(listing=listing)
    assert (saved.agency, saved.about_victim) == (police_rep.agency, "Two call-outs")
    entry = AuditEvent.objects.filter(object_type="meetings.research").latest("id")
    assert entry.action == AuditAction.CREATE
    assert "Two call-outs" not in str(entry.changes) + entry.summary


def test_research_is_validated_as_the_page_validates_it(police, listing):
    response = _put(police, _research_url(listing), {"version": 0, "known_to_agency": True})

    assert response.status_code == 422
    assert "Write what your agency knows" in response.json()["errors"]["body.about_victim"][0]
    assert not Research.objects.exists()

    contradicts = _put(police, _research_url(listing), {"version": 0, "known_to_agency": False, "about_children": "x"})
    assert contradicts.status_code == 422
    assert "body.about_children" in contradicts.json()["errors"]


def test_a_stale_research_version_gets_409_and_nothing_is_saved(police, police_rep, listing):
    Research.objects.create(
        listing=listing, agency=police_rep.agency, author=police_rep, about_victim="Saved first", version=2
    )

    response = _put(police, _research_url(listing), {"version": 1, "known_to_agency": True, "about_victim": "Mine"})

    assert response.status_code == 409
    assert "Nothing was saved" in response.json()["error"]
    research = Research.objects.get(listing=listing)
    assert (research.about_victim, research.version) == ("Saved first", 2)
    assert _put(police, _research_url(listing), {"version": 0, "known_to_agency": False}).status_code == 409


def test_only_children_s_social_care_records_its_own_items(police, marac, bearer, issue_token, listing):  # noqa: F811
    child = PersonFactory(marac=marac, given_name="Alfie")
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)
    csc_agency = AgencyFactory(name="Northbrook Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    csc = bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=csc_agency))
    items = {
        "proceedings": "Child protection plan since May",
        "children": [{"child_id": child.pk, "status": "child_in_need"}],
    }

    refused = _put(
        police, _research_url(listing), {"version": 0, "known_to_agency": False, "childrens_social_care": items}
    )
    wrong_child = _put(
        csc,
        _research_url(listing),
        {"version": 0, "known_to_agency": True, "childrens_social_care": items | {"children": [{"child_id": 0}]}},
    )
    saved = _put(csc, _research_url(listing), {"version": 0, "known_to_agency": True, "childrens_social_care": items})

    assert refused.status_code == 422
    assert "body.childrens_social_care" in refused.json()["errors"]
    assert wrong_child.status_code == 422
    assert "body.childrens_social_care.children[0].child_id" in wrong_child.json()["errors"]
    assert saved.status_code == 200, saved.json()
    csc_items = saved.json()["childrens_social_care"]
    assert csc_items["proceedings"] == "Child protection plan since May"
    assert csc_items["children"] == [
        {
            "child_id": child.pk,
            "name": "Alfie Testperson",
            "status": "child_in_need",
            "harmful_behaviour": False,
            "notes": "",
        }
    ]
    assert ChildResearch.objects.get(child=child).status == ChildStatus.CHILD_IN_NEED
    assert Research.objects.filter(agency__agency_type=AgencyType.POLICE).count() == 0


def test_a_rep_cannot_read_or_record_another_agency_s_research(police, coordination, idva, listing):
    url = _research_url(listing)
    assert police.get(url, {"agency": idva.agency_id}).status_code == 404
    assert _put(police, url, {"version": 0, "known_to_agency": False}, agency=idva.agency_id).status_code == 404
    # The coordinator may record a submission one of the MARAC's agencies sent in by e-mail.
    MaracAgency.objects.create(marac=listing.meeting.marac, agency=idva.agency)
    on_behalf = _put(coordination, url, {"version": 0, "known_to_agency": False}, agency=idva.agency_id)
    assert on_behalf.status_code == 200
    assert Research.objects.get().agency == idva.agency


def test_an_outsider_and_a_board_viewer_get_404_for_research(client_for, outsider, board_viewer, listing):
    for user in (outsider, board_viewer):
        assert client_for(user).get(_research_url(listing)).status_code == 404
    assert client_for(board_viewer).get("/api/v1/research").status_code == 404
    # The outsider researches at their own MARAC: their list has nothing of this one.
    assert client_for(outsider).get("/api/v1/research").json()["count"] == 0
    assert client_for(outsider).get("/api/v1/research", {"marac": listing.meeting.marac_id}).status_code == 422


def test_research_on_a_restricted_case_is_404_for_someone_not_named(police, coordinator, chair, listing):
    _restrict(listing, chair, by=coordinator)
    assert police.get(_research_url(listing)).status_code == 404
    assert police.get("/api/v1/research").json()["count"] == 0


def test_research_on_a_listing_of_another_meeting_is_404(police, marac, listing):
    elsewhere = _meeting(marac, days_ahead=9)
    assert police.get(f"/api/v1/meetings/{elsewhere.pk}/listings/{listing.pk}/research").status_code == 404


# --- The victim's voice ---------------------------------------------------------------------------------------------


@pytest.fixture
def idva_service(marac, idva, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.IDVA, agency=idva.agency))


def test_the_idva_records_the_victim_s_voice(idva_service, listing):
    url = _research_url(listing, "victim-voice")
    assert idva_service.get(url).json() | {"updated_at": None} == {
        "listing_id": listing.pk,
        "meeting_id": listing.meeting_id,
        "case_id": listing.case_id,
        "version": 0,
        "victim_views": "",
        "child_voice": "",
        "updated_at": None,
    }

    response = _put(idva_service, url, {"version": 0, "victim_views": "Wants to stay at home with a safety plan"})

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert VictimVoice.objects.get(listing=listing).victim_views == "Wants to stay at home with a safety plan"


def test_the_victim_s_voice_is_validated_and_versioned(idva_service, idva, listing):
    url = _research_url(listing, "victim-voice")
    empty = _put(idva_service, url, {"version": 0})
    assert empty.status_code == 422
    assert "body.victim_views" in empty.json()["errors"]

    VictimVoice.objects.create(listing=listing, victim_views="Saved first", recorded_by=idva, version=3)
    stale = _put(idva_service, url, {"version": 2, "victim_views": "Mine"})
    assert stale.status_code == 409
    assert VictimVoice.objects.get().victim_views == "Saved first"


def test_a_police_rep_gets_404_for_the_victim_s_voice(police, listing):
    url = _research_url(listing, "victim-voice")
    assert police.get(url).status_code == 404
    assert _put(police, url, {"version": 0, "victim_views": "x"}).status_code == 404


def test_a_named_user_gets_403_until_they_give_a_reason_on_the_page(client_for, coordinator, marac, listing):
    rep = grant(UserFactory(full_name="Nia Named"), marac, Role.AGENCY_REPRESENTATIVE)
    _restrict(listing, rep, by=coordinator)
    response = client_for(rep).get(_research_url(listing))
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]


# --- Days in queries and bodies -------------------------------------------------------------------------------------


@given(st.dates())
def test_any_day_written_as_yyyy_mm_dd_is_read_as_that_day(day):
    assert TypeAdapter(Day).validate_python(day.isoformat()) == day


@given(st.integers() | st.floats(allow_nan=False) | st.text().filter(lambda text: len(text) != 10))
def test_a_number_or_other_text_is_never_taken_for_a_day(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python(value)
