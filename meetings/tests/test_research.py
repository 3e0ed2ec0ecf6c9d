"""Research before the meeting (BD Research, Attendance; BED 5-6; CAM 5.2)."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import CaseParty, PartyRole
from marac.models import AgencyType, MaracAgency
from meetings.models import ChildResearch, ChildStatus, Listing, Meeting, MeetingState, Research, VictimVoice
from meetings.research_selectors import research_summary
from meetings.research_services import StaleResearch, research_save
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(marac):
    starts = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts)
    # Released: representatives research a meeting's cases once its case list has gone out (test_research_release).
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


@pytest.fixture
def listing(marac, meeting):
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference="NB-00001"))


@pytest.fixture
def csc_rep(marac):
    agency = AgencyFactory(name="Northbrook Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    return grant(UserFactory(full_name="Cass Carer", agency=agency), marac, Role.AGENCY_REPRESENTATIVE)


@pytest.fixture
def members(marac, police_rep, csc_rep, idva):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=csc_rep.agency, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=idva.agency, is_core=False)


def _url(listing, name="research"):
    return reverse(f"meetings_research:{name}", args=[listing.pk])


def _grid_url(meeting):
    return reverse("meetings_research:grid", args=[meeting.pk])


def _known(text="Two call-outs in March", version=0, **extra):
    return {"known_to_agency": "yes", "about_victim": text, "version": version, **extra}


def _child(listing, given_name):
    child = PersonFactory(marac=listing.case.marac, given_name=given_name)
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)
    return child


def test_a_rep_records_research_and_the_grid_shows_it(client_for, police_rep, coordinator, listing, meeting, members):
    response = client_for(police_rep).post(_url(listing), _known())
    assert response.status_code == 302
    research = Research.objects.get(listing=listing, agency=police_rep.agency)
    assert research.about_victim == "Two call-outs in March"
    assert research.author == police_rep

    grid = client_for(coordinator).get(_grid_url(meeting))
    assert grid.status_code == 200
    cells = grid.content.decode()
    assert "NB-00001" in cells
    assert 'data-status="researched"' in cells
    assert "Northbrook Constabulary" in cells


def test_it_needs_no_text_when_the_family_is_not_known_to_us(client_for, police_rep, listing):
    response = client_for(police_rep).post(_url(listing), {"known_to_agency": "no", "version": 0})
    assert response.status_code == 302
    assert Research.objects.get(listing=listing).known_to_agency is False


def test_it_asks_for_text_when_the_family_is_known(client_for, police_rep, listing):
    response = client_for(police_rep).post(_url(listing), _known(text=""))
    assert response.status_code == 200
    assert "Write what your agency knows" in response.content.decode()
    assert not Research.objects.exists()


def test_it_offers_childrens_social_care_items_and_child_status_only_to_csc(client_for, police_rep, csc_rep, listing):
    _child(listing, "Alfie")
    police_page = client_for(police_rep).get(_url(listing)).content.decode()
    assert 'name="proceedings"' not in police_page
    assert 'data-testid="child-research"' not in police_page

    csc_page = client_for(csc_rep).get(_url(listing)).content.decode()
    assert 'name="proceedings"' in csc_page
    assert "Alfie" in csc_page


def test_children_s_social_care_saves_a_status_for_each_child(client_for, csc_rep, listing):
    alfie, bea = _child(listing, "Alfie"), _child(listing, "Bea")
    data = _known(proceedings="Child protection plan since May")
    data |= {f"child-{alfie.pk}-status": ChildStatus.CHILD_PROTECTION_PLAN, f"child-{alfie.pk}-notes": "At school"}
    data |= {f"child-{bea.pk}-status": ChildStatus.CHILD_IN_NEED, f"child-{bea.pk}-harmful_behaviour": "on"}
    assert client_for(csc_rep).post(_url(listing), data).status_code == 302

    research = Research.objects.get(listing=listing)
    assert research.proceedings == "Child protection plan since May"
    rows = {row.child_id: row for row in ChildResearch.objects.filter(research=research)}
    assert rows[alfie.pk].status == ChildStatus.CHILD_PROTECTION_PLAN
    assert rows[alfie.pk].harmful_behaviour is False
    assert rows[bea.pk].status == ChildStatus.CHILD_IN_NEED
    assert rows[bea.pk].harmful_behaviour is True


def test_a_second_save_updates_each_child_s_row_and_the_form_shows_what_is_saved(client_for, csc_rep, listing):
    alfie = _child(listing, "Alfie")
    stray = PersonFactory(marac=listing.case.marac, given_name="Stray")  # not a child on this case
    client = client_for(csc_rep)
    data = _known() | {f"child-{alfie.pk}-status": ChildStatus.CHILD_PROTECTION_PLAN}
    assert client.post(_url(listing), data | {f"child-{stray.pk}-status": ChildStatus.CHILD_IN_NEED}).status_code == 302
    data = _known(version=1) | {
        f"child-{alfie.pk}-status": ChildStatus.CHILD_IN_NEED,
        f"child-{alfie.pk}-notes": "Seen",
    }
    assert client.post(_url(listing), data).status_code == 302

    rows = list(ChildResearch.objects.filter(research__listing=listing))
    assert [(row.child_id, row.status, row.notes) for row in rows] == [(alfie.pk, ChildStatus.CHILD_IN_NEED, "Seen")]
    change = AuditEvent.objects.filter(object_type="meetings.research").order_by("-id").first()
    assert change is not None and change.changes["children"] == [str(alfie.pk)]
    page = client.get(_url(listing)).content.decode()
    assert f'<option value="{ChildStatus.CHILD_IN_NEED}" selected>' in page
    assert "Stray" not in page


def test_a_rep_outside_children_s_social_care_cannot_save_its_items(police_rep, listing):
    research = research_save(
        listing=listing,
        agency=police_rep.agency,
        data={"known_to_agency": True, "about_victim": "Known", "proceedings": "Not theirs to say"},
        based_on_version=0,
        by=police_rep,
    )
    assert research.proceedings == ""


def test_the_idva_s_victim_voice_is_shown_in_the_research_summary(client_for, idva, listing):
    response = client_for(idva).post(
        _url(listing, "victim_voice"),
        {"victim_views": "Wants to stay in her home", "child_voice": "Feels safe at school", "version": 0},
    )
    assert response.status_code == 302
    context = {"listing": listing, "summary": research_summary(listing=listing)}
    summary = render_to_string("meetings/research_summary.html", context)
    assert "Wants to stay in her home" in summary
    assert "Feels safe at school" in summary
    assert "Wants to stay in her home" in client_for(idva).get(_url(listing)).content.decode()


def test_a_representative_cannot_record_the_victim_s_voice(client_for, police_rep, listing):
    response = client_for(police_rep).post(_url(listing, "victim_voice"), {"victim_views": "X", "version": 0})
    assert response.status_code == 404
    assert not VictimVoice.objects.exists()


def test_a_late_written_submission_still_saves_and_is_flagged(client_for, marac, police_rep, coordinator, members):
    # The meeting starts in two hours, so its deadline (24 hours before) has passed.
    soon = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=2))
    MeetingState.objects.create(meeting=soon, case_list_released_at=timezone.now() - timedelta(days=5))
    late_listing = Listing.objects.create(meeting=soon, case=CaseFactory(marac=marac))
    client = client_for(police_rep)
    response = client.post(_url(late_listing), _known(is_written_submission="on"), follow=True)
    assert Research.objects.get(listing=late_listing).is_written_submission
    assert 'data-testid="late"' in response.content.decode()
    assert "was late" in response.content.decode()

    grid = client_for(coordinator).get(_grid_url(soon)).content.decode()
    assert 'data-status="written"' in grid
    assert 'data-testid="late"' in grid


def test_at_an_emergency_marac_a_written_submission_before_it_starts_is_on_time(
    client_for, marac, police_rep, coordinator, members
):
    # Called this morning for this afternoon: 24 hours before had passed before anyone knew of it.
    soon = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=2), is_emergency=True)
    MeetingState.objects.create(meeting=soon, case_list_released_at=timezone.now() - timedelta(hours=1))
    listing = Listing.objects.create(meeting=soon, case=CaseFactory(marac=marac))
    page = client_for(police_rep).post(_url(listing), _known(is_written_submission="on"), follow=True).content.decode()
    assert Research.objects.get(listing=listing).is_written_submission
    assert 'data-testid="late"' not in page and "was late" not in page
    assert 'data-testid="late"' not in client_for(coordinator).get(_grid_url(soon)).content.decode()


def test_a_written_submission_on_time_is_not_flagged(client_for, police_rep, coordinator, listing, meeting, members):
    client_for(police_rep).post(_url(listing), _known(is_written_submission="on"))
    grid = client_for(coordinator).get(_grid_url(meeting)).content.decode()
    assert 'data-status="written"' in grid
    assert 'data-testid="late"' not in grid


def test_a_stale_save_is_refused_and_both_versions_are_shown(client_for, police_rep, listing):
    colleague = grant(UserFactory(agency=police_rep.agency), listing.case.marac, Role.AGENCY_REPRESENTATIVE)
    research_save(
        listing=listing,
        agency=police_rep.agency,
        data={"known_to_agency": True, "about_victim": "Saved by a colleague"},
        based_on_version=0,
        by=colleague,
    )
    # police_rep opened the page before the colleague saved, so their form is based on "nothing saved yet".
    response = client_for(police_rep).post(_url(listing), _known(text="My own notes"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your changes have not been saved" in page
    assert "Saved by a colleague" in page
    assert "My own notes" in page
    assert Research.objects.get(listing=listing).about_victim == "Saved by a colleague"


def test_the_service_refuses_a_stale_version(police_rep, listing):
    saved = research_save(
        listing=listing, agency=police_rep.agency, data={"about_victim": "First"}, based_on_version=0, by=police_rep
    )
    with pytest.raises(StaleResearch) as refused:
        research_save(
            listing=listing,
            agency=police_rep.agency,
            data={"about_victim": "Second"},
            based_on_version=saved.version - 1,
            by=police_rep,
        )
    assert refused.value.current.about_victim == "First"


def test_a_rep_cannot_edit_another_agency_s_research(client_for, police_rep, csc_rep, listing):
    url = reverse("meetings_research:research_for_agency", args=[listing.pk, csc_rep.agency.pk])
    client = client_for(police_rep)
    assert client.get(url).status_code == 404
    assert client.post(url, _known()).status_code == 404
    assert not Research.objects.exists()


def test_the_coordinator_may_record_a_submission_for_an_agency(client_for, coordinator, csc_rep, listing, members):
    url = reverse("meetings_research:research_for_agency", args=[listing.pk, csc_rep.agency.pk])
    assert client_for(coordinator).post(url, {"known_to_agency": "no", "version": 0}).status_code == 302
    assert Research.objects.get(listing=listing).agency == csc_rep.agency


def test_outsiders_get_a_404(client_for, outsider, listing, meeting):
    client = client_for(outsider)
    assert client.get(_url(listing)).status_code == 404
    assert client.post(_url(listing), _known()).status_code == 404
    assert client.get(_url(listing, "victim_voice")).status_code == 404
    assert client.get(_grid_url(meeting)).status_code == 404
    assert not Research.objects.exists()


def test_the_chair_sees_the_grid_but_does_not_record_research(client_for, chair, listing, meeting):
    assert client_for(chair).get(_grid_url(meeting)).status_code == 200
    assert client_for(chair).get(_url(listing)).status_code == 404


def test_the_grid_counts_each_agency_s_research(client_for, marac, coordinator, police_rep, csc_rep, meeting, members):
    first = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    second = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    third = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    for listing in (first, second):
        research_save(listing=listing, agency=police_rep.agency, data=_fields(), based_on_version=0, by=police_rep)
    research_save(
        listing=third, agency=police_rep.agency, data={"known_to_agency": False}, based_on_version=0, by=police_rep
    )
    research_save(
        listing=first, agency=csc_rep.agency, data=_fields(is_written_submission=True), based_on_version=0, by=csc_rep
    )

    grid = client_for(coordinator).get(_grid_url(meeting)).context["grid"]
    columns = {column.agency: column for column in grid.columns}
    assert [column.is_core for column in grid.columns] == [True, True, False]
    assert columns[police_rep.agency].counts == {"researched": 2, "not_known": 1, "late": 0}
    assert columns[csc_rep.agency].counts == {"written": 1, "not_yet": 2, "late": 0}
    totals = {status: counts for status, _, counts in grid.totals}
    assert sum(totals["not_yet"]) == 2 + 3  # the CSC's two, and the IDVA service's three


def _fields(**extra):
    return {"known_to_agency": True, "about_victim": "Known", **extra}


def test_the_audit_trail_holds_no_personal_data(police_rep, listing):
    research_save(listing=listing, agency=police_rep.agency, data=_fields(), based_on_version=0, by=police_rep)
    event = AuditEvent.objects.filter(object_type="meetings.research").get()
    assert "Known" not in event.summary
    assert event.changes == {"about_victim": "changed"}


def test_the_landing_page_lists_cases_to_research(client_for, police_rep, idva, listing):
    for user in (police_rep, idva):
        page = client_for(user).get("/").content.decode()
        assert "Cases to research" in page
        assert _url(listing) in page
