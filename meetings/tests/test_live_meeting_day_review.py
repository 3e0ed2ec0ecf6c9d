"""What a walk through meeting day found, put right: the meeting's record (minutes, actions, outcomes, links to other
processes) opens when the meeting starts; the register takes a person once, for their own agency; closing always
asks first, naming anyone present who has not signed the confidentiality agreement; a link to another process is
chosen, never defaulted, and recorded once; a closed meeting keeps the cases it held over on its list and speaks of
itself in the past tense. The rules' worked examples and properties first, then the real pages."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from actions.models import Action
from cases.models import CaseStatus
from marac.models import Marac, MaracAgency
from meetings import live_rules
from meetings import live_services as live
from meetings.models import (
    Attendance,
    Listing,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
    ProcessLink,
    ProcessLinkKind,
)
from meetings.services import meetings_ensure_ahead
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import AgencyFactory, CaseFactory

# --- The rules: worked examples and properties ----------------------------------------------------------------------


def test_a_person_is_refused_for_an_agency_they_do_not_work_for():
    refusal = live_rules.register_refusal(
        person_agency_id=1, person_agency_name="Northbrook Constabulary", agency_id=2, already_on_register=False
    )
    assert refusal == (
        "This person works for another agency (Northbrook Constabulary). Choose the agency they work for, "
        "or the person attending for the agency chosen."
    )


def test_a_person_attends_for_their_own_agency_once():
    assert live_rules.register_refusal(person_agency_id=1, agency_id=1, already_on_register=False) is None
    assert live_rules.register_refusal(person_agency_id=1, agency_id=1, already_on_register=True) == (
        "This person is already on the register for this meeting. Change their line in the register instead."
    )


def test_a_person_with_no_agency_on_their_account_may_attend_for_any_agency():
    assert live_rules.register_refusal(person_agency_id=None, agency_id=7, already_on_register=False) is None


@given(theirs=st.one_of(st.none(), st.integers(1, 5)), chosen=st.integers(1, 5), already=st.booleans())
def test_the_register_refuses_exactly_a_second_line_or_another_agency(theirs, chosen, already):
    refusal = live_rules.register_refusal(person_agency_id=theirs, agency_id=chosen, already_on_register=already)
    assert (refusal is None) == (not already and theirs in (None, chosen))


def test_the_same_link_with_the_same_note_is_refused_and_another_note_is_another_link():
    recorded = [("mappa", "Level 2 MAPPA")]
    assert live_rules.process_link_refusal(kind="mappa", note="Level 2 MAPPA", recorded=recorded) == (
        "This link to another process, with this note, is already recorded for this case. Nothing was added."
    )
    assert live_rules.process_link_refusal(kind="mappa", note="  level 2  MAPPA ", recorded=recorded) is not None
    assert live_rules.process_link_refusal(kind="mappa", note="Level 3 MAPPA", recorded=recorded) is None
    assert live_rules.process_link_refusal(kind="mash", note="Level 2 MAPPA", recorded=recorded) is None
    assert live_rules.process_link_refusal(kind="mash", note="", recorded=[]) is None


kinds = st.sampled_from([kind.value for kind in ProcessLinkKind])
notes = st.text(alphabet="ab \t", max_size=6)


@given(recorded=st.lists(st.tuples(kinds, notes), max_size=4), kind=kinds, note=notes)
def test_a_link_is_refused_only_when_one_like_it_is_recorded(recorded, kind, note):
    def same(text):
        return " ".join(text.split()).casefold()

    refusal = live_rules.process_link_refusal(kind=kind, note=note, recorded=recorded)
    assert (refusal is not None) == any(k == kind and same(n) == same(note) for k, n in recorded)
    # Whatever was refused, recording it adds a line that refuses it next time.
    assert live_rules.process_link_refusal(kind=kind, note=note, recorded=[*recorded, (kind, note)]) is not None


def _line(name, *, present=True, signed=False, written=False):
    return live_rules.RegisterLine(
        agency="Northbrook Constabulary", name=name, present=present, signed=signed, written_submission=written
    )


def test_only_people_present_and_not_signed_are_named_before_the_close():
    lines = [
        _line("Pat Police-Rep"),  # present, not signed
        _line("Ivy Advocate", signed=True),
        _line("Hal Housing", present=False),  # apologies
        _line("", present=False, written=True),  # a written submission: no one to sign
    ]
    assert live_rules.present_without_agreement(lines) == [lines[0]]


@given(present=st.booleans(), signed=st.booleans(), written=st.booleans())
def test_someone_is_named_exactly_when_there_and_unsigned(present, signed, written):
    line = _line("Someone", present=present, signed=signed, written=written)
    assert live_rules.present_without_agreement([line]) == ([line] if present and not signed and not written else [])


def test_the_core_agency_warning_is_in_the_past_tense_once_the_meeting_has_closed():
    assert live_rules.core_agency_warning(["Probation"]) == (
        "No one is here and no written submission was sent for these core agencies: Probation."
    )
    assert live_rules.core_agency_warning(["Probation", "Health"], closed=True) == (
        "No one was there and no written submission was sent for these core agencies: Probation, Health."
    )
    assert live_rules.core_agency_warning([], closed=True) == ""


# --- Pages ----------------------------------------------------------------------------------------------------------

pages = pytest.mark.django_db


@pytest.fixture
def housing(marac):
    """A core agency no one comes for: the live pages warn of it."""
    agency = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    return agency


@pytest.fixture
def agencies(marac, police_rep, idva, housing):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    MaracAgency.objects.create(marac=marac, agency=idva.agency, is_core=True, representative=idva)
    return {"police": police_rep.agency, "idva": idva.agency, "housing": housing}


def _meeting(marac, *, days_ahead=0):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=days_ahead))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _listed(meeting, reference="NB-2026-0701"):
    case = CaseFactory(marac=meeting.marac, reference=reference, status=CaseStatus.LISTED)
    return Listing.objects.create(meeting=meeting, case=case)


def _url(listing, step=""):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def _status(meeting):
    return MeetingState.objects.get(meeting=meeting).status


def _due():
    return str(add_working_days(timezone.localdate(), 10, calendar=WorkingCalendar()))


# 1. Nothing of the meeting's record before it starts.


@pages
def test_the_case_page_of_a_meeting_not_started_shows_no_forms_and_says_when_they_open(
    client_for, chair, marac, agencies
):
    meeting = _meeting(marac, days_ahead=14)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    page = client_for(chair).get(_url(listing)).content.decode()
    for form in ("Save the minute", "Record the action", "Record the link", "Record the outcome", "Next case"):
        assert form not in page, form
    assert "can be recorded here once the chair starts the meeting" in page

    live.meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    started = client_for(chair).get(_url(listing)).content.decode()
    for form in ("Save the minute", "Record the action", "Record the link", "Record the outcome"):
        assert form in started, form
    assert "once the chair starts the meeting" not in started


@pages
def test_nothing_is_recorded_through_the_case_page_before_the_meeting_starts(client_for, chair, marac, agencies):
    meeting = _meeting(marac, days_ahead=14)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    client = client_for(chair)
    posts = {
        "minutes/": {"risks_minute": "Threats", "decisions_minute": "Refer", "version": listing.version},
        "outcome/": {"outcome": Outcome.REVIEW, "version": listing.version, "based_on": ""},
        "actions/": {
            "owner_agency": agencies["police"].pk,
            "description": "Flag the address",
            "for_whom": "victim",
            "due_on": _due(),
        },
        "links/": {"kind": ProcessLinkKind.MASH, "note": ""},
    }
    for step, data in posts.items():
        response = client.post(_url(listing, step), data, follow=True)
        page = response.content.decode()
        assert "This meeting has not started, so nothing was saved." in page, step
        assert "Outcome recorded" not in page and "Minute saved" not in page, step

    listing.refresh_from_db()
    assert (listing.risks_minute, listing.decisions_minute, listing.outcome) == ("", "", "")
    assert not Action.objects.filter(listing=listing).exists()
    assert not ProcessLink.objects.filter(listing=listing).exists()
    assert _status(meeting) == MeetingStatus.SCHEDULED


@pages
def test_the_services_refuse_the_meeting_s_record_before_it_starts(chair, marac, agencies):
    meeting = _meeting(marac, days_ahead=14)
    listing = _listed(meeting)
    steps = [
        lambda: live.minute_save(
            listing=listing, risks_minute="x", decisions_minute="", based_on_version=listing.version, by=chair
        ),
        lambda: live.outcome_record(listing=listing, outcome=Outcome.REVIEW, by=chair),
        lambda: live.process_link_add(listing=listing, kind=ProcessLinkKind.MASH, note="", by=chair),
        lambda: live.live_action_record(
            listing=listing,
            by=chair,
            owner_agency=agencies["police"],
            description="Flag the address",
            for_whom="victim",
            due_on=datetime.date.fromisoformat(_due()),
        ),
    ]
    for step in steps:
        with pytest.raises(live.MeetingNotStarted, match="has not started"):
            step()
    listing.refresh_from_db()
    assert listing.outcome == "" and listing.risks_minute == ""
    assert not Action.objects.exists() and not ProcessLink.objects.exists()


@pages
def test_the_api_refuses_an_action_before_the_meeting_starts(client_for, coordinator, marac, agencies):
    meeting = _meeting(marac, days_ahead=14)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=coordinator)
    body = {"owner_agency_id": agencies["police"].pk, "description": "Flag it", "for_whom": "victim", "due_on": _due()}
    response = client_for(coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/listings/{listing.pk}/actions", body, content_type="application/json"
    )
    assert response.status_code == 409
    assert "has not started" in response.json()["error"]
    assert not Action.objects.exists()


# 2. The register: a person for their own agency, once.


def _register(client, meeting, **data):
    return client.post(f"/meetings/{meeting.pk}/register/", {"present": "yes", **data})


@pages
def test_the_register_refuses_a_person_for_another_agency(client_for, coordinator, police_rep, marac, agencies):
    meeting = _meeting(marac)
    response = _register(
        client_for(coordinator), meeting, agency=agencies["idva"].pk, user=police_rep.pk, capacity="representative"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This person works for another agency (Northbrook Constabulary)" in page
    assert not Attendance.objects.filter(meeting=meeting).exists()
    with pytest.raises(live.LiveRefused, match="another agency"):
        live.attendance_record(
            meeting=meeting, agency=agencies["idva"], user=police_rep, capacity="representative", present=True,
            by=coordinator,
        )  # fmt: skip
    assert not Attendance.objects.filter(meeting=meeting).exists()


@pages
def test_the_register_refuses_the_same_person_twice(client_for, coordinator, police_rep, marac, agencies):
    meeting = _meeting(marac)
    client = client_for(coordinator)
    data = {"agency": agencies["police"].pk, "user": police_rep.pk, "capacity": "representative"}
    assert _register(client, meeting, **data).status_code == 302
    again = _register(client, meeting, **data)
    assert again.status_code == 200
    assert "This person is already on the register for this meeting" in again.content.decode()
    assert Attendance.objects.filter(meeting=meeting, user=police_rep).count() == 1
    with pytest.raises(live.LiveRefused, match="already on the register"):
        live.attendance_record(
            meeting=meeting, agency=agencies["police"], user=police_rep, capacity="deputy", present=True,
            by=coordinator,
        )  # fmt: skip
    assert Attendance.objects.filter(meeting=meeting, user=police_rep).count() == 1


@pages
def test_someone_who_signed_is_on_the_register_already(client_for, coordinator, police_rep, marac, agencies):
    meeting = _meeting(marac)
    live.confidentiality_sign(meeting=meeting, user=police_rep)
    data = {"agency": agencies["police"].pk, "user": police_rep.pk, "capacity": "representative"}
    again = _register(client_for(coordinator), meeting, **data)
    assert "already on the register" in again.content.decode()
    assert Attendance.objects.filter(meeting=meeting, user=police_rep).count() == 1


@pages
def test_the_register_form_speaks_plainly(client_for, coordinator, marac, agencies):
    meeting = _meeting(marac)
    client = client_for(coordinator)
    blank = client.get(f"/meetings/{meeting.pk}/register/").content.decode()
    assert "Choose an agency" in blank and "Choose who is attending" in blank
    assert "Select an option" not in blank

    empty = _register(client, meeting).content.decode()
    assert "Select the agency" in empty
    assert "Select how they are attending" in empty
    assert "Select agency" not in empty and "Select attending as" not in empty


# 3. A written submission on the register and in the family's record.


@pages
def test_a_written_submission_is_the_agency_s_not_apologies(client_for, coordinator, chair, marac, agencies):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    client = client_for(coordinator)
    assert _register(client, meeting, agency=agencies["idva"].pk, capacity="written_submission").status_code == 302

    register = client.get(f"/meetings/{meeting.pk}/register/").content.decode()
    row = register[
        register.index("Northbrook IDVA Service") : register.index("</tr>", register.index("Northbrook IDVA"))
    ]
    assert "Written submission only" in row and "Apologies" not in row and "Not signed" not in row

    rows = _attendee_rows(client.get(reverse("actions:family_record", args=[listing.case_id])).content)
    assert ["", "Northbrook IDVA Service", "Written submission only"] in rows
    assert not any("(apologies)" in row[2] and "Written" in row[2] for row in rows)


def _attendee_rows(content):
    document = Document(io.BytesIO(content))
    for table in document.tables:
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        if cells and cells[0] == ["Name", "Agency or organisation", "Capacity"]:
            return cells[1:]
    raise AssertionError("no Attendees table")


# 4. Closing always asks first, and names anyone present who has not signed.


def _close(client, meeting, data=None):
    return client.post(f"/meetings/{meeting.pk}/live/close/", data or {})


@pages
def test_closing_a_meeting_with_every_case_heard_asks_first(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    live.listing_open(listing=listing, by=chair)
    live.outcome_record(listing=listing, outcome=Outcome.REVIEW, by=chair)
    client = client_for(chair)

    asked = _close(client, meeting)
    assert asked.status_code == 200
    assert "Closing the meeting cannot be undone" in asked.content.decode()
    assert _status(meeting) == MeetingStatus.IN_PROGRESS

    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED


@pages
def test_the_close_page_names_people_present_who_have_not_signed(
    client_for, chair, coordinator, police_rep, marac, agencies
):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.attendance_record(
        meeting=meeting, agency=agencies["police"], user=police_rep, capacity="representative", present=True,
        by=coordinator,
    )  # fmt: skip
    live.attendance_record(
        meeting=meeting, agency=agencies["housing"], user=None, capacity="written_submission", present=False,
        by=coordinator,
    )  # fmt: skip
    live.observer_add(meeting=meeting, name="Olive Observer", organisation="Northbrook University", by=coordinator)
    live.meeting_start(meeting=meeting, by=chair)
    live.listing_open(listing=listing, by=chair)
    live.outcome_record(listing=listing, outcome=Outcome.REVIEW, by=chair)
    client = client_for(chair)

    page = _close(client, meeting).content.decode()
    assert "2 people marked present on the register have not signed the confidentiality agreement" in page
    unsigned = page[page.index('data-testid="unsigned"') :]
    unsigned = unsigned[: unsigned.index("</table>")]
    assert "Northbrook Constabulary" in unsigned and "Pat Police-Rep" in unsigned
    assert "Northbrook University (observer)" in unsigned and "Olive Observer" in unsigned
    assert "Chad Chairington" not in unsigned and "Northbrook Housing" not in unsigned

    # A warning, not a block: the chair may close.
    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED


@pages
def test_the_close_page_has_no_unsigned_warning_when_everyone_signed(client_for, chair, police_rep, marac, agencies):
    meeting = _meeting(marac)
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.confidentiality_sign(meeting=meeting, user=police_rep)
    live.meeting_start(meeting=meeting, by=chair)
    page = _close(client_for(chair), meeting).content.decode()
    assert "Closing the meeting cannot be undone" in page
    assert "not signed the confidentiality agreement" not in page


@pages
def test_a_meeting_not_started_is_not_offered_the_close_page(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    live.confidentiality_sign(meeting=meeting, user=chair)
    response = _close(client_for(chair), meeting)
    assert response.status_code == 302
    assert _status(meeting) == MeetingStatus.SCHEDULED


# 5. Links to other processes: chosen, once.


@pages
def test_a_link_needs_a_process_chosen(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    client = client_for(chair)
    page = client.get(_url(listing)).content.decode()
    assert '<option value="" selected>Choose a process</option>' in page

    response = client.post(_url(listing, "links/"), {"kind": "", "note": ""})
    assert response.status_code == 200
    assert "Select the other process the case is linked to" in response.content.decode()
    assert not ProcessLink.objects.exists()


@pages
def test_the_same_link_twice_is_recorded_once(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    client = client_for(chair)
    data = {"kind": ProcessLinkKind.MAPPA, "note": "Level 2"}
    assert client.post(_url(listing, "links/"), data).status_code == 302
    again = client.post(_url(listing, "links/"), data)
    assert again.status_code == 200
    assert "This link to another process, with this note, is already recorded for this case" in (again.content.decode())
    assert ProcessLink.objects.filter(listing=listing).count() == 1
    # Another note is another link.
    assert client.post(_url(listing, "links/"), {"kind": ProcessLinkKind.MAPPA, "note": "Level 3"}).status_code == 302
    assert ProcessLink.objects.filter(listing=listing).count() == 2


# 6. A closed meeting: the cases it held over stay on its list; the past tense.


def _later_meeting(meeting):
    meetings_ensure_ahead(
        marac=Marac.objects.get(pk=meeting.marac_id), start=timezone.localtime(meeting.starts_at).date()
    )
    later = Meeting.objects.filter(marac=meeting.marac, starts_at__gt=meeting.starts_at, is_emergency=False)
    return later.order_by("starts_at").first()


@pages
def test_a_closed_meeting_lists_the_cases_it_held_over_and_where_to(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    later = _later_meeting(meeting)
    heard, unheard = _listed(meeting, "NB-2026-0701"), _listed(meeting, "NB-2026-0702")
    live.confidentiality_sign(meeting=meeting, user=chair)
    live.meeting_start(meeting=meeting, by=chair)
    live.listing_open(listing=heard, by=chair)
    live.outcome_record(listing=heard, outcome=Outcome.REVIEW, by=chair)
    client = client_for(chair)
    data = {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "The meeting ran out of time"}
    assert _close(client, meeting, data).status_code == 302

    page = client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    cases = page[page.index('data-testid="live-cases"') :]
    assert "NB-2026-0701" in cases and "NB-2026-0702" in cases
    day = timezone.localtime(later.starts_at)
    assert f"Held over to the meeting of {day.day} {day:%B %Y}" in cases
    assert f'href="{_url(unheard)}"' in cases
    assert "Held over" in client.get(_url(unheard)).content.decode()  # its own page, read-only


@pages
def test_a_closed_meeting_s_pages_speak_of_missing_agencies_in_the_past_tense(client_for, chair, marac, agencies):
    meeting = _meeting(marac)
    listing = _listed(meeting)
    live.confidentiality_sign(meeting=meeting, user=chair)
    client = client_for(chair)
    before = client.get(f"/meetings/{meeting.pk}/live/").content.decode()
    assert "No one is here and no written submission was sent for these core agencies" in before

    live.meeting_start(meeting=meeting, by=chair)
    live.meeting_close(meeting=meeting, by=chair, choices={listing.pk: live_rules.LEAVE_UNHEARD}, reason="Time")
    for url in (f"/meetings/{meeting.pk}/live/", _url(listing), f"/meetings/{meeting.pk}/register/"):
        page = client.get(url).content.decode()
        assert "No one was there and no written submission was sent for these core agencies" in page, url
        assert "Northbrook Housing" in page, url
        assert "No one is here" not in page, url
