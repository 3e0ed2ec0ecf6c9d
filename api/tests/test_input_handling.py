"""How the API reads what a client sends: where a problem is said to be, misspelt fields, the version of a change
(in the body or If-Match), a GET's answer sent back, and filter ids that name nothing the caller may filter by."""

import datetime
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, ActionStatus
from actions.tests.tracking_data import action_for, case_at, meeting_at
from api.core import UNKNOWN_FIELD_MESSAGE, _location
from marac.models import MaracAgency
from meetings.models import Listing, Meeting, MeetingState, Research, VictimVoice
from referrals.models import Referral
from referrals.tests.test_referral_pages import VICTIM, _risk
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(marac, police_rep, bearer, issue_token):
    return bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))


@pytest.fixture
def listing(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=4))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def _url(listing, what="research"):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/{what}"


def _put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


# --- Where a problem is ---------------------------------------------------------------------------------------------


def test_a_problem_in_the_body_is_located_once_under_body(police, listing):
    response = _put(police, _url(listing), {"version": "seven", "known_to_agency": True, "about_victim": "x"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body.version"]


def test_a_missing_body_is_located_at_body(police, listing):
    response = police.put(_url(listing), "", content_type="application/json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body"]


def test_nested_problems_and_the_form_s_problems_use_the_same_locations(police, listing):
    nested = _put(police, _url(listing), {"version": 0, "childrens_social_care": {"children": [{"child_id": "x"}]}})
    form = _put(police, _url(listing), {"version": 0, "known_to_agency": True})
    query = police.get("/api/v1/meetings", {"limit": 0})

    assert list(nested.json()["errors"]) == ["body.childrens_social_care.children[0].child_id"]
    assert list(form.json()["errors"]) == ["body.about_victim"]
    assert list(query.json()["errors"]) == ["query.limit"]


def test_locations_are_written_as_json_paths():
    assert _location(("body", "children", 0, "child_id")) == "body.children[0].child_id"
    assert _location(("query", "limit")) == "query.limit"


# --- Misspelt fields ------------------------------------------------------------------------------------------------


def test_a_misspelt_research_field_is_refused_naming_it(police, listing):
    response = _put(police, _url(listing), {"version": 0, "known_to_agency": False, "about_vicitm": "x"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"body.about_vicitm": [UNKNOWN_FIELD_MESSAGE]}
    assert not Research.objects.exists()


def test_a_misspelt_field_in_an_action_update_is_refused(client_for, coordinator, police_rep, marac):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac))
    action = action_for(listing, police_rep.agency, coordinator)

    response = _post(client_for(police_rep), f"/api/v1/actions/{action.pk}/done", {"note": "Done", "vesion": 1})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body.vesion"]
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@pytest.fixture
def referrals(client_for, referrer):
    return client_for(referrer)


def test_a_referral_section_with_a_field_its_form_lacks_is_refused_and_nothing_saved(referrals):
    draft = _post(referrals, "/api/v1/referrals", {}).json()

    version = {"If-Match": f'"{draft["version"]}"'}
    victim = _put(
        referrals, f"/api/v1/referrals/{draft['id']}/sections/victim", VICTIM | {"other_name": "x"}, **version
    )
    risk = _put(
        referrals, f"/api/v1/referrals/{draft['id']}/sections/risk", _risk(16) | {"q99": "yes", "evil": 1}, **version
    )

    assert victim.status_code == 422
    assert victim.json()["errors"] == {"body.other_name": [UNKNOWN_FIELD_MESSAGE]}
    assert risk.status_code == 422
    assert set(risk.json()["errors"]) == {"body.q99", "body.evil"}
    saved = Referral.objects.get(pk=draft["id"])
    assert (saved.version, saved.content) == (draft["version"], {})


def test_the_risk_checklist_s_own_questions_and_the_version_are_still_taken(referrals):
    draft = _post(referrals, "/api/v1/referrals", {}).json()

    risk = _put(referrals, f"/api/v1/referrals/{draft['id']}/sections/risk", _risk(16) | {"version": draft["version"]})

    assert risk.status_code == 200


def test_a_new_referral_with_a_misspelt_field_is_not_started(referrals):
    response = _post(referrals, "/api/v1/referrals", {"victim": VICTIM, "perpetrators": [{"given_nme": "x"}]})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body.perpetrators[0].given_nme"]
    assert not Referral.objects.exists()


# --- GET, then PUT what it gave -------------------------------------------------------------------------------------


def test_research_sent_back_as_got_before_anything_is_recorded_says_what_to_answer(police, listing):
    got = police.get(_url(listing))
    assert got.json()["known_to_agency"] is None

    response = _put(police, _url(listing), got.json())

    assert response.status_code == 422
    assert response.json()["errors"] == {"body.known_to_agency": ["Say whether the family is known to your agency"]}


def test_research_goes_round_get_edit_put_and_again(police, listing):
    got = police.get(_url(listing)).json()

    first = _put(police, _url(listing), got | {"known_to_agency": True, "about_victim": "Two call-outs"})
    assert first.status_code == 200, first.json()
    again = _put(police, _url(listing), police.get(_url(listing)).json() | {"about_perpetrator": "On bail"})

    assert again.status_code == 200, again.json()
    saved = Research.objects.get()
    assert (saved.version, saved.about_victim, saved.about_perpetrator) == (2, "Two call-outs", "On bail")


def test_the_victim_s_voice_goes_round_get_edit_put(marac, idva, bearer, issue_token, listing):
    idva_service = bearer(issue_token(marac, Role.IDVA, agency=idva.agency))
    got = idva_service.get(_url(listing, "victim-voice")).json()

    response = _put(idva_service, _url(listing, "victim-voice"), got | {"victim_views": "Wants to stay at home"})

    assert response.status_code == 200, response.json()
    assert VictimVoice.objects.get().victim_views == "Wants to stay at home"


# --- The version: in the body, or If-Match --------------------------------------------------------------------------


def test_research_takes_the_version_as_if_match_from_the_etag(police, listing):
    got = police.get(_url(listing))
    assert got["ETag"] == '"0"'

    saved = _put(police, _url(listing), {"known_to_agency": False}, if_match=got["ETag"])
    stale = _put(police, _url(listing), {"known_to_agency": True, "about_victim": "x"}, if_match='"0"')

    assert saved.status_code == 200 and saved["ETag"] == '"1"'
    assert stale.status_code == 409
    assert Research.objects.get().version == 1


def test_if_match_and_the_body_must_agree_and_one_is_needed(police, listing):
    disagree = _put(police, _url(listing), {"version": 0, "known_to_agency": False}, if_match='"3"')
    garbage = _put(police, _url(listing), {"known_to_agency": False}, if_match="yesterday")
    neither = _put(police, _url(listing), {"known_to_agency": False})
    agree = _put(police, _url(listing), {"version": 0, "known_to_agency": False}, if_match='W/"0"')

    assert disagree.status_code == 400 and "If-Match says version 3 but the body says 0" in disagree.json()["error"]
    assert garbage.status_code == 400
    assert neither.status_code == 422 and list(neither.json()["errors"]) == ["body.version"]
    assert agree.status_code == 200


def test_an_action_is_marked_done_with_if_match(client_for, coordinator, police_rep, marac):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac))
    action = action_for(listing, police_rep.agency, coordinator)
    client = client_for(police_rep)
    etag = client.get(f"/api/v1/actions/{action.pk}")["ETag"]

    stale = _post(client, f"/api/v1/actions/{action.pk}/done", {"note": "Flagged"}, if_match=f'"{action.version + 1}"')
    done = _post(client, f"/api/v1/actions/{action.pk}/done", {"note": "Flagged"}, if_match=etag)

    assert stale.status_code == 409
    assert done.status_code == 200 and done.json()["status"] == ActionStatus.DONE
    assert done["ETag"] == f'"{Action.objects.get().version}"'


def test_the_version_in_the_body_still_works_as_before(client_for, coordinator, police_rep, marac):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac))
    action = action_for(listing, police_rep.agency, coordinator)

    done = _post(client_for(police_rep), f"/api/v1/actions/{action.pk}/done", {"note": "x", "version": action.version})

    assert done.status_code == 200


# --- Filter ids -----------------------------------------------------------------------------------------------------


def test_an_agency_filter_naming_no_agency_of_the_marac_is_422_worded_alike(
    client_for, coordinator, police_rep, marac, other_marac
):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac))
    action_for(listing, police_rep.agency, coordinator)
    elsewhere = MaracAgency.objects.create(marac=other_marac, agency=AgencyFactory(name="Northmere Housing")).agency
    client = client_for(coordinator)

    none = client.get("/api/v1/actions", {"agency": 2**40})
    other = client.get("/api/v1/actions", {"agency": elsewhere.pk})

    assert none.status_code == other.status_code == 422
    assert none.json() == other.json()
    assert list(none.json()["errors"]) == ["query.agency"]


def test_an_agency_filter_naming_an_agency_of_the_marac_or_an_action_s_owner_lists(
    client_for, coordinator, police_rep, idva, marac
):
    MaracAgency.objects.create(marac=marac, agency=idva.agency)
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac))
    referring = AgencyFactory(name="Northmere Health Visiting")  # the case's referrer, from elsewhere
    action_for(listing, referring, coordinator)
    client = client_for(coordinator)

    idva_s = client.get("/api/v1/actions", {"agency": idva.agency_id})
    referrer_s = client.get("/api/v1/actions", {"agency": referring.pk})

    assert (idva_s.status_code, idva_s.json()["count"]) == (200, 0)
    assert (referrer_s.status_code, referrer_s.json()["count"]) == (200, 1)


@pytest.mark.parametrize("path", ["/api/v1/actions", "/api/v1/meetings", "/api/v1/cases", "/api/v1/research"])
def test_a_marac_filter_naming_no_marac_of_yours_is_422_as_for_one_that_is_none(
    client_for, coordinator, other_marac, path
):
    client = client_for(coordinator)

    none = client.get(path, {"marac": 2**40})
    other = client.get(path, {"marac": other_marac.pk})

    assert none.status_code == other.status_code == 422
    assert none.json() == other.json()
    assert list(none.json()["errors"]) == ["query.marac"]
